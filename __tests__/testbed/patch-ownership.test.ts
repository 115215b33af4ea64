import { fixturePath } from '../../testbed/fixtures.js'
import { readFileSync } from 'node:fs'
import { isDeepStrictEqual } from 'node:util'
import yaml from 'js-yaml'
import {
  formatPath,
  fromManagedFields,
  jsonPatch,
  parsePath,
  recordUpdate,
  strategicMergePatch,
  toManagedFields,
  type Ownership
} from '../../testbed/k8s/patch/index.js'

type Obj = Record<string, unknown>

const FIXTURE = fixturePath('aws-k8s-cni-v1.19.6.yaml')
const AWS_NODE = '.spec.template.spec.containers[name="aws-node"]'
const T0 = '2026-11-27T10:00:00Z'
const T1 = '2026-11-27T10:05:00Z'

function awsNode(): Obj {
  const docs = yaml.loadAll(readFileSync(FIXTURE, 'utf8')) as Obj[]
  return docs.find((d) => d?.kind === 'DaemonSet') as Obj
}

function update(
  before: Obj | undefined,
  after: Obj,
  manager: string,
  ownership: Ownership,
  now = T1
): Ownership {
  return recordUpdate({ before, after, manager, ownership, apiVersion: 'apps/v1', now })
}

/** kubectl set env's body for one variable of the aws-node container. */
const setEnv = (name: string, value: string): Obj => ({
  spec: { template: { spec: { containers: [{ name: 'aws-node', env: [{ name, value }] }] } } }
})

describe('recordUpdate', () => {
  it('gives a creating manager every leaf, but no server-owned metadata', () => {
    const ds = awsNode()
    const own = update(
      undefined,
      { ...ds, metadata: { ...(ds.metadata as Obj), uid: 'u' } },
      'kubectl-client-side-apply',
      {},
      T0
    )
    const entry = own['kubectl-client-side-apply']
    expect(entry).toMatchObject({ operation: 'Update', apiVersion: 'apps/v1', time: T0 })
    expect(entry.paths).toContain(`${AWS_NODE}.env[name="WARM_ENI_TARGET"].value`)
    expect(entry.paths).toContain('.metadata.labels.k8s-app')
    expect(
      entry.paths.some((p) => p.startsWith('.metadata.uid') || p.startsWith('.metadata.name'))
    ).toBe(false)
    expect([...entry.paths].sort()).toEqual(entry.paths)
  })

  it('moves a changed leaf to the writer (kubectl set env) and keeps the rest with its owner', () => {
    const ds = awsNode()
    const created = update(undefined, ds, 'kubectl-client-side-apply', {}, T0)
    const after = strategicMergePatch(ds, setEnv('WARM_ENI_TARGET', '5')) as Obj
    const own = update(ds, after, 'kubectl-set', created)
    expect(own['kubectl-set'].paths).toEqual([`${AWS_NODE}.env[name="WARM_ENI_TARGET"].value`])
    expect(own['kubectl-client-side-apply'].paths).not.toContain(
      `${AWS_NODE}.env[name="WARM_ENI_TARGET"].value`
    )
    expect(own['kubectl-client-side-apply'].paths).toContain(
      `${AWS_NODE}.env[name="WARM_ENI_TARGET"].name`
    )
    expect(own['kubectl-client-side-apply'].time).toBe(T0)

    const added = strategicMergePatch(after, setEnv('NEWKEY', 'VAL')) as Obj
    const own2 = update(after, added, 'kubectl-set', own, '2026-11-27T10:09:00Z')
    expect(own2['kubectl-set'].paths).toEqual([
      `${AWS_NODE}.env[name="NEWKEY"].name`,
      `${AWS_NODE}.env[name="NEWKEY"].value`,
      `${AWS_NODE}.env[name="WARM_ENI_TARGET"].value`
    ])
  })

  it('drops vanished leaves from every manager and returns deep-equal ownership for a no-op', () => {
    const ds = awsNode()
    const created = update(undefined, ds, 'kubectl-client-side-apply', {}, T0)
    expect(isDeepStrictEqual(update(ds, ds, 'kubectl-set', created), created)).toBe(true)
    const removed = strategicMergePatch(ds, {
      spec: {
        template: {
          spec: {
            containers: [{ name: 'aws-node', env: [{ $patch: 'delete', name: 'WARM_ENI_TARGET' }] }]
          }
        }
      }
    }) as Obj
    const own = update(ds, removed, 'kubectl-set', created)
    expect(own['kubectl-set']).toBeUndefined()
    expect(own['kubectl-client-side-apply'].paths.some((p) => p.includes('WARM_ENI_TARGET'))).toBe(
      false
    )
  })

  it('tracks status conditions by type for status writers', () => {
    const crd = { metadata: { name: 'x' }, spec: { group: 'g' } }
    const established = {
      ...crd,
      status: {
        conditions: [
          { type: 'NamesAccepted', status: 'True' },
          { type: 'Established', status: 'True' }
        ]
      }
    }
    const own = update(crd, established, 'apiextensions-controller', {})
    expect(own['apiextensions-controller'].paths).toContain(
      '.status.conditions[type="Established"].status'
    )
  })
})

