import { ORIGIN_INIT_ENV, ORIGIN_NODE_ENV } from '../testbed/origin.js'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import {
  loadAllYaml,
  type KubernetesObject,
  type V1ConfigMap,
  type V1DaemonSet
} from '@kubernetes/client-node'
import { editAwsNode, isAwsNodeDaemonSet, type CniSettings } from '../src/cni/aws-node.js'
import { buildEniConfigs } from '../src/cni/eniconfig.js'
import { ecrRegistryForRegion } from '../src/cni/registry.js'
import { planChanged, planChanges, planMarkdown, type ObjectPlan } from '../src/plan.js'
import { VPC_CNI_FIXTURES } from '../testbed/fixtures.js'

const FIXTURES = VPC_CNI_FIXTURES

/** The origin script's settings. */
const ORIGIN: CniSettings = { env: { ...ORIGIN_NODE_ENV }, initEnv: { ...ORIGIN_INIT_ENV } }
const REGISTRY = ecrRegistryForRegion('ap-northeast-2')
const DS = 'DaemonSet kube-system/aws-node'

const manifest = (): KubernetesObject[] =>
  loadAllYaml(
    readFileSync(path.join(FIXTURES, 'aws-k8s-cni-v1.19.6.yaml'), 'utf8')
  ) as KubernetesObject[]

/** Deep copies that stay client-node model instances. */
function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => clone(item)) as T
  if (value instanceof Date) return new Date(value.getTime()) as T
  if (value !== null && typeof value === 'object') {
    const copy = Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>
    for (const [key, item] of Object.entries(value)) copy[key] = clone(item)
    return copy as T
  }
  return value
}

/**
 * What the API server returns for applied objects: model instances with server fields, Date
 * timestamps, defaults inside containers, and fields other managers own.
 */
function asServed(objects: KubernetesObject[]): KubernetesObject[] {
  return clone(objects).map((o, i) => {
    o.metadata = {
      ...o.metadata,
      resourceVersion: String(1000 + i),
      uid: `uid-${i}`,
      generation: 3,
      creationTimestamp: new Date('2026-01-01T00:00:00Z'),
      annotations: { ...o.metadata?.annotations, 'deprecated.daemonset.template.generation': '3' }
    }
    if (isAwsNodeDaemonSet(o)) {
      o.status = {
        currentNumberScheduled: 3,
        desiredNumberScheduled: 3,
        numberMisscheduled: 0,
        numberReady: 3
      }
      const spec = o.spec?.template?.spec
      for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
        c.terminationMessagePath = '/dev/termination-log'
        c.terminationMessagePolicy = 'File'
      }
      if (spec) spec.schedulerName = 'default-scheduler'
      // Another manager's env var: the apply does not set it, so it is no change.
      spec?.containers.find((c) => c.name === 'aws-node')?.env?.push({ name: 'EXTRA', value: 'x' })
    }
    return o
  })
}

/** The live manifest as an EKS cluster runs it: add-on image tags and the manifest's default env. */
function liveCluster(): KubernetesObject[] {
  const live = asServed(editAwsNode(manifest(), { env: {}, initEnv: {} }, REGISTRY))
  const ds = live.find(isAwsNodeDaemonSet) as V1DaemonSet
  const spec = ds.spec?.template?.spec
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    c.image = `${c.image}-eksbuild.1`
  }
  return live
}

const zones = [
  { zone: 'ap-northeast-2a', zoneId: 'apne2-az1', subnetId: 'subnet-aaa' },
  { zone: 'ap-northeast-2b', zoneId: 'apne2-az2', subnetId: 'subnet-bbb' },
  { zone: 'ap-northeast-2c', zoneId: 'apne2-az3', subnetId: 'subnet-ccc' }
]

function pairs(live: KubernetesObject[], desired: KubernetesObject[]) {
  const key = (o: KubernetesObject) => `${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`
  return desired.map((d) => ({ live: live.find((l) => key(l) === key(d)), desired: d }))
}

const byObject = (plans: ObjectPlan[], object: string) => {
  const plan = plans.find((p) => p.object === object)
  if (!plan) throw new Error(`no plan for ${object}`)
  return plan
}

