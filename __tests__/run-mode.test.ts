/**
 * The run plan the inputs decide before any request (dry run, write mode, kubectl), and the one
 * mode decision DescribeCluster, DescribeAddon and the live aws-node make before any write.
 */
import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import * as core from '../__fixtures__/core.js'
import type { ActionInputs } from '../src/inputs.js'
import type { LiveState } from '../src/kube/live.js'

jest.unstable_mockModule('@actions/core', () => core)
const { decideRunMode, planRun } = await import('../src/run-mode.js')

const inputs = (more: object = {}) =>
  ({
    clusterName: 'demo',
    region: 'us-east-1',
    subnets: [{ subnetId: 'subnet-a' }],
    mode: 'auto',
    takeOverAddonFields: false,
    dryRun: false,
    installKubectl: true,
    ...more
  }) as unknown as ActionInputs

const awsNode = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'aws-node', namespace: 'kube-system', resourceVersion: '1', managedFields: [] },
  spec: {
    template: {
      spec: { containers: [{ name: 'aws-node', image: 'r/amazon-k8s-cni:v1.19.6-eksbuild.1' }] }
    }
  }
}

const live = (ds: object | undefined): LiveState => ({
  versions: new Map(),
  objects: new Map(),
  awsNode: ds as LiveState['awsNode'],
  eniConfigs: [],
  nodes: []
})

const kind = (addonPresent: boolean) =>
  ({
    cluster: {},
    reading: {
      cluster: {},
      kind: { name: 'demo', status: 'ACTIVE', autoMode: false, ipFamily: 'ipv4' },
      addon: addonPresent
        ? { present: true, status: 'ACTIVE', version: 'v1.19.6-eksbuild.1', issues: [] }
        : { present: false }
    }
  }) as unknown as Parameters<typeof decideRunMode>[0]

beforeEach(() => {
  jest.clearAllMocks()
})

describe('planRun', () => {
  it('settings only and kubectl installed by default', () => {
    expect(planRun(inputs())).toEqual({
      dryRun: false,
      writeMode: 'settings',
      installKubectl: true
    })
  })

  it('a version change when cni-version or manifest is set', () => {
    expect(planRun(inputs({ cniVersion: 'v1.19.6' })).writeMode).toBe('version')
    expect(planRun(inputs({ manifest: { path: 'cni.yaml' } })).writeMode).toBe('version')
  })

  it('a dry run installs no kubectl, whatever install-kubectl says', () => {
    expect(planRun(inputs({ dryRun: true }))).toEqual({
      dryRun: true,
      writeMode: 'settings',
      installKubectl: false
    })
    expect(planRun(inputs({ installKubectl: false })).installKubectl).toBe(false)
  })
})

describe('decideRunMode', () => {
  it('goes to the add-on path when DescribeAddon finds vpc-cni, and logs the mode', () => {
    const i = inputs()
    expect(decideRunMode(kind(true), live(awsNode), i, planRun(i)).kind).toBe('ADDON')
    expect(core.info).toHaveBeenCalledWith(expect.stringMatching(/^Mode: addon/))
  })

  it('self-managed settings or version, as the run plan says, when there is no add-on', () => {
    const settings = inputs()
    expect(decideRunMode(kind(false), live(awsNode), settings, planRun(settings)).kind).toBe(
      'SETTINGS'
    )
    const version = inputs({ cniVersion: 'v1.19.6' })
    expect(decideRunMode(kind(false), live(awsNode), version, planRun(version)).kind).toBe(
      'VERSION'
    )
  })

  it('throws the refusal: no CNI, and self-managed forced on an add-on', () => {
    const i = inputs()
    expect(() => decideRunMode(kind(false), live(undefined), i, planRun(i))).toThrow(
      /has no VPC CNI/
    )
    const forced = inputs({ mode: 'self-managed' })
    expect(() => decideRunMode(kind(true), live(awsNode), forced, planRun(forced))).toThrow(
      /take-over-addon-fields: true/
    )
  })
})
