import { buildEniConfigs } from '../src/cni/eniconfig.js'

const ZONES = [
  { zone: 'ap-northeast-2c', zoneId: 'apne2-az3', subnetId: 'subnet-ccc' },
  { zone: 'ap-northeast-2a', zoneId: 'apne2-az1', subnetId: 'subnet-aaa' },
  { zone: 'ap-northeast-2b', zoneId: 'apne2-az2', subnetId: 'subnet-bbb' }
]

describe('buildEniConfigs', () => {
  it('builds one ENIConfig per zone, named after the zone and sorted', () => {
    expect(buildEniConfigs(ZONES, ['sg-1', 'sg-2'], 'topology.kubernetes.io/zone')).toEqual([
      {
        apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
        kind: 'ENIConfig',
        metadata: { name: 'ap-northeast-2a' },
        spec: { subnet: 'subnet-aaa', securityGroups: ['sg-1', 'sg-2'] }
      },
      {
        apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
        kind: 'ENIConfig',
        metadata: { name: 'ap-northeast-2b' },
        spec: { subnet: 'subnet-bbb', securityGroups: ['sg-1', 'sg-2'] }
      },
      {
        apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
        kind: 'ENIConfig',
        metadata: { name: 'ap-northeast-2c' },
        spec: { subnet: 'subnet-ccc', securityGroups: ['sg-1', 'sg-2'] }
      }
    ])
  })

  it('names them by zone ID for topology.k8s.aws/zone-id', () => {
    const configs = buildEniConfigs(ZONES, ['sg-1'], 'topology.k8s.aws/zone-id')
    expect(configs.map((c) => [c.metadata.name, c.spec.subnet])).toEqual([
      ['apne2-az1', 'subnet-aaa'],
      ['apne2-az2', 'subnet-bbb'],
      ['apne2-az3', 'subnet-ccc']
    ])
  })

  it('names them by zone for any other label, such as a custom one', () => {
    const configs = buildEniConfigs(ZONES, [], 'k8s.amazonaws.com/eniConfig')
    expect(configs.map((c) => c.metadata.name)).toEqual([
      'ap-northeast-2a',
      'ap-northeast-2b',
      'ap-northeast-2c'
    ])
  })

  it('omits securityGroups when there are none', () => {
    const [config] = buildEniConfigs([ZONES[0]], [], 'topology.kubernetes.io/zone')
    expect(config.spec).toStrictEqual({ subnet: 'subnet-ccc' })
    expect('securityGroups' in config.spec).toBe(false)
  })

  it('does not share the security group array between objects or with the caller', () => {
    const groups = ['sg-1']
    const configs = buildEniConfigs(ZONES, groups, 'topology.kubernetes.io/zone')
    groups.push('sg-2')
    expect(configs[0].spec.securityGroups).toEqual(['sg-1'])
    expect(configs[0].spec.securityGroups).not.toBe(configs[1].spec.securityGroups)
  })

  it('returns nothing for no zones', () => {
    expect(buildEniConfigs([], ['sg-1'], 'topology.kubernetes.io/zone')).toEqual([])
  })
})
