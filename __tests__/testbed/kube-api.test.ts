/**
 * The Kubernetes API emulator at the HTTP level: discovery negotiation, CRD establishment, the
 * write verbs' error wording, authentication and injected faults.
 */
import { fixturePath } from '../../testbed/fixtures.js'
import type { KubeObject } from '../../testbed/k8s/emulator.js'
import { until, useKubeBeds } from './kube-beds.js'

const MANIFEST = fixturePath('aws-k8s-cni-v1.19.6.yaml')
const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions'
const DS_PATH = '/apis/apps/v1/namespaces/kube-system/daemonsets'
const ENI_GV = '/apis/crd.k8s.amazonaws.com/v1alpha1'

const beds = useKubeBeds()

const eniConfig = (name: string, subnet = 'subnet-1'): KubeObject => ({
  apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
  kind: 'ENIConfig',
  metadata: { name },
  spec: { subnet }
})

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('Kubernetes API emulator: protocol', () => {
  it('negotiates aggregated discovery v2 / v2beta1 / legacy from Accept', async () => {
    const { call } = await beds.api()
    const v2beta1 =
      'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'
    const r127 = await call('GET', '/apis', { accept: v2beta1 })
    expect(r127.headers['content-type']).toBe(
      'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList'
    )
    expect(r127.json.apiVersion).toBe('apidiscovery.k8s.io/v2beta1')
    const r133 = await call('GET', '/api', {
      accept: `application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,${v2beta1}`
    })
    expect(r133.json).toMatchObject({
      kind: 'APIGroupDiscoveryList',
      apiVersion: 'apidiscovery.k8s.io/v2'
    })
    expect(
      (r133.json.items as { metadata: { name: string } }[]).map((i) => i.metadata.name)
    ).toEqual([''])
    const legacy = await call('GET', '/apis', { accept: 'application/json, */*' })
    expect(legacy.json.kind).toBe('APIGroupList')
    const apps = await call('GET', '/apis/apps/v1')
    const names = (apps.json.resources as { name: string }[]).map((r) => r.name)
    expect(names).toEqual(['daemonsets', 'daemonsets/status'])
    const version = await call('GET', '/version')
    expect(version.json).toMatchObject({
      major: '1',
      minor: '31',
      gitVersion: 'v1.31.0-eks-testbed'
    })
    const v2 = await call('GET', '/openapi/v2')
    expect([v2.status, v2.headers['content-type'], v2.text]).toEqual([
      200,
      'application/octet-stream',
      ''
    ])
  })

  it('serves a CRD kind only once Established, with discovery and OpenAPI', async () => {
    const { emu, call } = await beds.api({ crdEstablishDelayMs: 300 })
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'eniconfigs.crd.k8s.amazonaws.com' },
      spec: {
        group: 'crd.k8s.amazonaws.com',
        scope: 'Cluster',
        names: { plural: 'eniconfigs', singular: 'eniconfig', kind: 'ENIConfig' },
        versions: [
          {
            name: 'v1alpha1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object' } }
          }
        ]
      },
      status: { ignored: true }
    }
    const created = await call('POST', CRD_PATH, { body: crd })
    expect(created.status).toBe(201)
    expect(created.json.status).toEqual({})
    expect((await call('GET', ENI_GV)).status).toBe(404)
    expect(
      (await call('POST', `${ENI_GV}/eniconfigs`, { body: eniConfig('a') })).json.message
    ).toBe('the server could not find the requested resource')
    const crdStatus = (): Record<string, unknown> | undefined =>
      emu.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', crd.metadata.name)?.status as
        Record<string, unknown> | undefined
    await until(() => crdStatus()?.storedVersions !== undefined)
    expect(crdStatus()).toMatchObject({
      conditions: [
        { type: 'NamesAccepted', status: 'True' },
        { type: 'Established', status: 'True' }
      ],
      acceptedNames: { kind: 'ENIConfig', listKind: 'ENIConfigList' },
      storedVersions: ['v1alpha1']
    })
    expect((await call('GET', ENI_GV)).json.resources).toEqual([
      expect.objectContaining({ name: 'eniconfigs', kind: 'ENIConfig', namespaced: false })
    ])
    const index = await call('GET', '/openapi/v3')
    const ref = (index.json.paths as Record<string, { serverRelativeURL: string }>)[
      'apis/crd.k8s.amazonaws.com/v1alpha1'
    ]
    const doc = await call('GET', ref.serverRelativeURL)
    expect(JSON.stringify(doc.json)).toContain('"fieldValidation"')
    expect((await call('POST', `${ENI_GV}/eniconfigs`, { body: eniConfig('a') })).status).toBe(201)
    const smp = await call('PATCH', `${ENI_GV}/eniconfigs/a`, {
      body: { spec: { subnet: 'x' } },
      contentType: 'application/strategic-merge-patch+json'
    })
    expect(smp.status).toBe(415)
    expect(smp.json.reason).toBe('UnsupportedMediaType')
  })

  it('answers write errors as the real server words them', async () => {
    const { emu, call } = await beds.api({ preinstallManifest: MANIFEST })
    const missing = await call('GET', `${DS_PATH}/nope`)
    expect(missing.json).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      code: 404,
      reason: 'NotFound',
      message: 'daemonsets.apps "nope" not found',
      details: { name: 'nope', group: 'apps', kind: 'daemonsets' }
    })
    const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'aws-node' } }
    const exists = await call('POST', '/api/v1/namespaces/kube-system/serviceaccounts', {
      body: sa
    })
    expect([exists.status, exists.json.message]).toEqual([
      409,
      'serviceaccounts "aws-node" already exists'
    ])
    const noNs = await call('POST', '/api/v1/namespaces/nope/serviceaccounts', { body: sa })
    expect([noNs.status, noNs.json.message]).toEqual([404, 'namespaces "nope" not found'])
    const force = await call('PATCH', `${DS_PATH}/aws-node?force=true`, {
      body: {},
      contentType: 'application/merge-patch+json'
    })
    expect([force.status, force.json.message]).toEqual([
      422,
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch'
    ])
    const noManager = await call('PATCH', `${DS_PATH}/aws-node`, {
      body: 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: aws-node\n',
      contentType: 'application/apply-patch+yaml'
    })
    expect(noManager.status).toBe(422)
    expect(noManager.json.message).toContain(
      'fieldManager: Required value: is required for apply patch'
    )
    const live = emu.get('apps/v1', 'DaemonSet', 'aws-node', 'kube-system') as KubeObject
    const stale = { ...live, metadata: { ...live.metadata, resourceVersion: '1' } }
    const put = await call('PUT', `${DS_PATH}/aws-node`, { body: stale })
    expect(put.status).toBe(409)
    expect(put.json.message).toBe(
      'Operation cannot be fulfilled on daemonsets.apps "aws-node": the object has been modified; please apply your changes to the latest version and try again'
    )
  })

  it('authenticates, words 403s like RBAC, and injects faults', async () => {
    const { call, faults, log } = await beds.api({
      authenticate: async (t) =>
        t === 'good'
          ? { ok: true, user: 'admin' }
          : t === 'readonly'
            ? { ok: false, status: 403, message: '' }
            : { ok: false, status: 401, message: 'Unauthorized' }
    })
    expect((await call('GET', '/healthz', { token: null })).status).toBe(200)
    expect((await call('GET', '/api', { token: null })).status).toBe(401)
    const forbidden = await call(
      'GET',
      '/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node',
      { token: 'readonly' }
    )
    expect(forbidden.status).toBe(403)
    expect(forbidden.json.message).toBe(
      'daemonsets.apps "aws-node" is forbidden: User "system:anonymous" cannot get resource "daemonsets" in API group "apps" in the namespace "kube-system"'
    )
    faults.add({
      service: 'kube',
      path: '^/api/v1/nodes$',
      status: 429,
      retryAfter: 2,
      message: 'slow down'
    })
    const limited = await call('GET', '/api/v1/nodes')
    expect([limited.status, limited.headers['retry-after'], limited.json.reason]).toEqual([
      429,
      '2',
      'TooManyRequests'
    ])
    expect((await call('GET', '/api/v1/nodes')).status).toBe(200)
    faults.add({ service: 'kube', path: '^/api/v1/nodes$', reset: true })
    const logged = log.entries.length
    await expect(call('GET', '/api/v1/nodes')).rejects.toThrow()
    await until(() => log.entries.length > logged)
    expect(log.entries.map((e) => [e.status, e.fault]).slice(-3)).toEqual([
      [429, undefined],
      [200, undefined],
      [0, undefined]
    ])
  })

  it('close() ends open watches and leaves nothing running', async () => {
    const { emu, call } = await beds.api()
    const watch = call('GET', '/api/v1/namespaces?watch=true')
    await sleep(100)
    await emu.close()
    const reply = await watch
    expect(reply.status).toBe(200)
    expect(reply.text.trim().split('\n')).toHaveLength(4)
    await expect(call('GET', '/version')).rejects.toThrow()
  })
})
