/**
 * The Kubernetes API emulator at the HTTP level: discovery negotiation, CRD establishment, the
 * write verbs' error wording, authentication and injected faults.
 */
import { fixturePath } from '../../testbed/fixtures.js'
import https from 'node:https'
import { FaultInjector, RequestLog } from '../../testbed/faults.js'
import {
  startKubeEmulator,
  type KubeEmulator,
  type KubeEmulatorOptions,
  type KubeObject
} from '../../testbed/k8s/emulator.js'
import { rawRequest, type RawReply } from '../../testbed/k8s/harness.js'
import { generateTls, type TlsMaterial } from '../../testbed/tls.js'

const TOKEN = 'good'
const MANIFEST = fixturePath('aws-k8s-cni-v1.19.6.yaml')
const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions'
const DS_PATH = '/apis/apps/v1/namespaces/kube-system/daemonsets'
const ENI_GV = '/apis/crd.k8s.amazonaws.com/v1alpha1'

let tls: TlsMaterial
/** Keep-alive, so sequences of requests don't each pay a TLS handshake. */
const agent = new https.Agent({ keepAlive: true, maxSockets: 4 })
const emulators: KubeEmulator[] = []

async function start(
  extra: Partial<KubeEmulatorOptions> = {}
): Promise<{ emu: KubeEmulator; faults: FaultInjector; log: RequestLog }> {
  const faults = new FaultInjector()
  const log = new RequestLog()
  const emu = await startKubeEmulator({
    tls,
    kubernetesVersion: '1.31',
    authenticate: async (t) =>
      t === TOKEN
        ? { ok: true, user: 'admin' }
        : t === 'readonly'
          ? { ok: false, status: 403, message: '' }
          : { ok: false, status: 401, message: 'Unauthorized' },
    faults,
    log,
    ...extra
  })
  emulators.push(emu)
  return { emu, faults, log }
}

function call(
  emu: KubeEmulator,
  method: string,
  path: string,
  opts: { body?: unknown; contentType?: string; accept?: string; token?: string | null } = {}
): Promise<RawReply> {
  const token = opts.token === undefined ? TOKEN : opts.token
  return rawRequest(`${emu.url}${path}`, tls.caPem, { ...opts, method, token, agent })
}

const eniConfig = (name: string, subnet = 'subnet-1'): KubeObject => ({
  apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
  kind: 'ENIConfig',
  metadata: { name },
  spec: { subnet }
})

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

beforeAll(() => {
  tls = generateTls()
})
afterAll(async () => {
  await Promise.all(emulators.map((e) => e.close()))
  agent.destroy()
})

