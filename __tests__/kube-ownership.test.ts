import { describe, expect, it } from '@jest/globals'
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js'
import type { KubernetesObject } from '@kubernetes/client-node'
import {
  formatPath,
  managedEntries,
  ownedLeaves,
  ownersOf,
  ownsPath
} from '../src/kube/managed-fields.js'
import {
  addonError,
  analyzeOwnership,
  changedFields,
  describeField,
  envPath,
  installerOf
} from '../src/kube/ownership.js'
import { managedAwsNode, partialAwsNode } from './fixtures/aws-node-managed.js'

const k8s = (o: unknown) => o as KubernetesObject

describe('managedFields (FieldsV1)', () => {
  const ds = managedAwsNode({
    installer: ['helm', 'Update'],
    edits: [{ manager: 'kubectl-set', time: '2026-11-20T10:00:00Z', env: { WARM_IP_TARGET: '5' } }],
    status: true
  })

  it('reads every entry with its manager, operation, time and subresource', () => {
    expect(managedEntries(ds).map((e) => [e.manager, e.operation, e.time, e.subresource])).toEqual([
      ['helm', 'Update', '2026-11-01T08:00:00Z', ''],
      ['kubectl-set', 'Update', '2026-11-20T10:00:00Z', ''],
      ['kube-controller-manager', 'Update', '2026-11-01T08:00:00Z', 'status']
    ])
  })

  it('finds the owner of an env entry by its merge key, and skips status entries', () => {
    const entries = managedEntries(ds)
    const owners = (name: string) =>
      ownersOf(entries, [...envPath('aws-node', name), { field: 'value' }]).map((e) => e.manager)
    expect(owners('WARM_IP_TARGET')).toEqual(['kubectl-set'])
    expect(owners('WARM_ENI_TARGET')).toEqual(['helm'])
    expect(owners('NOT_THERE')).toEqual([])
    expect(ownersOf(entries, [{ field: 'status' }, { field: 'numberReady' }])).toEqual([])
  })

  it('matches multi-field keys (ports) and leaves above the path (atomic args)', () => {
    const [helm] = managedEntries(ds)
    const container = (name: string) => [...envPath(name, '').slice(0, 5)]
    expect(
      ownsPath(helm, [
        ...container('aws-node'),
        { field: 'ports' },
        { key: { protocol: 'TCP', containerPort: 61678 } },
        { field: 'name' }
      ])
    ).toBe(true)
    expect(
      ownsPath(helm, [...container('aws-eks-nodeagent'), { field: 'args' }, { index: 0 }])
    ).toBe(true)
    expect(ownsPath(helm, [...container('aws-node'), { field: 'resources' }])).toBe(false)
  })

  it('lists leaves and formats paths the way EKS quotes them', () => {
    const [, set] = managedEntries(ds)
    expect(ownedLeaves(set).map(formatPath)).toEqual([
      '.spec.template.spec.containers[name="aws-node"].env[name="WARM_IP_TARGET"].name',
      '.spec.template.spec.containers[name="aws-node"].env[name="WARM_IP_TARGET"].value'
    ])
  })

  it('reads client-node models, whose times are Dates', () => {
    const model = ObjectSerializer.deserialize(ds, 'V1DaemonSet') as {
      metadata: { managedFields: { time: unknown }[] }
    }
    expect(model.metadata.managedFields[0].time).toBeInstanceOf(Date)
    expect(managedEntries(model)[1].time).toBe('2026-11-20T10:00:00.000Z')
    expect(ownersOf(managedEntries(model), envPath('aws-node', 'WARM_IP_TARGET'))).toHaveLength(1)
  })

  it('ignores malformed entries and keys', () => {
    const odd = {
      metadata: {
        managedFields: [{ operation: 'Update' }, { manager: 'x', fieldsV1: { 'k:{bad': {} } }]
      }
    }
    const entries = managedEntries(odd)
    expect(entries.map((e) => e.manager)).toEqual(['x'])
    expect(ownedLeaves(entries[0])).toEqual([])
    expect(managedEntries({})).toEqual([])
  })
})

