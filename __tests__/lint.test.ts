import { ORIGIN_NODE_ENV } from '../testbed/origin.js'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { loadAllYaml, type KubernetesObject } from '@kubernetes/client-node'
import { awsNodeEnv, editAwsNode, isAwsNodeDaemonSet } from '../src/cni/aws-node.js'
import { lintSettings, type LintContext } from '../src/lint.js'
import { VPC_CNI_FIXTURES } from '../testbed/fixtures.js'

const FIXTURES = VPC_CNI_FIXTURES

/** A clean configuration: custom networking by zone, prefix delegation with WARM_PREFIX_TARGET only. */
const CLEAN: LintContext = {
  env: {
    AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true',
    ENI_CONFIG_LABEL_DEF: 'topology.kubernetes.io/zone',
    ENABLE_PREFIX_DELEGATION: 'true',
    WARM_PREFIX_TARGET: '1',
    WARM_ENI_TARGET: '1',
    ENABLE_POD_ENI: 'true',
    AWS_VPC_K8S_CNI_EXTERNALSNAT: 'true',
    AWS_VPC_ENI_MTU: '9001',
    AWS_VPC_K8S_CNI_RANDOMIZESNAT: 'prng',
    AWS_VPC_K8S_CNI_LOGLEVEL: 'DEBUG',
    AWS_VPC_K8S_CNI_LOG_FILE: '/host/var/log/aws-routed-eni/ipamd.log'
  },
  initEnv: { DISABLE_TCP_EARLY_DEMUX: 'true', ENABLE_IPv6: 'false' },
  nodes: [
    { name: 'ip-10-0-1-1', zone: 'ap-northeast-2a', zoneId: 'apne2-az1' },
    { name: 'ip-10-0-2-1', zone: 'ap-northeast-2b', zoneId: 'apne2-az2' }
  ],
  eniConfigNames: ['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c'],
  labelDef: 'topology.kubernetes.io/zone',
  instanceTypes: [
    { instanceType: 'm5.large', hypervisor: 'nitro' },
    { instanceType: 'm5.metal', hypervisor: '' }
  ]
}

/** The origin script's settings, as the action applies them by default. */
const ORIGIN_ENV = {
  ...CLEAN.env,
  WARM_IP_TARGET: '1',
  MINIMUM_IP_TARGET: '30'
}

const without = (env: Record<string, string>, ...names: string[]) =>
  Object.fromEntries(Object.entries(env).filter(([k]) => !names.includes(k)))
const lint = (patch: Partial<LintContext>) => lintSettings({ ...CLEAN, ...patch })
const rules = (patch: Partial<LintContext>) => lint(patch).map((f) => f.rule)

const manyNodes = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    name: `node-${i}`,
    zone: 'ap-northeast-2a',
    zoneId: 'apne2-az1'
  }))

