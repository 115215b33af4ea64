/** The settings-only write model's pure builders, on plain objects and the real v1.19.6 manifest. */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { type KubernetesObject, loadAllYaml } from '@kubernetes/client-node'
import { awsNodeEnv, editAwsNode, isAwsNodeDaemonSet } from '../src/cni/aws-node.js'
import {
  appliedWholeBy,
  awsNodeSettingsObject,
  handoverObject,
  customNetworkingOn,
  decideWriteMode,
  envRemovalPatch,
  writeOrder
} from '../src/cni/partial.js'
import { VPC_CNI_FIXTURES } from '../testbed/fixtures.js'

const FIXTURES = VPC_CNI_FIXTURES

const manifestAwsNode = (): KubernetesObject =>
  (
    loadAllYaml(
      readFileSync(path.join(FIXTURES, 'aws-k8s-cni-v1.19.6.yaml'), 'utf8')
    ) as KubernetesObject[]
  ).find(isAwsNodeDaemonSet) as KubernetesObject

const withEnv = (env: Record<string, string>): KubernetesObject =>
  editAwsNode([manifestAwsNode()], { env, initEnv: {} }, undefined)[0]

describe('decideWriteMode', () => {
  it('is settings without cni-version and manifest, version with either', () => {
    expect(decideWriteMode({})).toBe('settings')
    expect(decideWriteMode({ cniVersion: 'v1.19.6' })).toBe('version')
    expect(decideWriteMode({ manifest: { path: 'cni.yaml' } })).toBe('version')
  })
})

describe('awsNodeSettingsObject', () => {
  it('holds only the managed env on aws-node and the init container, keyed by name', () => {
    const o = awsNodeSettingsObject({
      env: { ENABLE_POD_ENI: 'true', WARM_ENI_TARGET: '1' },
      initEnv: { DISABLE_TCP_EARLY_DEMUX: 'true' }
    })
    expect(o).toEqual({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'aws-node', namespace: 'kube-system' },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'aws-node',
                env: [
                  { name: 'ENABLE_POD_ENI', value: 'true' },
                  { name: 'WARM_ENI_TARGET', value: '1' }
                ]
              }
            ],
            initContainers: [
              {
                name: 'aws-vpc-cni-init',
                env: [{ name: 'DISABLE_TCP_EARLY_DEMUX', value: 'true' }]
              }
            ]
          }
        }
      }
    })
  })

  it('sends the entries live aws-node has in its order, new ones after them', () => {
    const live = withEnv({})
    const names = awsNodeEnv(live)
    const o = awsNodeSettingsObject(
      { env: { NEW_ONE: 'x', WARM_PREFIX_TARGET: '2', WARM_ENI_TARGET: '1' }, initEnv: {} },
      live
    ) as { spec: { template: { spec: { containers: { env: { name: string }[] }[] } } } }
    const sent = o.spec.template.spec.containers[0].env.map((e) => e.name)
    const order = Object.keys(names.env)
    expect(order.indexOf('WARM_ENI_TARGET')).toBeLessThan(order.indexOf('WARM_PREFIX_TARGET'))
    expect(sent).toEqual(['WARM_ENI_TARGET', 'WARM_PREFIX_TARGET', 'NEW_ONE'])
  })

  it('names no init container when there is no init env to set', () => {
    const o = awsNodeSettingsObject({ env: { A: '1' }, initEnv: {} }) as {
      spec: { template: { spec: Record<string, unknown> } }
    }
    expect(Object.keys(o.spec.template.spec)).toEqual(['containers'])
  })
})

describe('envRemovalPatch', () => {
  it('tests each entry by name and removes from the last index down', () => {
    const ds = manifestAwsNode()
    const env = awsNodeEnv(ds).env
    expect(env.WARM_PREFIX_TARGET).toBe('1')
    expect(env.WARM_ENI_TARGET).toBe('1')
    const { ops, removed } = envRemovalPatch(ds, {
      unset: ['WARM_ENI_TARGET', 'WARM_PREFIX_TARGET', 'NOT_THERE'],
      initUnset: ['DISABLE_TCP_EARLY_DEMUX']
    })
    expect(removed.map((r) => `${r.container} ${r.name}`).sort()).toEqual([
      'aws-node WARM_ENI_TARGET',
      'aws-node WARM_PREFIX_TARGET',
      'aws-vpc-cni-init DISABLE_TCP_EARLY_DEMUX'
    ])
    expect(ops).toHaveLength(6)
    for (let i = 0; i < ops.length; i += 2) {
      expect(ops[i].op).toBe('test')
      expect(ops[i + 1]).toEqual({ op: 'remove', path: ops[i].path.replace(/\/name$/, '') })
    }
    const mainIndices = ops
      .filter((o) => o.op === 'remove' && o.path.includes('/containers/'))
      .map((o) => Number(o.path.split('/').pop()))
    expect(mainIndices).toEqual([...mainIndices].sort((a, b) => b - a))
  })

  it('is empty when nothing to remove is there', () => {
    expect(envRemovalPatch(manifestAwsNode(), { unset: ['NOT_THERE'] }).ops).toEqual([])
    expect(envRemovalPatch(manifestAwsNode(), {}).ops).toEqual([])
  })
})

