import { describe, expect, it } from '@jest/globals'
import { nodeGroupReport, type NodeGroupFacts } from '../../src/report/node-groups.js'

const ORIGIN_ENV = {
  ENABLE_POD_ENI: 'true',
  AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true',
  ENABLE_PREFIX_DELEGATION: 'true',
  WARM_IP_TARGET: '1',
  MINIMUM_IP_TARGET: '30',
  WARM_PREFIX_TARGET: '1'
}

/** One address in every /28 of 100.64.0.0/19 but the first `free` after the AWS-reserved one. */
function scatteredIps(free: number): string[] {
  const ips: string[] = []
  for (let b = 1 + free; b < 511; b++) ips.push(`100.64.${Math.floor(b / 16)}.${(b % 16) * 16 + 5}`)
  return ips
}

const facts = (over: Partial<NodeGroupFacts> = {}): NodeGroupFacts => ({
  env: ORIGIN_ENV,
  zones: [
    {
      zone: 'ap-northeast-2a',
      zoneId: 'apne2-az1',
      subnetId: 'subnet-a',
      cidr: '100.64.0.0/19',
      availableIps: 7677
    },
    {
      zone: 'ap-northeast-2b',
      zoneId: 'apne2-az2',
      subnetId: 'subnet-b',
      cidr: '100.64.32.0/19',
      availableIps: 8187
    }
  ],
  usage: {
    ok: true,
    value: [
      { subnetId: 'subnet-a', usedIps: scatteredIps(3), usedPrefixes: [], reservations: [] },
      { subnetId: 'subnet-b', usedIps: [], usedPrefixes: [], reservations: [] }
    ]
  },
  clusterRole: {
    ok: true,
    value: {
      roleArn: 'arn:aws:iam::123456789012:role/eks-cluster-role',
      roleName: 'eks-cluster-role',
      partition: 'aws',
      policyArns: ['arn:aws:iam::aws:policy/AmazonEKSVPCResourceController']
    }
  },
  maxPods: [],
  instanceTypes: [],
  expectedNodes: { all: 3, byZone: {} },
  nodeZones: [],
  region: 'ap-northeast-2',
  ...over
})

describe('nodeGroupReport', () => {
  it('flags the fragmented zone only, with the reservation of the free blocks left', () => {
    const r = nodeGroupReport(facts())
    expect(r.rows.map((x) => [x.zone, x.freeBlocks, x.verdict])).toEqual([
      ['ap-northeast-2a', 3, 'fragmented'],
      ['ap-northeast-2b', 510, 'ok']
    ])
    expect(r.rows[0].suggestedReservation).toBe('100.64.0.32/27')
    expect(r.findings).toHaveLength(1)
    expect(r.findings[0].message).toContain('--subnet-id subnet-a --cidr 100.64.0.32/27')
    expect(r.notices).toEqual([])
  })

  it('turns refused reads into notices, not findings', () => {
    const r = nodeGroupReport(
      facts({
        usage: {
          ok: false,
          denied: true,
          permission: 'ec2:DescribeNetworkInterfaces',
          message: 'x'
        },
        clusterRole: {
          ok: false,
          denied: true,
          permission: 'iam:ListAttachedRolePolicies',
          message: 'x'
        }
      })
    )
    expect(r.rows).toEqual([])
    expect(r.findings).toEqual([])
    expect(r.notices).toHaveLength(2)
  })

  it('rejects an expected-nodes zone without a pod subnet, naming the input', () => {
    expect(() =>
      nodeGroupReport(facts({ expectedNodes: { byZone: { 'ap-northeast-2d': 3 } } }))
    ).toThrow(
      "Input 'expected-nodes' names ap-northeast-2d, where no pod subnet is; the pod subnets are in " +
        'ap-northeast-2a (apne2-az1), ap-northeast-2b (apne2-az2)'
    )
    expect(
      nodeGroupReport(facts({ expectedNodes: { byZone: { 'apne2-az2': 3 } } })).rows[1].nodes
    ).toBe(3)
  })
})
