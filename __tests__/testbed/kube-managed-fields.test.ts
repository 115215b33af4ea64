/**
 * `metadata.managedFields` as the Kubernetes API emulator returns them: on every object, for every
 * verb, with the apiserver's entry shape, FieldsV1 encoding and ownership transfer rules.
 */
import { fixturePath } from '../../testbed/fixtures.js'
import type { ApiBed } from '../../testbed/k8s/harness.js'
import type { KubeEmulatorOptions } from '../../testbed/k8s/emulator.js'
import { managerOf } from '../../testbed/k8s/write-checks.js'
import { useKubeBeds } from './kube-beds.js'

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

const beds = useKubeBeds()
const start = (options: Partial<KubeEmulatorOptions> = {}): Promise<ApiBed> =>
  beds.api({ preinstallManifest: MANIFEST, ...options })

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
    // The cluster was installed before its nodes joined, both well before the test started.
    const created = (o: Obj): number => Date.parse(String((o.metadata as Obj).creationTimestamp))
    expect(helm.time).toBe((ds.metadata as Obj).creationTimestamp)
    expect(kcm.time).toBe(helm.time)
    expect(created(ds)).toBeLessThan(Date.now() - 60 * 60 * 1000)

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
      expect(byManager(node, 'kubelet')?.time).toBe((node.metadata as Obj).creationTimestamp)
      expect(byManager(node, 'kubelet', 'status')).toBeDefined()
      expect(created(node)).toBeGreaterThan(created(ds))
      expect(created(node)).toBeLessThan(Date.now() - 30 * 60 * 1000)
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
        fieldsV1: { 'f:spec': { 'f:minReadySeconds': {}, 'f:revisionHistoryLimit': {} } }
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

  it('keeps an Apply and an Update entry of one manager apart, and they conflict', async () => {
    const bed = await start({ preinstallManifest: null })
    const cm = '/api/v1/namespaces/default/configmaps'
    const config = (v: string): unknown => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'default' },
      data: { k: v, a: 'x' }
    })
    const apply = (v: string, force = false) =>
      bed.call('PATCH', `${cm}/c?fieldManager=tool${force ? '&force=true' : ''}`, {
        body: config(v),
        contentType: 'application/apply-patch+yaml'
      })
    expect((await apply('1')).status).toBe(201)
    const updated = await bed.call('PATCH', `${cm}/c?fieldManager=tool`, {
      body: { data: { k: '2', extra: 'x' } },
      contentType: 'application/merge-patch+json'
    })
    expect(entries(updated.json).map((e) => [e.manager, e.operation, e.fieldsV1])).toEqual([
      ['tool', 'Apply', { 'f:data': { 'f:a': {} } }],
      ['tool', 'Update', { 'f:data': { 'f:extra': {}, 'f:k': {} } }]
    ])
    const conflict = await apply('3')
    expect(conflict.status).toBe(409)
    expect(conflict.json.message).toBe(
      'Apply failed with 1 conflict: conflict with "tool" using v1: .data.k'
    )
    const forced = await apply('3', true)
    expect(entries(forced.json).map((e) => [e.operation, e.fieldsV1])).toEqual([
      ['Apply', { 'f:data': { 'f:a': {}, 'f:k': {} } }],
      ['Update', { 'f:data': { 'f:extra': {} } }]
    ])
  })

  it('lets kubectl’s first server-side apply take over what its client-side apply set', async () => {
    const bed = await start({ preinstallManifest: null })
    const cm = '/api/v1/namespaces/default/configmaps'
    const lastApplied = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'default' },
      data: { k: '1', j: '1' }
    })
    const created = await bed.call('POST', `${cm}?fieldManager=kubectl-client-side-apply`, {
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'c',
          annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied }
        },
        data: { k: '1', j: '1' }
      }
    })
    expect(created.status).toBe(201)
    // Someone else changes j afterwards: that field is no longer what kubectl last applied.
    await bed.call('PATCH', `${cm}/c?fieldManager=other`, {
      body: { data: { j: '5' } },
      contentType: 'application/merge-patch+json'
    })
    const ssa = (manager: string, data: Obj) =>
      bed.call('PATCH', `${cm}/c?fieldManager=${manager}`, {
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data },
        contentType: 'application/apply-patch+yaml'
      })
    // Another manager gets the conflict; so does kubectl on the field changed since.
    expect((await ssa('gha', { k: '2' })).status).toBe(409)
    const changedSince = await ssa('kubectl', { k: '2', j: '2' })
    expect(changedSince.status).toBe(409)
    expect(changedSince.json.message).toBe(
      'Apply failed with 1 conflict: conflict with "other" using v1: .data.j'
    )
    const upgraded = await ssa('kubectl', { k: '2' })
    expect(upgraded.status).toBe(200)
    expect((upgraded.json.data as Obj).k).toBe('2')
    expect(at(byManager(upgraded.json, 'kubectl')?.fieldsV1, ['f:data'])).toEqual({ 'f:k': {} })
  })

  it('shows in a dry run the managedFields the write would leave, storing nothing', async () => {
    const bed = await start()
    const before = await getDs(bed)
    const r = await bed.call('PATCH', `${DS}?fieldManager=gha&force=true&dryRun=All`, {
      body: {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'aws-node', namespace: 'kube-system' },
        spec: {
          template: {
            spec: {
              containers: [{ name: 'aws-node', env: [{ name: 'WARM_ENI_TARGET', value: '3' }] }]
            }
          }
        }
      },
      contentType: 'application/apply-patch+yaml'
    })
    expect(r.status).toBe(200)
    expect(byManager(r.json, 'gha')).toMatchObject({ operation: 'Apply' })
    const helm = byManager(r.json, 'helm') as Entry
    expect(at(helm.fieldsV1, [...ENV_PATH, 'k:{"name":"WARM_ENI_TARGET"}'])).toEqual({
      '.': {},
      'f:name': {}
    })
    expect(await getDs(bed)).toEqual(before)
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

    // Server-side apply through /status applies status only, as its own entry.
    const statusApply = (force: boolean) =>
      bed.call('PATCH', `${DS}/status?fieldManager=gha${force ? '&force=true' : ''}`, {
        body: {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          metadata: { name: 'aws-node', namespace: 'kube-system', labels: { ignored: 'yes' } },
          spec: { minReadySeconds: 99 },
          status: { numberMisscheduled: 2 }
        },
        contentType: 'application/apply-patch+yaml'
      })
    const conflict = await statusApply(false)
    expect(conflict.status).toBe(409)
    expect(conflict.json.message).toBe(
      'Apply failed with 1 conflict: conflict with "tester" with subresource "status" using apps/v1: .status.numberMisscheduled'
    )
    const applied = await statusApply(true)
    expect(applied.status).toBe(200)
    expect(byManager(applied.json, 'gha', 'status')).toMatchObject({
      operation: 'Apply',
      fieldsV1: { 'f:status': { 'f:numberMisscheduled': {} } }
    })
    expect(byManager(applied.json, 'tester', 'status')).toBeUndefined()
    expect((applied.json.status as Obj).numberMisscheduled).toBe(2)
    expect((applied.json.spec as Obj).minReadySeconds).toBeUndefined()
    expect((applied.json.metadata as Obj).labels).not.toHaveProperty('ignored')
  })
})

describe('the manager of a non-apply write', () => {
  const of = (userAgent: string, fieldManager?: string): string =>
    managerOf({ query: new URLSearchParams(fieldManager ? { fieldManager } : {}), userAgent })
  it('is fieldManager, or the User-Agent up to its first slash, printable and at most 128 bytes', () => {
    expect(of('kubectl/v1.31.0 (linux/amd64) kubernetes/abc', 'kubectl-set')).toBe('kubectl-set')
    expect(of('kubectl/v1.31.0 (linux/amd64) kubernetes/abc')).toBe('kubectl')
    expect(of('Helm/3.16.2')).toBe('Helm')
    expect(of('a\u0007b c/1')).toBe('ab c')
    expect(of('x'.repeat(200))).toBe('x'.repeat(128))
    expect(of('')).toBe('')
  })
})
