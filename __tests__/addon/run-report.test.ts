import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import * as core from '../../__fixtures__/core.js'
import type { AddonPlan } from '../../src/addon/plan.js'
import type { RunFacts } from '../../src/run-facts.js'
import type { LiveState } from '../../src/kube/live.js'

jest.unstable_mockModule('@actions/core', () => core)
const { addonApplied, addonDryRunPlan, buildAddonReport } =
  await import('../../src/addon/run-report.js')
const { addonManifestFacts } = await import('../../src/addon/run.js')

function daemonSet(env: Record<string, string>, resourceVersion: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'aws-node', namespace: 'kube-system', resourceVersion, managedFields: [] },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'aws-node',
              image: 'r/amazon-k8s-cni:v1.19.6-eksbuild.1',
              env: Object.entries(env).map(([name, value]) => ({ name, value }))
            }
          ]
        }
      }
    }
  }
}

const eni = (name: string, resourceVersion: string) => ({
  apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
  kind: 'ENIConfig',
  metadata: { name, resourceVersion },
  spec: { subnet: `subnet-${name}` }
})

function live(awsNode: object | undefined, eniConfigs: object[] = []): LiveState {
  return {
    versions: new Map(),
    objects: new Map(),
    awsNode: awsNode as LiveState['awsNode'],
    eniConfigs: eniConfigs as LiveState['eniConfigs'],
    nodes: []
  }
}

const SETTINGS = {
  env: { AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true' },
  initEnv: {},
  unset: [],
  initUnset: []
}

const inputs = (more: object = {}) =>
  ({
    clusterName: 'demo',
    region: 'us-east-1',
    eniConfigLabelDef: 'topology.kubernetes.io/zone',
    settings: SETTINGS,
    subnets: [{ subnetId: 'subnet-a' }],
    mode: 'auto',
    takeOverAddonFields: false,
    resolveConflicts: 'OVERWRITE',
    ...more
  }) as unknown as RunFacts['inputs']

const plan = (more: Partial<AddonPlan> = {}): AddonPlan => ({
  action: 'update',
  addonVersion: 'v1.19.6-eksbuild.1',
  current: {},
  desired: { env: { AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true' } },
  changes: [{ key: 'env.AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG', after: 'true' }],
  configurationValues: '{}',
  noop: false,
  applyEniConfigsDirectly: false,
  versionReason: 'keeps the version',
  ...more
})

beforeEach(() => {
  jest.clearAllMocks()
})

describe('addonApplied', () => {
  it('marks what EKS changed by resourceVersion, and adds the ENIConfigs applied directly', () => {
    const before = live(daemonSet({}, '1'), [eni('a', '5')])
    const after = live(daemonSet({ X: '1' }, '2'), [eni('a', '5'), eni('b', '7')])
    const applied = addonApplied(before, after, [])
    expect(applied.map((a) => [a.key, a.change])).toEqual([
      ['DaemonSet/kube-system/aws-node', 'configured'],
      ['ENIConfig/a', 'unchanged'],
      ['ENIConfig/b', 'created']
    ])
  })
})

describe('buildAddonReport', () => {
  const f = (): RunFacts => {
    const l = live(daemonSet({}, '1'))
    return {
      inputs: inputs(),
      cluster: { clusterSecurityGroupId: 'sg-1', version: '1.31' } as RunFacts['cluster'],
      live: l,
      manifest: addonManifestFacts(inputs(), l, plan()),
      instanceTypes: [],
      eniConfigs: { objects: [], outputs: [] }
    }
  }
  const outcome = {
    applied: [],
    rollout: 'rolled out',
    changeTime: new Date('2026-06-01T00:00:00Z'),
    kubectlPath: '',
    findings: []
  }
  const decision = {
    kind: 'ADDON',
    addonVersion: 'v1.19.6-eksbuild.1',
    addonStatus: 'ACTIVE'
  } as const

  it('an update: changed, mode addon, the version, and the add-on section first', () => {
    const r = buildAddonReport(f(), outcome, {
      decision,
      written: { outcome: { kind: 'updated', updateId: 'u-1' }, direct: [], plan: plan() }
    })
    expect(r.result).toMatchObject({
      changed: true,
      mode: 'addon',
      addonVersion: 'v1.19.6-eksbuild.1',
      cniVersion: 'v1.19.6'
    })
    expect(r.summary.sections[0]).toMatch(/EKS add-on `vpc-cni`[\s\S]*update `u-1`/)
  })

  it('a no-op is unchanged; a dry run is changed when a real run would call EKS', () => {
    const noop = buildAddonReport(f(), outcome, {
      decision,
      written: { outcome: { kind: 'unchanged' }, direct: [], plan: plan({ noop: true }) }
    })
    expect(noop.result.changed).toBe(false)
    const written = {
      outcome: { kind: 'dry-run', wouldChange: true } as const,
      direct: [],
      plan: plan()
    }
    // The pipeline hands a dry run's plan in: aws-node before → after the settings merge.
    const plans = addonDryRunPlan(f(), written)
    expect(plans.map((p) => [p.object, p.action])).toEqual([
      ['DaemonSet kube-system/aws-node', 'update']
    ])
    const dry = buildAddonReport(f(), { ...outcome, plans }, { decision, written })
    expect(dry.result.changed).toBe(true)
    expect(dry.summary.dryRun).toBe(true)
  })
})
