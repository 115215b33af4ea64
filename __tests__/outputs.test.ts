import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import * as core from '../__fixtures__/core.js'
import { Outputs } from '../src/constants.js'

jest.unstable_mockModule('@actions/core', () => core)
const { setOutputs } = await import('../src/outputs.js')

const result = {
  eniConfigs: [
    {
      name: 'us-east-1a',
      zone: 'us-east-1a',
      zoneId: 'use1-az1',
      subnet: 'subnet-0a',
      securityGroups: ['sg-01']
    }
  ],
  eniConfigLabelDef: 'topology.kubernetes.io/zone',
  cniVersion: 'v1.19.6',
  changed: false,
  kubectlPath: '/opt/kubectl',
  clusterSecurityGroupId: 'sg-01',
  kubernetesVersion: '1.31',
  maxPods: { 'm5.large': 110 },
  nodesToRecycle: [{ name: 'ip-10-0-1-4', zone: 'us-east-1a', instanceId: 'i-0abc' }]
}

beforeEach(() => {
  jest.clearAllMocks()
})

describe('setOutputs', () => {
  it('sets every output once, kubeconfig only when exported', () => {
    setOutputs(result)
    const names = core.setOutput.mock.calls.map(([name]) => name)
    expect(names.sort()).toEqual(
      Object.values(Outputs)
        .filter((o) => o !== Outputs.Kubeconfig)
        .sort()
    )
    expect(core.setOutput).toHaveBeenCalledWith(Outputs.Changed, 'false')
    expect(
      JSON.parse(core.setOutput.mock.calls.find(([n]) => n === Outputs.EniConfigs)?.[1] as string)
    ).toEqual(result.eniConfigs)
    jest.clearAllMocks()
    setOutputs({ ...result, kubeconfig: '/tmp/k.yaml' })
    expect(core.setOutput).toHaveBeenCalledWith(Outputs.Kubeconfig, '/tmp/k.yaml')
  })
})
