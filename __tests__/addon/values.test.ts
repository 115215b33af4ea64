import type { EniConfigObject } from '../../src/cni/eniconfig.js'
import {
  type AddonSettings,
  desiredValues,
  diffValues,
  parseConfigurationValues,
  sameValues,
  serializeValues
} from '../../src/addon/values.js'

const settings: AddonSettings = {
  env: {
    ENABLE_POD_ENI: 'true',
    AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true',
    ENI_CONFIG_LABEL_DEF: 'topology.kubernetes.io/zone',
    WARM_ENI_TARGET: '1',
    WARM_IP_TARGET: '1',
    MINIMUM_IP_TARGET: '30',
    WARM_PREFIX_TARGET: '1',
    ENABLE_PREFIX_DELEGATION: 'true',
    AWS_VPC_K8S_CNI_EXTERNALSNAT: 'true'
  },
  initEnv: { DISABLE_TCP_EARLY_DEMUX: 'true' }
}
const eni = (name: string, subnet: string, sgs: string[]): EniConfigObject => ({
  apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
  kind: 'ENIConfig',
  metadata: { name },
  spec: { subnet, ...(sgs.length ? { securityGroups: sgs } : {}) }
})
const configs = {
  region: 'ap-northeast-2',
  configs: [
    eni('ap-northeast-2a', 'subnet-0aaa1111bbbb22223', ['sg-0123456789abcdef0']),
    eni('ap-northeast-2c', 'subnet-0ccc3333dddd44445', ['sg-0123456789abcdef0'])
  ]
}

describe('parseConfigurationValues', () => {
  it('reads JSON, YAML and nothing', () => {
    expect(parseConfigurationValues('{"env":{"A":"1"}}')).toEqual({ env: { A: '1' } })
    expect(parseConfigurationValues('env:\n  A: "1"\nenableNetworkPolicy: "true"\n')).toEqual({
      env: { A: '1' },
      enableNetworkPolicy: 'true'
    })
    expect(parseConfigurationValues(undefined)).toEqual({})
    expect(parseConfigurationValues('  ')).toEqual({})
  })

  it('refuses text that is not an object', () => {
    expect(() => parseConfigurationValues('- a\n- b')).toThrow('are a list, not an object')
    expect(() => parseConfigurationValues('env: [unclosed')).toThrow('neither JSON nor YAML')
  })
})

