import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import * as core from '../__fixtures__/core.js'
import { Outputs } from '../src/constants.js'
import { RESULT } from './fixtures/action-result.js'

jest.unstable_mockModule('@actions/core', () => core)
const { setOutputs, setPartialOutputs } = await import('../src/outputs.js')
const { writePartialSummary } = await import('../src/summary.js')

const result = RESULT

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

  it('lists each object with what happened to it, HTML-escaped, and the error', async () => {
    process.env.GITHUB_STEP_SUMMARY = '/dev/null'
    await writePartialSummary({
      clusterName: 'demo<x>',
      region: 'us-east-1',
      rows: [
        { key: 'ENIConfig/us-east-1a', outcome: 'created' },
        { key: 'ENIConfig/us-east-1b', outcome: 'failed' },
        { key: 'DaemonSet/kube-system/aws-node', outcome: 'not reached' }
      ],
      removed: ['aws-node WARM_IP_TARGET'],
      message: 'boom\nA rerun with the same inputs completes the change'
    })
    delete process.env.GITHUB_STEP_SUMMARY
    const text = core.summary.text
    expect(text).toContain('demo&lt;x&gt; (failed)')
    expect(text).toContain('["<code>ENIConfig/us-east-1a</code>","created"]')
    expect(text).toContain('["<code>ENIConfig/us-east-1b</code>","sent, no answer"]')
    expect(text).toContain('["<code>DaemonSet/kube-system/aws-node</code>","not reached"]')
    expect(text).toContain('<code>aws-node WARM_IP_TARGET</code>')
    expect(text).toContain('A rerun with the same inputs completes the change')
    expect(core.summary.write).toHaveBeenCalled()
  })
})