describe('lintSettings', () => {
  it('is silent on a clean configuration', () => {
    expect(lintSettings(CLEAN)).toEqual([])
  })

  it("fires on the origin's defaults: WARM_IP_TARGET and MINIMUM_IP_TARGET override WARM_PREFIX_TARGET", () => {
    const findings = lint({ env: ORIGIN_ENV })
    expect(findings).toHaveLength(1)
    const [f] = findings
    expect(f.rule).toBe('ip-targets-override-prefix-target')
    expect(f.title).toBe('WARM_IP_TARGET and MINIMUM_IP_TARGET override WARM_PREFIX_TARGET')
    expect(f.message).toContain('WARM_IP_TARGET=1 and MINIMUM_IP_TARGET=30')
    expect(f.message).toContain("warm-ip-target: ''")
    expect(f.message).toContain("minimum-ip-target: ''")
    expect(f.message).toContain("warm-prefix-target: ''")
    expect(f.link).toBe('https://github.com/aws/amazon-vpc-cni-k8s#warm_prefix_target-v190')
  })

  it.each([
    ['WARM_IP_TARGET alone', { WARM_IP_TARGET: '2' }, true],
    ['MINIMUM_IP_TARGET alone', { MINIMUM_IP_TARGET: '10' }, true],
    ['a zero target, which ipamd treats as unset', { WARM_IP_TARGET: '0' }, false],
    [
      'targets without prefix delegation',
      { WARM_IP_TARGET: '2', ENABLE_PREFIX_DELEGATION: 'false' },
      false
    ],
    ['targets without WARM_PREFIX_TARGET', { WARM_IP_TARGET: '2', WARM_PREFIX_TARGET: '' }, false]
  ])('judges the WARM_* conflict for %s', (_, extra, fires) => {
    expect(
      rules({ env: { ...CLEAN.env, ...extra } }).includes('ip-targets-override-prefix-target')
    ).toBe(fires)
  })

  it('flags ENABLE_POD_ENI without DISABLE_TCP_EARLY_DEMUX=true on the init container', () => {
    for (const initEnv of [{ DISABLE_TCP_EARLY_DEMUX: 'false' }, {}] as Record<string, string>[]) {
      const findings = lint({ initEnv })
      expect(findings.map((f) => f.rule)).toEqual(['pod-eni-without-tcp-early-demux'])
      expect(findings[0].message).toContain('disable-tcp-early-demux: true')
      expect(findings[0].link).toBe(
        'https://github.com/aws/amazon-vpc-cni-k8s#disable_tcp_early_demux-v173'
      )
    }
    expect(rules({ initEnv: {}, env: { ...CLEAN.env, ENABLE_POD_ENI: 'false' } })).toEqual([])
  })

  it('flags custom networking without a label or annotation definition', () => {
    const env = without(CLEAN.env, 'ENI_CONFIG_LABEL_DEF')
    const findings = lint({ env })
    expect(findings.map((f) => f.rule)).toEqual(['custom-networking-without-label-def'])
    expect(findings[0].message).toContain('k8s.amazonaws.com/eniConfig')
    expect(findings[0].message).toContain(
      'Set ENI_CONFIG_LABEL_DEF=topology.kubernetes.io/zone (eni-config-label-def).'
    )
    expect(findings[0].link).toBe('https://github.com/aws/amazon-vpc-cni-k8s#eni_config_label_def')
    expect(rules({ env: { ...env, ENI_CONFIG_ANNOTATION_DEF: 'example.com/eni' } })).toEqual([])
    expect(rules({ env: { ...env, AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'false' } })).toEqual([])
  })

  it('flags each zone that has nodes but no ENIConfig, by zone name', () => {
    const nodes = [
      ...CLEAN.nodes,
      { name: 'ip-10-0-3-1', zone: 'ap-northeast-2d', zoneId: 'apne2-az4' },
      { name: 'ip-10-0-3-2', zone: 'ap-northeast-2d', zoneId: 'apne2-az4' }
    ]
    const findings = lint({ nodes })
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({
      rule: 'zone-without-eniconfig',
      title: 'No ENIConfig for zone ap-northeast-2d',
      link: 'https://docs.aws.amazon.com/eks/latest/userguide/cni-custom-network-tutorial.html'
    })
    expect(findings[0].message).toContain('2 node(s)')
    expect(findings[0].message).toContain('ip-10-0-3-1, ip-10-0-3-2')
  })

  it('matches nodes by zone ID when the label definition is topology.k8s.aws/zone-id', () => {
    const byId = {
      labelDef: 'topology.k8s.aws/zone-id',
      env: { ...CLEAN.env, ENI_CONFIG_LABEL_DEF: 'topology.k8s.aws/zone-id' }
    }
    expect(lint({ ...byId, eniConfigNames: ['apne2-az1', 'apne2-az2'] })).toEqual([])
    const findings = lint({ ...byId, eniConfigNames: ['apne2-az1'] })
    expect(findings.map((f) => f.title)).toEqual(['No ENIConfig for zone ID apne2-az2'])
  })

  it('does not judge zones for a label it cannot see, or without custom networking', () => {
    expect(rules({ eniConfigNames: [], labelDef: 'example.com/eni' })).toEqual([])
    const off = { ...CLEAN.env, AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'false' }
    expect(rules({ eniConfigNames: [], env: off })).toEqual([])
  })

  it('flags prefix delegation with a Xen instance type but not with Nitro or bare metal', () => {
    const instanceTypes = [
      ...(CLEAN.instanceTypes ?? []),
      { instanceType: 'm4.large', hypervisor: 'xen' }
    ]
    const findings = lint({ instanceTypes })
    expect(findings.map((f) => f.rule)).toEqual(['prefix-delegation-non-nitro'])
    expect(findings[0].message).toContain('m4.large (xen)')
    expect(findings[0].message).not.toContain('m5.large')
    expect(findings[0].link).toBe(
      'https://docs.aws.amazon.com/eks/latest/userguide/cni-increase-ip-addresses.html'
    )
    const noPd = { ...CLEAN.env, ENABLE_PREFIX_DELEGATION: 'false' }
    expect(rules({ instanceTypes, env: noPd })).toEqual([])
  })

  it('flags a WARM_IP_TARGET below 5 only on clusters of more than 50 nodes', () => {
    const env = { ...CLEAN.env, ENABLE_PREFIX_DELEGATION: 'false', WARM_IP_TARGET: '2' }
    expect(rules({ env, nodes: manyNodes(50) })).toEqual([])
    const findings = lint({ env, nodes: manyNodes(51) })
    expect(findings.map((f) => f.rule)).toEqual(['warm-ip-target-throttling'])
    expect(findings[0].title).toBe('WARM_IP_TARGET=2 on 51 nodes')
    expect(findings[0].link).toBe('https://github.com/aws/amazon-vpc-cni-k8s#warm_ip_target')
    expect(rules({ env: { ...env, WARM_IP_TARGET: '5' }, nodes: manyNodes(51) })).toEqual([])
  })

  it("reports both the WARM_* conflict and throttling for the origin's defaults on a big cluster", () => {
    expect(rules({ env: ORIGIN_ENV, nodes: manyNodes(60) })).toEqual([
      'ip-targets-override-prefix-target',
      'warm-ip-target-throttling'
    ])
  })

  it.each([
    ['WARM_IP_TARGET', 'abc', 'not an integer'],
    ['WARM_IP_TARGET', '1.5', 'not an integer'],
    ['MINIMUM_IP_TARGET', '-3', 'negative'],
    ['MINIMUM_IP_TARGET', '1000', 'above 250'],
    ['WARM_PREFIX_TARGET', '40', 'above 16'],
    ['WARM_ENI_TARGET', '-1', 'below 0'],
    ['AWS_VPC_ENI_MTU', '100', 'below 576'],
    ['AWS_VPC_ENI_MTU', '9216', 'above 9001'],
    ['AWS_VPC_K8S_CNI_EXTERNALSNAT', 'yes', "'true' or 'false'"],
    ['ENABLE_POD_ENI', 'True', "'true' or 'false'"],
    ['AWS_VPC_K8S_CNI_RANDOMIZESNAT', 'random', 'hashrandom, prng, none']
  ])('flags %s=%s as out of range', (name, value, reason) => {
    const findings = lint({ env: { ...CLEAN.env, [name]: value } }).filter(
      (f) => f.rule === 'value-out-of-range'
    )
    expect(findings).toHaveLength(1)
    expect(findings[0].title).toBe(`${name}=${value} is out of range`)
    expect(findings[0].message).toContain(reason)
    expect(findings[0].message).toContain('container aws-node')
    expect(findings[0].link).toMatch(/^https:\/\/github\.com\/aws\/amazon-vpc-cni-k8s#/)
  })

  it('checks the init container booleans too, and accepts log levels in any case', () => {
    const findings = lint({ initEnv: { DISABLE_TCP_EARLY_DEMUX: 'true', ENABLE_IPv6: 'no' } })
    expect(findings.map((f) => f.message)).toEqual([
      expect.stringContaining('ENABLE_IPv6="no" on container aws-vpc-cni-init')
    ])
    expect(rules({ env: { ...CLEAN.env, AWS_VPC_K8S_CNI_LOGLEVEL: 'info' } })).toEqual([])
  })

  it('treats an empty value as unset rather than out of range', () => {
    expect(rules({ env: { ...CLEAN.env, WARM_IP_TARGET: '', MINIMUM_IP_TARGET: '' } })).toEqual([])
  })

  it('gives every finding a title, a reason and an https link', () => {
    const findings = lint({
      env: { ...ORIGIN_ENV, ENI_CONFIG_LABEL_DEF: '', WARM_PREFIX_TARGET: 'x' },
      initEnv: {},
      instanceTypes: [{ instanceType: 't2.large', hypervisor: 'xen' }],
      nodes: manyNodes(51)
    })
    expect(findings.length).toBeGreaterThanOrEqual(5)
    for (const f of findings) {
      expect(f.title.length).toBeGreaterThan(0)
      expect(f.message.length).toBeGreaterThan(40)
      expect(f.link).toMatch(/^https:\/\//)
    }
  })

  it.each(['aws-k8s-cni-v1.11.2.yaml', 'aws-k8s-cni-v1.19.6.yaml', 'aws-k8s-cni-v1.23.0.yaml'])(
    "reads the real %s: only the WARM_* conflict with the origin's settings, nothing once it is resolved",
    (file) => {
      const objects = loadAllYaml(
        readFileSync(path.join(FIXTURES, file), 'utf8')
      ) as KubernetesObject[]
      const effective = (env: Record<string, string>) => {
        const edited = editAwsNode(objects, { env, initEnv: CLEAN.initEnv }, undefined)
        const ds = edited.find(isAwsNodeDaemonSet)
        if (!ds) throw new Error('no aws-node')
        return awsNodeEnv(ds)
      }
      const origin = effective({ ...ORIGIN_NODE_ENV })
      expect(rules({ env: origin.env, initEnv: origin.initEnv })).toEqual([
        'ip-targets-override-prefix-target'
      ])
      const resolved = without(origin.env, 'WARM_IP_TARGET', 'MINIMUM_IP_TARGET')
      expect(rules({ env: resolved, initEnv: origin.initEnv })).toEqual([])
    }
  )
})