describe('desiredValues', () => {
  it('merges the nine settings, init.env and eniConfig into empty values', () => {
    const { values, applyEniConfigsDirectly } = desiredValues({}, settings, configs, true)
    expect(applyEniConfigsDirectly).toBe(false)
    expect(values).toEqual({
      env: settings.env,
      init: { env: { DISABLE_TCP_EARLY_DEMUX: 'true' } },
      eniConfig: {
        create: true,
        region: 'ap-northeast-2',
        subnets: {
          'ap-northeast-2a': {
            id: 'subnet-0aaa1111bbbb22223',
            securityGroups: ['sg-0123456789abcdef0']
          },
          'ap-northeast-2c': {
            id: 'subnet-0ccc3333dddd44445',
            securityGroups: ['sg-0123456789abcdef0']
          }
        }
      }
    })
  })

  it('keeps keys the user set by other means and leaves the current object untouched', () => {
    const current = parseConfigurationValues(
      'enableNetworkPolicy: "true"\nenv:\n  AWS_VPC_K8S_CNI_LOGLEVEL: INFO\n  WARM_IP_TARGET: "5"\n' +
        'init:\n  env:\n    ENABLE_V6_EGRESS: "false"\n' +
        'eniConfig:\n  create: true\n  region: ap-northeast-2\n  subnets:\n    ap-northeast-2b: {id: subnet-0bbb}\n' +
        '    ap-northeast-2a: {id: subnet-0old, securityGroups: [sg-old]}\n'
    )
    const copy = structuredClone(current)
    const { values } = desiredValues(current, settings, configs, true)
    expect(current).toEqual(copy)
    expect(values.enableNetworkPolicy).toBe('true')
    expect(values.env).toEqual({ ...settings.env, AWS_VPC_K8S_CNI_LOGLEVEL: 'INFO' })
    expect(values.init).toEqual({
      env: { ENABLE_V6_EGRESS: 'false', DISABLE_TCP_EARLY_DEMUX: 'true' }
    })
    expect((values.eniConfig as { subnets: unknown }).subnets).toEqual({
      'ap-northeast-2b': { id: 'subnet-0bbb' },
      'ap-northeast-2a': {
        id: 'subnet-0aaa1111bbbb22223',
        securityGroups: ['sg-0123456789abcdef0']
      },
      'ap-northeast-2c': {
        id: 'subnet-0ccc3333dddd44445',
        securityGroups: ['sg-0123456789abcdef0']
      }
    })
  })

  it("removes keys whose input is '' and adds no empty sections", () => {
    const current = { env: { WARM_IP_TARGET: '1', MINIMUM_IP_TARGET: '30', X: 'y' } }
    const { values } = desiredValues(
      current,
      {
        env: {},
        initEnv: {},
        unset: ['WARM_IP_TARGET', 'MINIMUM_IP_TARGET'],
        initUnset: ['DISABLE_TCP_EARLY_DEMUX']
      },
      undefined,
      true
    )
    expect(values).toEqual({ env: { X: 'y' } })
  })

  it('leaves the ENIConfigs to a direct apply where the schema has no eniConfig', () => {
    const { values, applyEniConfigsDirectly } = desiredValues({}, settings, configs, false)
    expect(applyEniConfigsDirectly).toBe(true)
    expect(values.eniConfig).toBeUndefined()
  })

  it('keys subnets by zone ID when the ENIConfigs are named by zone ID', () => {
    const byId = { region: 'us-east-1', configs: [eni('use1-az1', 'subnet-0aaa1111bbbb22223', [])] }
    const { values } = desiredValues({}, settings, byId, true)
    expect(values.eniConfig).toEqual({
      create: true,
      region: 'us-east-1',
      subnets: { 'use1-az1': { id: 'subnet-0aaa1111bbbb22223' } }
    })
  })
})

describe('sameValues, diffValues and serializeValues', () => {
  it('compares meaning, not spelling: a rerun is a no-op', () => {
    const first = desiredValues({}, settings, configs, true).values
    const stored = parseConfigurationValues(serializeValues(first))
    const again = desiredValues(stored, settings, configs, true).values
    expect(sameValues(stored, again)).toBe(true)
    expect(diffValues(stored, again)).toEqual([])
    expect(
      sameValues(parseConfigurationValues('env:\n  A: "1"\n  B: "2"'), { env: { B: '2', A: '1' } })
    ).toBe(true)
    expect(sameValues({ env: { A: '1' } }, { env: { A: 1 } })).toBe(false)
    expect(sameValues({ a: [1, 2] }, { a: [2, 1] })).toBe(false)
  })

  it('lists changes key by key, sorted', () => {
    const before = { env: { WARM_IP_TARGET: '5', GONE: 'x' }, tolerations: [] }
    const after = desiredValues(
      before,
      {
        env: { WARM_IP_TARGET: '1' },
        initEnv: { DISABLE_TCP_EARLY_DEMUX: 'true' },
        unset: ['GONE']
      },
      { region: 'r', configs: [eni('a', 'subnet-1', ['sg-1'])] },
      true
    ).values
    expect(diffValues(before, after)).toEqual([
      { key: 'eniConfig.create', after: 'true' },
      { key: 'eniConfig.region', after: 'r' },
      { key: 'eniConfig.subnets.a.id', after: 'subnet-1' },
      { key: 'eniConfig.subnets.a.securityGroups', after: '["sg-1"]' },
      { key: 'env.GONE', before: 'x' },
      { key: 'env.WARM_IP_TARGET', before: '5', after: '1' },
      { key: 'init.env.DISABLE_TCP_EARLY_DEMUX', after: 'true' }
    ])
  })
})