describe('writeOrder', () => {
  const off = withEnv({ AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'false' })
  const on = withEnv({
    AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true',
    ENI_CONFIG_LABEL_DEF: 'topology.kubernetes.io/zone'
  })

  it('holds aws-node back until the ENIConfigs exist when it turns custom networking on', () => {
    expect(customNetworkingOn(off)).toBe(false)
    expect(customNetworkingOn(on)).toBe(true)
    expect(
      writeOrder({ eniConfigCrdEstablished: true, liveAwsNode: off, desiredAwsNode: on })
    ).toEqual({ eniConfigsAfterCrds: false, awsNodeAfterEniConfigs: true })
    expect(
      writeOrder({ eniConfigCrdEstablished: true, liveAwsNode: undefined, desiredAwsNode: on })
        .awsNodeAfterEniConfigs
    ).toBe(true)
  })

  it('also when the label definition changes while on', () => {
    const byZoneId = withEnv({
      AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true',
      ENI_CONFIG_LABEL_DEF: 'topology.k8s.aws/zone-id'
    })
    expect(
      writeOrder({ eniConfigCrdEstablished: true, liveAwsNode: on, desiredAwsNode: byZoneId })
        .awsNodeAfterEniConfigs
    ).toBe(true)
  })

  it('lets writes go together when custom networking stays as it is or turns off', () => {
    expect(
      writeOrder({ eniConfigCrdEstablished: true, liveAwsNode: on, desiredAwsNode: on })
    ).toEqual({
      eniConfigsAfterCrds: false,
      awsNodeAfterEniConfigs: false
    })
    expect(
      writeOrder({ eniConfigCrdEstablished: true, liveAwsNode: on, desiredAwsNode: off })
        .awsNodeAfterEniConfigs
    ).toBe(false)
  })

  it('holds the ENIConfigs back until a CRD that is not Established is', () => {
    expect(
      writeOrder({ eniConfigCrdEstablished: false, liveAwsNode: on, desiredAwsNode: on })
        .eniConfigsAfterCrds
    ).toBe(true)
  })
})

describe('appliedWholeBy and handoverObject', () => {
  const withManagers = (entries: { manager: string; operation: string; fieldsV1: unknown }[]) => {
    const ds = manifestAwsNode()
    ds.metadata = { ...ds.metadata, managedFields: entries as never }
    return ds
  }
  const image = {
    'f:spec': {
      'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"aws-node"}': { 'f:image': {} } } } }
    }
  }
  const env = {
    'f:spec': {
      'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"aws-node"}': { 'f:env': {} } } } }
    }
  }

  it('is true only when the manager applied a container image', () => {
    const m = 'eks-cni-custom-networking'
    expect(
      appliedWholeBy(withManagers([{ manager: m, operation: 'Apply', fieldsV1: image }]), m)
    ).toBe(true)
    expect(
      appliedWholeBy(withManagers([{ manager: m, operation: 'Apply', fieldsV1: env }]), m)
    ).toBe(false)
    expect(
      appliedWholeBy(withManagers([{ manager: 'eks', operation: 'Apply', fieldsV1: image }]), m)
    ).toBe(false)
    expect(
      appliedWholeBy(withManagers([{ manager: m, operation: 'Update', fieldsV1: image }]), m)
    ).toBe(false)
    expect(appliedWholeBy(undefined, m)).toBe(false)
  })

  it('carries the live spec, labels and annotations, and no status or server metadata', () => {
    const ds = manifestAwsNode()
    ds.metadata = { ...ds.metadata, resourceVersion: '7', annotations: { a: 'b' } }
    const o = handoverObject(ds) as {
      metadata: Record<string, unknown>
      spec: unknown
      status?: unknown
    }
    expect(o.metadata).toEqual({
      name: 'aws-node',
      namespace: 'kube-system',
      labels: ds.metadata?.labels,
      annotations: { a: 'b' }
    })
    expect(o.spec).toBe((ds as { spec?: unknown }).spec)
    expect(o.status).toBeUndefined()
  })
})