describe('toManagedFields / fromManagedFields', () => {
  it('renders FieldsV1 like the apiserver', () => {
    const own = update(undefined, awsNode(), 'kubectl-client-side-apply', {}, T0)
    const [entry] = toManagedFields(own) as Obj[]
    expect(entry).toMatchObject({
      manager: 'kubectl-client-side-apply',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: T0,
      fieldsType: 'FieldsV1'
    })
    const spec = ((entry.fieldsV1 as Obj)['f:spec'] as Obj)['f:template'] as Obj
    const containers = (spec['f:spec'] as Obj)['f:containers'] as Obj
    const node = containers['k:{"name":"aws-node"}'] as Obj
    expect(node['.']).toEqual({})
    expect(node['f:image']).toEqual({})
    expect((node['f:env'] as Obj)['k:{"name":"WARM_ENI_TARGET"}']).toEqual({
      '.': {},
      'f:name': {},
      'f:value': {}
    })
    expect((node['f:ports'] as Obj)['k:{"containerPort":61678,"protocol":"TCP"}']).toEqual({
      '.': {},
      'f:containerPort': {},
      'f:name': {}
    })
    // Maps and lists the creator added carry "." (it owns them as a whole); the ones a typed
    // object always has (spec, template, containers) do not.
    expect((node['f:livenessProbe'] as Obj)['f:exec']).toEqual({ '.': {}, 'f:command': {} })
    expect((node['f:env'] as Obj)['.']).toEqual({})
    expect(containers['.']).toBeUndefined()
    expect(spec['.']).toBeUndefined()
    const labels = ((entry.fieldsV1 as Obj)['f:metadata'] as Obj)['f:labels'] as Obj
    expect(labels['.']).toEqual({})
    expect(labels['f:app.kubernetes.io/version']).toEqual({})
    // LabelSelector is an atomic struct: owned as one field.
    expect((entry.fieldsV1 as Obj)['f:spec']).toMatchObject({ 'f:selector': {} })
    expect(Object.keys(node)).toEqual([...Object.keys(node)].sort())
  })

  it('round-trips, including kubectl’s CSA→SSA migration patch of managedFields', () => {
    const own = update(undefined, awsNode(), 'kubectl-client-side-apply', {}, T0)
    const managed = toManagedFields(own)
    expect(fromManagedFields(managed)).toEqual(own)
    const migrated = jsonPatch({ metadata: { managedFields: managed } }, [
      { op: 'replace', path: '/metadata/managedFields/0/manager', value: 'kubectl' },
      { op: 'replace', path: '/metadata/managedFields/0/operation', value: 'Apply' }
    ]) as { metadata: { managedFields: unknown[] } }
    const back = fromManagedFields(migrated.metadata.managedFields)
    expect(back.kubectl).toEqual({ ...own['kubectl-client-side-apply'], operation: 'Apply' })
    expect(fromManagedFields('junk')).toEqual({})
  })
})

describe('field paths', () => {
  it.each([
    '.spec.template.spec.containers[name="aws-node"].env[name="WARM_ENI_TARGET"].value',
    '.spec.template.spec.containers[name="aws-node"].ports[containerPort=61678,protocol="TCP"].name',
    '.metadata.annotations.kubectl.kubernetes.io/last-applied-configuration',
    '.spec.template.metadata.labels.app.kubernetes.io/name',
    '.spec.versions[name="a,b]\\"c"].served',
    '.status.conditions[type="Established"].status'
  ])('parses and prints %s unchanged', (path) => {
    expect(formatPath(parsePath(path))).toBe(path)
  })

  it('splits list-map keys into typed values', () => {
    expect(parsePath('.ports[containerPort=80,protocol="UDP"]')).toEqual([
      { field: 'ports' },
      { key: { containerPort: 80, protocol: 'UDP' } }
    ])
  })
})

describe('toManagedFields ordering', () => {
  it('sorts entries like the apiserver: Apply before Update, then by time and manager', () => {
    const own: Ownership = {
      'kubectl-set': { operation: 'Update', apiVersion: 'apps/v1', paths: ['.spec.a'], time: T1 },
      'kubectl-client-side-apply': {
        operation: 'Update',
        apiVersion: 'apps/v1',
        paths: ['.spec.b'],
        time: T0
      },
      gha: { operation: 'Apply', apiVersion: 'apps/v1', paths: ['.spec.c'], time: T1 }
    }
    expect((toManagedFields(own) as Obj[]).map((e) => e.manager)).toEqual([
      'gha',
      'kubectl-client-side-apply',
      'kubectl-set'
    ])
  })
})
