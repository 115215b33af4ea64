import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import * as core from '../__fixtures__/core.js'
import type { RunFacts } from '../src/run-facts.js'
import type { AppliedObject } from '../src/kube/apply.js'
import { managedAwsNode, partialAwsNode } from './fixtures/aws-node-managed.js'

jest.unstable_mockModule('@actions/core', () => core)
const { checkOwnership, checkSettings } = await import('../src/checks.js')
const { buildReport, dryRunPlan } = await import('../src/run-report.js')

const ORIGIN_ENV = {
  ENABLE_POD_ENI: 'true',
  AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true',
  ENI_CONFIG_LABEL_DEF: 'topology.kubernetes.io/zone',
  WARM_IP_TARGET: '1',
  MINIMUM_IP_TARGET: '30',
  WARM_PREFIX_TARGET: '1',
  ENABLE_PREFIX_DELEGATION: 'true'
}

function daemonSet(env: Record<string, string>, image = 'r/amazon-k8s-cni:v1.19.6') {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'aws-node', namespace: 'kube-system' },
    spec: {
      template: {
        spec: {
          initContainers: [
            {
              name: 'aws-vpc-cni-init',
              image: 'r/amazon-k8s-cni-init:v1.19.6',
              env: [{ name: 'DISABLE_TCP_EARLY_DEMUX', value: 'true' }]
            }
          ],
          containers: [
            {
              name: 'aws-node',
              image,
              env: Object.entries(env).map(([name, value]) => ({ name, value }))
            }
          ]
        }
      }
    }
  }
}

const node = (name: string, zone: string) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name,
    creationTimestamp: new Date('2026-01-01T00:00:00Z'),
    labels: {
      'topology.kubernetes.io/zone': zone,
      'topology.k8s.aws/zone-id': `id-${zone}`,
      'eks.amazonaws.com/nodegroup': 'system'
    }
  },
  spec: { providerID: `aws:///${zone}/i-0123456789abcdef0` }
})

const ENI_A = {
  apiVersion: 'crd.k8s.amazonaws.com/v1alpha1' as const,
  kind: 'ENIConfig' as const,
  metadata: { name: 'us-east-1a' },
  spec: { subnet: 'subnet-0a', securityGroups: ['sg-01'] }
}

function facts(env: Record<string, string>, more: Partial<RunFacts> = {}): RunFacts {
  const ds = daemonSet(env)
  return {
    inputs: {
      clusterName: 'demo',
      region: 'us-east-1',
      eniConfigLabelDef: 'topology.kubernetes.io/zone',
      settings: { env, initEnv: {} },
      failOnWarnings: false
    } as unknown as RunFacts['inputs'],
    cluster: { clusterSecurityGroupId: 'sg-01', version: '1.31' } as RunFacts['cluster'],
    live: {
      versions: new Map(),
      objects: new Map([
        ['DaemonSet/kube-system/aws-node', daemonSet({ ENABLE_POD_ENI: 'false' })]
      ]),
      awsNode: daemonSet({ ENABLE_POD_ENI: 'false' }) as RunFacts['live']['awsNode'],
      eniConfigs: [],
      nodes: [node('n-1', 'us-east-1a'), node('n-2', 'us-east-1b')]
    },
    manifest: { objects: [ds], images: [], cniVersion: 'v1.19.6' },
    instanceTypes: [
      { instanceType: 'm5.large', hypervisor: 'nitro', vcpus: 2, maxEnis: 3, ipv4PerEni: 10 }
    ],
    eniConfigs: {
      objects: [ENI_A],
      outputs: [
        {
          name: 'us-east-1a',
          zone: 'us-east-1a',
          zoneId: 'id-us-east-1a',
          subnet: 'subnet-0a',
          securityGroups: ['sg-01']
        }
      ]
    },
    ...more
  }
}

const outcome = (applied: Partial<AppliedObject>[] = []) => ({
  applied: applied as AppliedObject[],
  rollout: 'rolled out',
  changeTime: new Date('2026-06-01T00:00:00Z'),
  kubectlPath: '',
  findings: []
})