describe('planChanges on the v1.19.6 manifest', () => {
  const desired = [
    ...editAwsNode(manifest(), ORIGIN, REGISTRY),
    ...buildEniConfigs(zones, ['sg-1'], 'topology.kubernetes.io/zone')
  ]
  const liveEniConfigs = asServed([
    ...buildEniConfigs(zones.slice(0, 1), ['sg-1'], 'topology.kubernetes.io/zone'),
    ...buildEniConfigs(
      [{ ...zones[1], subnetId: 'subnet-old' }],
      ['sg-1', 'sg-2'],
      'topology.kubernetes.io/zone'
    )
  ])
  const plans = planChanges(pairs([...liveCluster(), ...liveEniConfigs], desired))

  it("lists aws-node's env, init env and images, field by field", () => {
    const ds = byObject(plans, DS)
    expect(ds.action).toBe('update')
    const row = (field: string) => ds.changes.find((c) => c.field === field)
    expect(ds.changes.map((c) => [c.field, c.before, c.after])).toEqual([
      ['env AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG', 'false', 'true'],
      ['env AWS_VPC_K8S_CNI_EXTERNALSNAT', 'false', 'true'],
      ['env ENABLE_POD_ENI', 'false', 'true'],
      ['env ENABLE_PREFIX_DELEGATION', 'false', 'true'],
      ['env ENI_CONFIG_LABEL_DEF', undefined, 'topology.kubernetes.io/zone'],
      ['env WARM_IP_TARGET', undefined, '1'],
      ['env MINIMUM_IP_TARGET', undefined, '30'],
      ['init env DISABLE_TCP_EARLY_DEMUX', 'false', 'true'],
      [
        'image aws-vpc-cni-init',
        `${REGISTRY}/amazon-k8s-cni-init:v1.19.6-eksbuild.1`,
        `${REGISTRY}/amazon-k8s-cni-init:v1.19.6`
      ],
      [
        'image aws-node',
        `${REGISTRY}/amazon-k8s-cni:v1.19.6-eksbuild.1`,
        `${REGISTRY}/amazon-k8s-cni:v1.19.6`
      ],
      [
        'image aws-eks-nodeagent',
        `${REGISTRY}/amazon/aws-network-policy-agent:v1.2.2-eksbuild.1`,
        `${REGISTRY}/amazon/aws-network-policy-agent:v1.2.2`
      ]
    ])
    // WARM_PREFIX_TARGET is "1" in the manifest already.
    expect(row('env WARM_PREFIX_TARGET')).toBeUndefined()
  })

  it('counts no server-added field, Date or other manager’s env var as a change', () => {
    for (const p of plans.filter(
      (p) => !p.object.startsWith('DaemonSet') && !p.object.startsWith('ENIConfig')
    )) {
      expect(p).toEqual({ object: p.object, action: 'unchanged', changes: [] })
    }
    expect(plans.map((p) => p.object)).toEqual(
      expect.arrayContaining([
        'CustomResourceDefinition eniconfigs.crd.k8s.amazonaws.com',
        'ServiceAccount kube-system/aws-node',
        'ConfigMap kube-system/amazon-vpc-cni',
        'ClusterRole aws-node'
      ])
    )
  })

  it('says per ENIConfig whether it is created, updated or unchanged, by subnet and security groups', () => {
    expect(byObject(plans, 'ENIConfig ap-northeast-2a')).toEqual({
      object: 'ENIConfig ap-northeast-2a',
      action: 'unchanged',
      changes: []
    })
    expect(byObject(plans, 'ENIConfig ap-northeast-2b')).toEqual({
      object: 'ENIConfig ap-northeast-2b',
      action: 'update',
      changes: [
        {
          object: 'ENIConfig ap-northeast-2b',
          field: 'subnet',
          before: 'subnet-old',
          after: 'subnet-bbb'
        },
        {
          object: 'ENIConfig ap-northeast-2b',
          field: 'securityGroups',
          before: 'sg-1, sg-2',
          after: 'sg-1'
        }
      ]
    })
    expect(byObject(plans, 'ENIConfig ap-northeast-2c')).toEqual({
      object: 'ENIConfig ap-northeast-2c',
      action: 'create',
      changes: [
        {
          object: 'ENIConfig ap-northeast-2c',
          field: 'subnet',
          before: undefined,
          after: 'subnet-ccc'
        },
        {
          object: 'ENIConfig ap-northeast-2c',
          field: 'securityGroups',
          before: undefined,
          after: 'sg-1'
        }
      ]
    })
    expect(planChanged(plans)).toBe(true)
  })

  it('reports nothing once the cluster holds what a run applies', () => {
    const again = planChanges(pairs(asServed(desired), desired))
    expect(again.every((p) => p.action === 'unchanged' && p.changes.length === 0)).toBe(true)
    expect(planChanged(again)).toBe(false)
    expect(planMarkdown(again)).toContain(`Nothing would change: all ${desired.length} objects`)
  })

  it('finds a change in any other applied field, by path', () => {
    const live = asServed(desired)
    const cm = live.find((o) => o.kind === 'ConfigMap') as V1ConfigMap
    cm.data = { ...cm.data, 'enable-network-policy-controller': 'true' }
    const plan = byObject(planChanges(pairs(live, desired)), 'ConfigMap kube-system/amazon-vpc-cni')
    expect(plan).toEqual({
      object: 'ConfigMap kube-system/amazon-vpc-cni',
      action: 'update',
      changes: [
        {
          object: 'ConfigMap kube-system/amazon-vpc-cni',
          field: 'data.enable-network-policy-controller',
          before: 'true',
          after: 'false'
        }
      ]
    })
  })

  it('finds DaemonSet changes outside env and images, matching containers by name', () => {
    const live = asServed(desired)
    const ds = live.find(isAwsNodeDaemonSet) as V1DaemonSet
    const node = ds.spec?.template?.spec?.containers.find((c) => c.name === 'aws-node')
    if (!node?.resources?.requests) throw new Error('fixture has no aws-node requests')
    node.resources.requests = { cpu: '50m' }
    ds.spec?.template?.spec?.containers.reverse()
    const plan = byObject(planChanges(pairs(live, desired)), DS)
    expect(plan.changes).toEqual([
      {
        object: DS,
        field: 'spec.template.spec.containers[aws-node].resources.requests.cpu',
        before: '50m',
        after: '25m'
      }
    ])
  })

  it('plans a create for every object of an empty cluster', () => {
    const fresh = planChanges(desired.map((d) => ({ live: undefined, desired: d })))
    expect(fresh.every((p) => p.action === 'create')).toBe(true)
    expect(byObject(fresh, DS).changes.find((c) => c.field === 'env WARM_IP_TARGET')).toEqual({
      object: DS,
      field: 'env WARM_IP_TARGET',
      before: undefined,
      after: '1'
    })
  })
})

