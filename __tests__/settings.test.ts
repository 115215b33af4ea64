import { Inputs } from '../src/constants.js'
import { AWS_NODE_SETTINGS, RESERVED_ENV, settingInput } from '../src/settings.js'

describe('the aws-node settings table', () => {
  it('lists each input and each variable of a container once', () => {
    const inputs = AWS_NODE_SETTINGS.map((s) => s.input)
    const vars = AWS_NODE_SETTINGS.map((s) => `${s.container}/${s.env}`)
    expect(new Set(inputs).size).toBe(inputs.length)
    expect(new Set(vars).size).toBe(vars.length)
  })

  it('names the input that sets a variable on its own container only', () => {
    expect(settingInput('WARM_IP_TARGET')).toBe(Inputs.WarmIpTarget)
    expect(settingInput('WARM_ENI_TARGET')).toBe(Inputs.WarmEniTarget)
    expect(settingInput('DISABLE_TCP_EARLY_DEMUX')).toBeUndefined()
    expect(settingInput('DISABLE_TCP_EARLY_DEMUX', 'aws-vpc-cni-init')).toBe(
      Inputs.DisableTcpEarlyDemux
    )
    expect(settingInput('AWS_VPC_K8S_CNI_LOGLEVEL')).toBeUndefined()
  })

  it('reserves the variables that select ENIConfigs for their inputs', () => {
    expect(RESERVED_ENV).toEqual({
      ENI_CONFIG_LABEL_DEF: Inputs.EniConfigLabelDef,
      ENI_CONFIG_ANNOTATION_DEF: Inputs.EniConfigLabelDef,
      AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: Inputs.CustomNetworkCfg
    })
  })
})
