/**
 * `metadata.managedFields` as the Kubernetes API emulator returns them: on every object, for every
 * verb, with the apiserver's entry shape, FieldsV1 encoding and ownership transfer rules.
 */
import { fixturePath } from '../../testbed/fixtures.js'
import { startApiBed, type ApiBed } from '../../testbed/k8s/harness.js'
import type { KubeEmulatorOptions } from '../../testbed/k8s/emulator.js'
import { generateTls, type TlsMaterial } from '../../testbed/tls.js'

type Obj = Record<string, unknown>
interface Entry {
  manager: string
  operation: string
  apiVersion: string
  time: string
  fieldsType: string
  fieldsV1: Obj
  subresource?: string
}

const MANIFEST = fixturePath('aws-k8s-cni-v1.19.6.yaml')
const DS = '/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node'
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/
const ENV_PATH = [
  'f:spec',
  'f:template',
  'f:spec',
  'f:containers',
  'k:{"name":"aws-node"}',
  'f:env'
]

let tls: TlsMaterial
const beds: ApiBed[] = []

async function start(options: Partial<KubeEmulatorOptions> = {}): Promise<ApiBed> {
  const bed = await startApiBed({ tls, options: { preinstallManifest: MANIFEST, ...options } })
  beds.push(bed)
  return bed
}

const entries = (o: Obj): Entry[] => (o.metadata as { managedFields?: Entry[] }).managedFields ?? []
const byManager = (o: Obj, manager: string, subresource?: string): Entry | undefined =>
  entries(o).find((e) => e.manager === manager && e.subresource === subresource)
const at = (tree: unknown, path: string[]): Obj | undefined =>
  path.reduce<unknown>((n, k) => (n as Obj | undefined)?.[k], tree) as Obj | undefined

async function getDs(bed: ApiBed): Promise<Obj> {
  const r = await bed.call('GET', DS)
  expect(r.status).toBe(200)
  return r.json
}

beforeAll(() => {
  tls = generateTls()
})
afterAll(async () => {
  await Promise.all(beds.map((b) => b.close()))
})

describe('managedFields of the seeded cluster', () => {
  it('records Helm as the installer and the controllers’ status writes', async () => {
    const bed = await start()
    const ds = await getDs(bed)
    const helm = byManager(ds, 'helm') as Entry
    expect(helm).toMatchObject({
      operation: 'Update',
      apiVersion: 'apps/v1',
      fieldsType: 'FieldsV1'
    })
    expect(helm.time).toMatch(RFC3339)
    expect(at(helm.fieldsV1, ['f:metadata', 'f:labels'])).toMatchObject({
      '.': {},
      'f:app.kubernetes.io/managed-by': {}
    })
    expect(at(helm.fieldsV1, [...ENV_PATH, 'k:{"name":"WARM_ENI_TARGET"}'])).toEqual({
      '.': {},
      'f:name': {},
      'f:value': {}
    })
    // Typed fields that always exist carry no "." marker; created ones do.
    expect(at(helm.fieldsV1, ['f:spec'])?.['.']).toBeUndefined()
    expect(at(helm.fieldsV1, ENV_PATH)?.['.']).toEqual({})
    expect(at(helm.fieldsV1, ['f:status'])).toBeUndefined()
    const kcm = byManager(ds, 'kube-controller-manager', 'status') as Entry
    expect(kcm).toMatchObject({ operation: 'Update', apiVersion: 'apps/v1' })
    expect(at(kcm.fieldsV1, ['f:status'])).toMatchObject({
      'f:numberAvailable': {},
      'f:observedGeneration': {}
    })
    expect(entries(ds)).toHaveLength(2)

    const crd = await bed.call(
      'GET',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/eniconfigs.crd.k8s.amazonaws.com'
    )
    const api = byManager(crd.json, 'kube-apiserver', 'status') as Entry
    expect(at(api.fieldsV1, ['f:status', 'f:conditions'])).toHaveProperty([
      'k:{"type":"Established"}'
    ])
    expect(byManager(crd.json, 'helm')).toBeDefined()

    const nodes = await bed.call('GET', '/api/v1/nodes')
    for (const node of (nodes.json.items as Obj[]) ?? []) {
      expect(byManager(node, 'kubelet')).toBeDefined()
      expect(byManager(node, 'kubelet', 'status')).toBeDefined()
    }
    const ns = await bed.call('GET', '/api/v1/namespaces/kube-system')
    expect(entries(ns.json)).toEqual([
      expect.objectContaining({
        manager: 'kube-apiserver',
        operation: 'Update',
        fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:kubernetes.io/metadata.name': {} } } }
      })
    ])
    const pods = await bed.call('GET', '/api/v1/namespaces/kube-system/pods')
    const pod = (pods.json.items as Obj[])[0]
    expect(
      at(byManager(pod, 'kube-controller-manager')?.fieldsV1, ['f:metadata', 'f:ownerReferences'])
    ).toMatchObject({ '.': {} })
    expect(byManager(pod, 'kubelet', 'status')).toBeDefined()
  })

  it('records the managed add-on as a server-side apply by manager eks', async () => {
    const bed = await start({ preinstallStyle: 'eks-addon' })
    const ds = await getDs(bed)
    const eks = byManager(ds, 'eks') as Entry
    expect(eks).toMatchObject({ operation: 'Apply', apiVersion: 'apps/v1' })
    // Apply entries own leaves and list elements, not the maps around them.
    expect(at(eks.fieldsV1, ['f:metadata', 'f:labels'])?.['.']).toBeUndefined()
    expect(at(eks.fieldsV1, [...ENV_PATH, 'k:{"name":"WARM_ENI_TARGET"}'])).toEqual({
      '.': {},
      'f:name': {},
      'f:value': {}
    })
    expect(byManager(ds, 'helm')).toBeUndefined()
  })
})