describe('planMarkdown', () => {
  const plans: ObjectPlan[] = [
    {
      object: DS,
      action: 'update',
      changes: [
        { object: DS, field: 'env WARM_IP_TARGET', before: undefined, after: '1' },
        { object: DS, field: 'env ADDITIONAL_ENI_TAGS', before: '{}', after: '{"a|b":"c"}' }
      ]
    },
    { object: 'ENIConfig us-east-1a', action: 'create', changes: [] },
    { object: 'ServiceAccount kube-system/aws-node', action: 'unchanged', changes: [] }
  ]
  const md = planMarkdown(plans)

  it('has one row per object and a before → after table per changed object', () => {
    expect(md).toContain('A real run would change 2 of 3 objects.')
    expect(md).toContain('| `DaemonSet kube-system/aws-node` | update | 2 |')
    expect(md).toContain('| `ServiceAccount kube-system/aws-node` | unchanged | 0 |')
    expect(md).toContain('#### DaemonSet kube-system/aws-node (update)')
    expect(md).toContain('| env WARM_IP_TARGET | — | `1` |')
  })

  it('keeps table cells intact', () => {
    expect(md).toContain('| env ADDITIONAL_ENI_TAGS | `{}` | `{"a\\|b":"c"}` |')
  })
})

describe('planChanged', () => {
  it('is false for an empty plan and for unchanged objects only', () => {
    expect(planChanged([])).toBe(false)
    expect(planChanged([{ object: 'x', action: 'unchanged', changes: [] }])).toBe(false)
    expect(planChanged([{ object: 'x', action: 'create', changes: [] }])).toBe(true)
  })
})