beforeEach(() => {
  jest.clearAllMocks()
})

describe('checkSettings', () => {
  it('warns with a title and link for each finding of the applied settings', () => {
    const findings = checkSettings(facts(ORIGIN_ENV))
    const rules = findings.map((f) => f.rule)
    expect(rules).toContain('ip-targets-override-prefix-target')
    // Node n-2 is in us-east-1b, which has no ENIConfig.
    expect(rules).toContain('zone-without-eniconfig')
    expect(core.warning).toHaveBeenCalledWith(
      expect.stringContaining('https://docs.aws.amazon.com/eks/latest/userguide/'),
      { title: 'No ENIConfig for zone us-east-1b' }
    )
    // The origin's WARM_IP_TARGET with prefix delegation is valid: a notice, not an annotation.
    expect(findings.find((f) => f.rule === 'ip-targets-override-prefix-target')?.severity).toBe(
      'notice'
    )
    expect(core.warning).toHaveBeenCalledTimes(1)
  })

  it('is silent on a clean configuration', () => {
    const env = { ...ORIGIN_ENV, WARM_IP_TARGET: '', MINIMUM_IP_TARGET: '' }
    const f = facts(env, { live: { ...facts(env).live, nodes: [node('n-1', 'us-east-1a')] } })
    expect(checkSettings(f)).toEqual([])
    expect(core.warning).not.toHaveBeenCalled()
  })

  it('throws with fail-on-warnings, naming each finding', () => {
    const f = facts(ORIGIN_ENV)
    const strict = { ...f, inputs: { ...f.inputs, failOnWarnings: true } }
    expect(() => checkSettings(strict)).toThrow(
      /fail-on-warnings is true and the settings linter found 1 problem\(s\); nothing was changed/
    )
  })
})

describe('buildReport', () => {
  it('computes max-pods from the applied settings and lists the old nodes after a change', () => {
    const { result, summary, annotations } = buildReport(
      facts(ORIGIN_ENV),
      outcome([
        {
          key: 'DaemonSet/kube-system/aws-node',
          change: 'configured',
          object: daemonSet(ORIGIN_ENV)
        }
      ])
    )
    expect(result.changed).toBe(true)
    expect(result.maxPods).toEqual({ 'm5.large': 110 })
    expect(result.nodesToRecycle.map((n) => n.name)).toEqual(['n-1', 'n-2'])
    expect(result.nodesToRecycle[0]).toEqual({
      name: 'n-1',
      zone: 'us-east-1a',
      instanceId: 'i-0123456789abcdef0',
      nodegroup: 'system'
    })
    // Returned for the pipeline to emit: building the report annotates nothing itself.
    expect(annotations).toEqual([
      {
        level: 'notice',
        title: 'Nodes to replace',
        message: expect.stringContaining('2 node(s) started before the last change')
      }
    ])
    expect(core.notice).not.toHaveBeenCalled()
    expect(summary.sections.join('\n')).toContain('### Max pods per node')
    expect(summary.sections.join('\n')).toContain('### Nodes to replace')
    expect(summary.changes).toEqual([
      { key: 'DaemonSet/kube-system/aws-node', change: 'configured' }
    ])
    // Field by field, from the live object to the server's answer.
    const fields = summary.sections.find((x) => x.startsWith('### Fields changed')) ?? ''
    expect(fields).toContain('This run changed 1 of 1 objects')
    expect(fields).toContain('| `env AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG` | — | `true` |')
  })

  it('reports no nodes and the standard figure when nothing changed and custom networking is off', () => {
    const env = {
      ...ORIGIN_ENV,
      AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'false',
      ENABLE_PREFIX_DELEGATION: 'false'
    }
    const { result, annotations } = buildReport(
      facts(env),
      outcome([{ key: 'x', change: 'unchanged', object: daemonSet(env) }])
    )
    expect(result.changed).toBe(false)
    expect(annotations).toEqual([])
    expect(result.nodesToRecycle).toEqual([])
    expect(result.maxPods).toEqual({ 'm5.large': 29 })
    expect(core.warning).not.toHaveBeenCalled()
  })

  it('escapes linter findings in the summary', () => {
    const finding = {
      rule: 'r',
      title: 'Title <img src=x>',
      message: 'node [a](http://evil) has **x** | y',
      link: 'https://github.com/aws/amazon-vpc-cni-k8s#x'
    }
    const { summary } = buildReport(facts(ORIGIN_ENV), { ...outcome(), findings: [finding] })
    const md = summary.sections.find((x) => x.startsWith('### Settings check')) ?? ''
    expect(md).toContain(
      '- **Title &lt;img src=x&gt;**: node \\[a\\](http://evil) has \\*\\*x\\*\\* \\| y'
    )
    expect(md).toContain('([docs](<https://github.com/aws/amazon-vpc-cni-k8s#x>))')
  })

  it('in a dry run, decides changed from the plan and shows it', () => {
    const f = facts(ORIGIN_ENV)
    const plans = dryRunPlan(f, [
      {
        key: 'DaemonSet/kube-system/aws-node',
        change: 'unchanged',
        object: daemonSet(ORIGIN_ENV)
      },
      { key: 'ENIConfig/us-east-1a', change: 'created', object: ENI_A }
    ] as unknown as AppliedObject[])
    expect(plans.map((p) => [p.object, p.action])).toEqual([
      ['DaemonSet kube-system/aws-node', 'update'],
      ['ENIConfig us-east-1a', 'create']
    ])
    const { result, summary } = buildReport(f, { ...outcome(), plans })
    expect(result.changed).toBe(true)
    expect(summary.dryRun).toBe(true)
    expect(summary.changes).toEqual([])
    expect(summary.sections[0]).toMatch(/\| `env ENABLE_POD_ENI` \| `false` \| `true` \|/)
  })
})