describe('managedFields on writes', () => {
  it('moves a field changed by an Update to its manager and keeps the other entries’ times', async () => {
    const bed = await start()
    const before = byManager(await getDs(bed), 'helm') as Entry
    await new Promise((r) => setTimeout(r, 1100))
    const r = await bed.call('PATCH', `${DS}?fieldManager=kubectl-set`, {
      body: {
        spec: {
          template: {
            spec: {
              containers: [{ name: 'aws-node', env: [{ name: 'WARM_ENI_TARGET', value: '2' }] }]
            }
          }
        }
      },
      contentType: 'application/strategic-merge-patch+json'
    })
    expect(r.status).toBe(200)
    const set = byManager(r.json, 'kubectl-set') as Entry
    expect(set.operation).toBe('Update')
    expect(set.time > before.time).toBe(true)
    expect(set.fieldsV1).toEqual({
      'f:spec': {
        'f:template': {
          'f:spec': {
            'f:containers': {
              'k:{"name":"aws-node"}': {
                'f:env': { 'k:{"name":"WARM_ENI_TARGET"}': { 'f:value': {} } }
              }
            }
          }
        }
      }
    })
    const helm = byManager(r.json, 'helm') as Entry
    expect(helm.time).toBe(before.time)
    expect(at(helm.fieldsV1, [...ENV_PATH, 'k:{"name":"WARM_ENI_TARGET"}'])).toEqual({
      '.': {},
      'f:name': {}
    })
    // The stored object agrees with the write's answer (the rollout then rewrites status).
    const spec = (o: Obj): Entry[] => entries(o).filter((e) => e.subresource !== 'status')
    expect(spec(await getDs(bed))).toEqual(spec(r.json))
  })

  it('defaults the manager from the User-Agent and drops an entry left with no fields', async () => {
    const bed = await start({ preinstallManifest: null })
    const cm = '/api/v1/namespaces/default/configmaps'
    const created = await bed.call('POST', `${cm}?fieldManager=writer-a`, {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: '1' } }
    })
    expect(created.status).toBe(201)
    expect(entries(created.json)).toEqual([
      expect.objectContaining({
        manager: 'writer-a',
        operation: 'Update',
        apiVersion: 'v1',
        fieldsV1: { 'f:data': { '.': {}, 'f:k': {} } }
      })
    ])
    const patched = await bed.call('PATCH', `${cm}/c`, {
      body: { data: { k: '2' } },
      contentType: 'application/merge-patch+json',
      userAgent: 'kubectl/v1.31.0 (linux/amd64) kubernetes/abcdef'
    })
    // writer-a keeps the map it created; kubectl took the one value.
    expect(Object.fromEntries(entries(patched.json).map((e) => [e.manager, e.fieldsV1]))).toEqual({
      'writer-a': { 'f:data': {} },
      kubectl: { 'f:data': { 'f:k': {} } }
    })
    const removed = await bed.call('PATCH', `${cm}/c?fieldManager=writer-b`, {
      body: { data: null },
      contentType: 'application/merge-patch+json'
    })
    // Removing fields gives writer-b nothing, and the others' emptied entries go away.
    expect(entries(removed.json)).toEqual([])
  })

  it('honours managedFields sent in an update, keeps them when omitted and resets them on [] or [{}]', async () => {
    const bed = await start()
    const mine = [
      {
        manager: 'someone',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: '2026-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:revisionHistoryLimit': {} } }
      }
    ]
    const set = await bed.call('PATCH', DS, {
      body: { metadata: { managedFields: mine } },
      contentType: 'application/merge-patch+json'
    })
    expect(entries(set.json)).toEqual(mine)
    const kept = await bed.call('PATCH', `${DS}?fieldManager=x`, {
      body: { metadata: { labels: { extra: 'y' } } },
      contentType: 'application/merge-patch+json'
    })
    expect(entries(kept.json).map((e) => e.manager)).toEqual(['someone', 'x'])
    for (const reset of [[], [{}]]) {
      const r = await bed.call('PATCH', DS, {
        body: [{ op: 'replace', path: '/metadata/managedFields', value: reset }],
        contentType: 'application/json-patch+json'
      })
      expect(r.status).toBe(200)
      expect((r.json.metadata as Obj).managedFields).toBeUndefined()
    }
  })

  it('rejects managedFields in an apply and records status writes with their subresource', async () => {
    const bed = await start()
    const ds = await getDs(bed)
    const apply = await bed.call('PATCH', `${DS}?fieldManager=gha`, {
      body: {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'aws-node', namespace: 'kube-system', managedFields: entries(ds) }
      },
      contentType: 'application/apply-patch+yaml'
    })
    expect(apply.status).toBe(400)
    expect(apply.json).toMatchObject({
      reason: 'BadRequest',
      message: 'metadata.managedFields must be nil'
    })

    const status = await bed.call('PATCH', `${DS}/status?fieldManager=tester`, {
      body: { status: { numberMisscheduled: 1 } },
      contentType: 'application/merge-patch+json'
    })
    expect(status.status).toBe(200)
    expect(byManager(status.json, 'tester', 'status')).toMatchObject({
      operation: 'Update',
      fieldsV1: { 'f:status': { 'f:numberMisscheduled': {} } }
    })
  })
})
