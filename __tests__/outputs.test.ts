import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import * as core from '../__fixtures__/core.js'
import { Outputs } from '../src/constants.js'
import { RESULT } from './fixtures/action-result.js'

jest.unstable_mockModule('@actions/core', () => core)
const { setOutputs, setPartialOutputs } = await import('../src/outputs.js')

const result = RESULT

beforeEach(() => {
  jest.clearAllMocks()
})

describe('setOutputs', () => {
  it('sets every output once, with its text, kubeconfig only when exported', () => {
    setOutputs(result)
    const names = core.setOutput.mock.calls.map(([name]) => name)
    expect(names.sort()).toEqual(
      Object.values(Outputs)
        .filter((o) => o !== Outputs.Kubeconfig)
        .sort()
    )
    expect(Object.fromEntries(core.setOutput.mock.calls)).toEqual({
      [Outputs.EniConfigs]: JSON.stringify(result.eniConfigs),
      [Outputs.EniConfigLabelDef]: 'topology.kubernetes.io/zone',
      [Outputs.CniVersion]: 'v1.19.6',
      [Outputs.Changed]: 'false',
      [Outputs.KubectlPath]: '/opt/kubectl',
      [Outputs.ClusterSecurityGroupId]: 'sg-01',
      [Outputs.KubernetesVersion]: '1.31',
      [Outputs.MaxPods]: '{"m5.large":110}',
      [Outputs.NodesToRecycle]: JSON.stringify(result.nodesToRecycle),
      [Outputs.PodSubnetCapacity]: '[]',
      [Outputs.Mode]: 'self-managed',
      [Outputs.AddonVersion]: ''
    })
    jest.clearAllMocks()
    setOutputs({
      ...result,
      kubeconfig: '/tmp/k.yaml',
      mode: 'addon',
      addonVersion: 'v1.19.6-eksbuild.1'
    })
    expect(core.setOutput).toHaveBeenCalledWith(Outputs.Kubeconfig, '/tmp/k.yaml')
    expect(core.setOutput).toHaveBeenCalledWith(Outputs.Mode, 'addon')
    expect(core.setOutput).toHaveBeenCalledWith(Outputs.AddonVersion, 'v1.19.6-eksbuild.1')
  })
})

describe('a run that failed after its first write', () => {
  it('sets only the outputs it knows', () => {
    setPartialOutputs({ ...result, changed: true })
    const set = Object.fromEntries(core.setOutput.mock.calls.map(([k, v]) => [k, v]))
    expect(set).toEqual({
      [Outputs.EniConfigs]: JSON.stringify(result.eniConfigs),
      [Outputs.EniConfigLabelDef]: 'topology.kubernetes.io/zone',
      [Outputs.Changed]: 'true',
      [Outputs.ClusterSecurityGroupId]: 'sg-01',
      [Outputs.KubernetesVersion]: '1.31',
      [Outputs.NodesToRecycle]: JSON.stringify(result.nodesToRecycle)
    })
  })
})