describe('changedFields', () => {
  const live = managedAwsNode({ installer: ['helm', 'Update'] })

  it('lists only the env values that differ, and new entries whole', () => {
    const desired = partialAwsNode(
      { AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true', WARM_ENI_TARGET: '1', MINIMUM_IP_TARGET: '30' },
      { DISABLE_TCP_EARLY_DEMUX: 'true' }
    )
    expect(
      changedFields(live, desired).map((c) => [describeField(c.path), c.before, c.after])
    ).toEqual([
      ['init env DISABLE_TCP_EARLY_DEMUX', 'false', 'true'],
      ['env AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG', 'false', 'true'],
      ['env MINIMUM_IP_TARGET', undefined, { name: 'MINIMUM_IP_TARGET', value: '30' }]
    ])
  })

  it('compares atomic lists whole and skips identity and status', () => {
    const desired = structuredClone(live)
    desired.spec.template.spec.containers[1].args = [
      '--enable-network-policy=false',
      '--enable-cloudwatch-logs=false'
    ]
    desired.status = { numberReady: 0 }
    desired.metadata.resourceVersion = '1'
    expect(changedFields(live, desired).map((c) => formatPath(c.path))).toEqual([
      '.spec.template.spec.containers[name="aws-eks-nodeagent"].args'
    ])
  })

  it('defaults the port protocol to TCP, as the API server does', () => {
    const desired = structuredClone(live) as {
      spec: { template: { spec: { containers: { ports?: unknown[] }[] } } }
    }
    desired.spec.template.spec.containers[0].ports = [{ containerPort: 61678, name: 'metrics' }]
    expect(changedFields(live, desired)).toEqual([])
  })

  it('lists everything for an object that does not exist yet', () => {
    expect(changedFields(undefined, partialAwsNode({ A: '1' }))).toHaveLength(1)
  })
})

describe('analyzeOwnership', () => {
  it('a field of the EKS add-on (manager eks) that would change stops the run', () => {
    const live = managedAwsNode({ installer: ['eks', 'Apply'] })
    const report = analyzeOwnership([
      {
        live: k8s(live),
        desired: k8s(
          partialAwsNode({ AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true', WARM_ENI_TARGET: '1' })
        )
      }
    ])
    expect(report.installer).toBe('eks')
    expect(report.addon).toEqual([
      {
        object: 'DaemonSet kube-system/aws-node',
        manager: 'eks',
        installer: true,
        fields: ['env AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG']
      }
    ])
    const error = addonError(report)
    expect(error?.message).toMatch(/EKS managed add-on: field manager 'eks' owns 1 field/)
    expect(error?.message).toContain(
      'DaemonSet kube-system/aws-node: env AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG'
    )
    expect(error?.message).toContain('Nothing was changed')
    expect(addonError(report, { name: 'prod', region: 'us-east-1' })?.message).toContain(
      'aws eks update-addon --cluster-name prod --region us-east-1 --addon-name vpc-cni'
    )
  })

  it('an add-on field that keeps its value, or a new env entry, is no conflict', () => {
    const live = managedAwsNode({ installer: ['eks', 'Apply'] })
    const report = analyzeOwnership([
      {
        live: k8s(live),
        desired: k8s(partialAwsNode({ WARM_ENI_TARGET: '1', MINIMUM_IP_TARGET: '30' }))
      }
    ])
    expect(report.addon).toEqual([])
    expect(report.takeovers).toEqual([])
    expect(addonError(report)).toBeUndefined()
  })

  it('reads the installer from the images, and tells it apart from a later editor', () => {
    const live = managedAwsNode({
      installer: ['helm', 'Update'],
      edits: [
        {
          manager: 'kubectl-set',
          time: '2026-11-20T10:00:00Z',
          env: { ENABLE_PREFIX_DELEGATION: 'true' }
        }
      ]
    })
    const report = analyzeOwnership([
      {
        live: k8s(live),
        desired: k8s(
          partialAwsNode({
            ENABLE_PREFIX_DELEGATION: 'false',
            AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true'
          })
        )
      }
    ])
    expect(report.installer).toBe('helm')
    expect(report.addon).toEqual([])
    expect(report.takeovers).toEqual([
      {
        object: 'DaemonSet kube-system/aws-node',
        manager: 'kubectl-set',
        installer: false,
        fields: ['env ENABLE_PREFIX_DELEGATION']
      },
      {
        object: 'DaemonSet kube-system/aws-node',
        manager: 'helm',
        installer: true,
        fields: ['env AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG']
      }
    ])
  })

  it("never counts the action's own manager", () => {
    const live = managedAwsNode({
      installer: ['helm', 'Update'],
      edits: [
        {
          manager: 'eks-cni-custom-networking',
          time: '2026-11-20T10:00:00Z',
          env: { WARM_IP_TARGET: '1' }
        }
      ]
    })
    const report = analyzeOwnership([
      { live: k8s(live), desired: k8s(partialAwsNode({ WARM_IP_TARGET: '2' })) }
    ])
    expect(report.takeovers).toEqual([])
  })

  it('counts removals (an input set to empty) owned by another manager', () => {
    const live = managedAwsNode({
      installer: ['helm', 'Update'],
      edits: [
        {
          manager: 'kubectl-client-side-apply',
          time: '2026-11-20T10:00:00Z',
          env: { WARM_IP_TARGET: '1' }
        }
      ]
    })
    const report = analyzeOwnership([
      {
        live: k8s(live),
        desired: k8s(partialAwsNode({ WARM_ENI_TARGET: '1' })),
        removals: [envPath('aws-node', 'WARM_IP_TARGET')]
      }
    ])
    expect(report.takeovers).toEqual([
      {
        object: 'DaemonSet kube-system/aws-node',
        manager: 'kubectl-client-side-apply',
        installer: false,
        fields: ['env WARM_IP_TARGET']
      }
    ])
  })

  it('in version mode counts every field of the manifest: images and nodeagent args', () => {
    const live = managedAwsNode({ installer: ['helm', 'Update'] })
    const desired = structuredClone(live)
    desired.spec.template.spec.containers[0].image =
      '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.20.5'
    desired.spec.template.spec.containers[1].args = ['--enable-network-policy=false']
    const report = analyzeOwnership([{ live: k8s(live), desired: k8s(desired) }])
    expect(report.takeovers).toEqual([
      {
        object: 'DaemonSet kube-system/aws-node',
        manager: 'helm',
        installer: true,
        fields: ['image aws-node', '.spec.template.spec.containers[name="aws-eks-nodeagent"].args']
      }
    ])
  })

  it('on model instances from the API, as the action reads them', () => {
    const live = ObjectSerializer.deserialize(
      managedAwsNode({ installer: ['eks', 'Apply'] }),
      'V1DaemonSet'
    )
    const report = analyzeOwnership([
      { live: k8s(live), desired: k8s(partialAwsNode({ ENABLE_PREFIX_DELEGATION: 'true' })) }
    ])
    expect(report.addon.map((t) => t.fields)).toEqual([['env ENABLE_PREFIX_DELEGATION']])
    expect(installerOf(live)).toBe('eks')
  })

  it('objects that do not exist yet have no owner', () => {
    expect(
      analyzeOwnership([{ live: undefined, desired: k8s(partialAwsNode({ A: '1' })) }])
    ).toEqual({
      addon: [],
      takeovers: []
    })
  })
})