describe('Kubernetes API emulator: protocol', () => {
  it('negotiates aggregated discovery v2 / v2beta1 / legacy from Accept', async () => {
    const { emu } = await start()
    const v2beta1 =
      'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'
    const r127 = await call(emu, 'GET', '/apis', { accept: v2beta1 })
    expect(r127.headers['content-type']).toBe(
      'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList'
    )
    expect(r127.json.apiVersion).toBe('apidiscovery.k8s.io/v2beta1')
    const r133 = await call(emu, 'GET', '/api', {
      accept: `application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,${v2beta1}`
    })
    expect(r133.json).toMatchObject({
      kind: 'APIGroupDiscoveryList',
      apiVersion: 'apidiscovery.k8s.io/v2'
    })
    expect(
      (r133.json.items as { metadata: { name: string } }[]).map((i) => i.metadata.name)
    ).toEqual([''])
    const legacy = await call(emu, 'GET', '/apis', { accept: 'application/json, */*' })
    expect(legacy.json.kind).toBe('APIGroupList')
    const apps = await call(emu, 'GET', '/apis/apps/v1')
    const names = (apps.json.resources as { name: string }[]).map((r) => r.name)
    expect(names).toEqual(['daemonsets', 'daemonsets/status'])
    const version = await call(emu, 'GET', '/version')
    expect(version.json).toMatchObject({
      major: '1',
      minor: '31',
      gitVersion: 'v1.31.0-eks-testbed'
    })
    const v2 = await call(emu, 'GET', '/openapi/v2')
    expect([v2.status, v2.headers['content-type'], v2.text]).toEqual([
      200,
      'application/octet-stream',
      ''
    ])
  })

  it('serves a CRD kind only once Established, with discovery and OpenAPI', async () => {
    const { emu } = await start({ crdEstablishDelayMs: 300 })
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
    const created = await call(emu, 'POST', CRD_PATH, { body: crd })
    expect(created.status).toBe(201)
    expect(created.json.status).toEqual({})
    expect((await call(emu, 'GET', ENI_GV)).status).toBe(404)
    expect(
      (await call(emu, 'POST', `${ENI_GV}/eniconfigs`, { body: eniConfig('a') })).json.message
    ).toBe('the server could not find the requested resource')
    await sleep(500)
    const established = emu.get(
      'apiextensions.k8s.io/v1',
      'CustomResourceDefinition',
      crd.metadata.name
    )
    expect(established?.status).toMatchObject({
      conditions: [
        { type: 'NamesAccepted', status: 'True' },
        { type: 'Established', status: 'True' }
      ],
      acceptedNames: { kind: 'ENIConfig', listKind: 'ENIConfigList' },
      storedVersions: ['v1alpha1']
    })
    expect((await call(emu, 'GET', ENI_GV)).json.resources).toEqual([
      expect.objectContaining({ name: 'eniconfigs', kind: 'ENIConfig', namespaced: false })
    ])
    const index = await call(emu, 'GET', '/openapi/v3')
    const ref = (index.json.paths as Record<string, { serverRelativeURL: string }>)[
      'apis/crd.k8s.amazonaws.com/v1alpha1'
    ]
    const doc = await call(emu, 'GET', ref.serverRelativeURL)
    expect(JSON.stringify(doc.json)).toContain('"fieldValidation"')
    expect((await call(emu, 'POST', `${ENI_GV}/eniconfigs`, { body: eniConfig('a') })).status).toBe(
      201
    )
    const smp = await call(emu, 'PATCH', `${ENI_GV}/eniconfigs/a`, {
      body: { spec: { subnet: 'x' } },
      contentType: 'application/strategic-merge-patch+json'
    })
    expect(smp.status).toBe(415)
    expect(smp.json.reason).toBe('UnsupportedMediaType')
  })

  it('answers write errors as the real server words them', async () => {
    const { emu } = await start({ preinstallManifest: MANIFEST })
    const missing = await call(emu, 'GET', `${DS_PATH}/nope`)
    expect(missing.json).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      code: 404,
      reason: 'NotFound',
      message: 'daemonsets.apps "nope" not found',
      details: { name: 'nope', group: 'apps', kind: 'daemonsets' }
    })
    const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'aws-node' } }
    const exists = await call(emu, 'POST', '/api/v1/namespaces/kube-system/serviceaccounts', {
      body: sa
    })
    expect([exists.status, exists.json.message]).toEqual([
      409,
      'serviceaccounts "aws-node" already exists'
    ])
    const noNs = await call(emu, 'POST', '/api/v1/namespaces/nope/serviceaccounts', { body: sa })
    expect([noNs.status, noNs.json.message]).toEqual([404, 'namespaces "nope" not found'])
    const force = await call(emu, 'PATCH', `${DS_PATH}/aws-node?force=true`, {
      body: {},
      contentType: 'application/merge-patch+json'
    })
    expect([force.status, force.json.message]).toEqual([
      422,
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch'
    ])
    const noManager = await call(emu, 'PATCH', `${DS_PATH}/aws-node`, {
      body: 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: aws-node\n',
      contentType: 'application/apply-patch+yaml'
    })
    expect(noManager.status).toBe(422)
    expect(noManager.json.message).toContain(
      'fieldManager: Required value: is required for apply patch'
    )
    const live = emu.get('apps/v1', 'DaemonSet', 'aws-node', 'kube-system') as KubeObject
    const stale = { ...live, metadata: { ...live.metadata, resourceVersion: '1' } }
    const put = await call(emu, 'PUT', `${DS_PATH}/aws-node`, { body: stale })
    expect(put.status).toBe(409)
    expect(put.json.message).toBe(
      'Operation cannot be fulfilled on daemonsets.apps "aws-node": the object has been modified; please apply your changes to the latest version and try again'
    )
  })

  it('authenticates, words 403s like RBAC, and injects faults', async () => {
    const { emu, faults, log } = await start()
    expect((await call(emu, 'GET', '/healthz', { token: null })).status).toBe(200)
    expect((await call(emu, 'GET', '/api', { token: null })).status).toBe(401)
    const forbidden = await call(
      emu,
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
    const limited = await call(emu, 'GET', '/api/v1/nodes')
    expect([limited.status, limited.headers['retry-after'], limited.json.reason]).toEqual([
      429,
      '2',
      'TooManyRequests'
    ])
    expect((await call(emu, 'GET', '/api/v1/nodes')).status).toBe(200)
    faults.add({ service: 'kube', path: '^/api/v1/nodes$', reset: true })
    await expect(call(emu, 'GET', '/api/v1/nodes')).rejects.toThrow()
    await sleep(50)
    expect(log.entries.map((e) => [e.status, e.fault]).slice(-3)).toEqual([
      [429, undefined],
      [200, undefined],
      [0, undefined]
    ])
  })

  it('close() ends open watches and leaves nothing running', async () => {
    const { emu } = await start()
    const watch = call(emu, 'GET', '/api/v1/namespaces?watch=true')
    await sleep(100)
    await emu.close()
    const reply = await watch
    expect(reply.status).toBe(200)
    expect(reply.text.trim().split('\n')).toHaveLength(4)
    await expect(call(emu, 'GET', '/version')).rejects.toThrow()
  })
})