describe('checkOwnership', () => {
  const withLive = (live: unknown, desiredEnv: Record<string, string>): RunFacts => {
    const f = facts(ORIGIN_ENV)
    return {
      ...f,
      live: { ...f.live, objects: new Map([['DaemonSet/kube-system/aws-node', live as never]]) },
      manifest: { ...f.manifest, objects: [partialAwsNode(desiredEnv) as never] },
      eniConfigs: { objects: [], outputs: [] }
    }
  }

  it('warns only about a manager that did not install the CNI, and reports both', () => {
    const live = managedAwsNode({
      installer: ['helm', 'Update'],
      edits: [{ manager: 'argocd', time: '2026-11-20T10:00:00Z', env: { WARM_IP_TARGET: '5' } }]
    })
    const report = checkOwnership(
      withLive(live, { WARM_IP_TARGET: '1', AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true' }),
      false
    )
    expect(report.takeovers.map((t) => [t.manager, t.installer])).toEqual([
      ['argocd', false],
      ['helm', true]
    ])
    expect(core.warning).toHaveBeenCalledTimes(1)
    expect(core.warning).toHaveBeenCalledWith(
      expect.stringContaining("env WARM_IP_TARGET over from field manager 'argocd'"),
      { title: 'Fields set by another tool' }
    )
    const { summary } = buildReport(withLive(live, {}), { ...outcome(), ownership: report })
    expect(summary.sections.join('\n')).toContain('### Field owners')
  })

  it('words the warning as what a real run would do when the run is a dry run', () => {
    const live = managedAwsNode({
      installer: ['helm', 'Update'],
      edits: [{ manager: 'argocd', time: '2026-11-20T10:00:00Z', env: { WARM_IP_TARGET: '5' } }]
    })
    checkOwnership(withLive(live, { WARM_IP_TARGET: '1' }), true)
    expect(core.warning).toHaveBeenCalledWith(expect.stringContaining('a real run would take'), {
      title: 'Fields set by another tool'
    })
  })

  it('throws before any write when manager eks owns a field that would change', () => {
    const live = managedAwsNode({ installer: ['eks', 'Apply'] })
    expect(() =>
      checkOwnership(withLive(live, { AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true' }), false)
    ).toThrow(/EKS managed add-on/)
    expect(core.warning).not.toHaveBeenCalled()
  })
})
