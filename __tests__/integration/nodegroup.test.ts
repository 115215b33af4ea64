/**
 * Will the node groups get pod IPs? Through the harness on dist/, on one test bed whose zone-a pod
 * subnet is fragmented (20 % used, addresses in every /28 block but 3) while zones b and c are
 * roomy, and whose cluster role lacks AmazonEKSVPCResourceController.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startTestbed, type Testbed } from '../../testbed/index.js'
import { errors, kubeWrites, originInputs, runAction } from './helpers.js'

let bed: Testbed

beforeAll(async () => {
  bed = await startTestbed({
    podSubnetFill: [{ zone: 'a', usedFraction: 0.2, freeBlocks: 3 }],
    clusterRolePolicies: ['AmazonEKSClusterPolicy']
  })
}, 120_000)
afterAll(async () => bed?.stop())

type Run = Awaited<ReturnType<typeof runAction>>
const annotations = (run: Run, level: 'warning' | 'notice') =>
  run.annotations.filter((a) => a.level === level)
const capacityWarnings = (run: Run) =>
  annotations(run, 'warning').filter((w) => /cannot serve/.test(w.properties.title ?? ''))

const TYPES = 'm5.large,c5.4xlarge,t3.medium'

describe('pod-subnet capacity and security groups for pods', () => {
  it('warns about the fragmented zone only, with counts and the reservation command', async () => {
    const zoneA = bed.podSubnets.find((s) => s.zone.endsWith('a'))!
    const run = await runAction({
      env: bed.env,
      inputs: originInputs(bed, {
        'cni-version': 'v1.19.6',
        'dry-run': 'true',
        'instance-types': TYPES,
        'expected-nodes': '3'
      })
    })
    try {
      expect(errors(run)).toBe('')
      expect(run.main.exitCode).toBe(0)
      const [w, ...more] = capacityWarnings(run)
      expect(more).toEqual([])
      expect(w.properties.title).toBe('Zone ap-northeast-2a cannot serve 3 planned node(s)')
      // 8187 usable addresses, 20 % used. A full node (max-pods 110: 108 pod IPs; WARM_IP_TARGET=1)
      // takes 7 prefixes; on t3.medium, the worst of the types (5 prefix slots per ENI), in 2 pod
      // ENIs with a primary address each: 3 nodes need 21 blocks and 3 × (7 × 16 + 2) = 342 IPs.
      expect(w.message).toContain(
        `Pod subnet ${zoneA.id} (${zoneA.cidr}) in zone ap-northeast-2a has 3 free aligned /28 ` +
          `blocks and ${8187 - Math.floor(8187 * 0.2)} free addresses`
      )
      expect(w.message).toContain('each a full t3.medium node (108 pod IPs)')
      expect(w.message).toContain('need 21 free /28 blocks and 342 addresses')
      expect(w.message).toMatch(
        new RegExp(
          `aws ec2 create-subnet-cidr-reservation --subnet-id ${zoneA.id} ` +
            `--cidr 100\\.64\\.\\d+\\.\\d+/28 --reservation-type prefix --region ${bed.region}`
        )
      )
      const capacity = JSON.parse(run.outputs['pod-subnet-capacity']) as {
        zone: string
        verdict: string
        freeBlocks: number
      }[]
      expect(capacity.map((c) => [c.zone.slice(-1), c.verdict])).toEqual([
        ['a', 'fragmented'],
        ['b', 'ok'],
        ['c', 'ok']
      ])
      expect(run.summary).toContain('### Pod subnet capacity')
      expect(run.summary).toContain('**too fragmented**')

      // The cluster role lacks the policy security groups for pods need.
      const role = annotations(run, 'warning').find((a) =>
        /lacks AmazonEKSVPCResourceController/.test(a.properties.title ?? '')
      )
      expect(role?.message).toContain(
        'aws iam attach-role-policy --role-name eks-cluster-role --policy-arn ' +
          'arn:aws:iam::aws:policy/AmazonEKSVPCResourceController'
      )

      // AL2023 and Bottlerocket configuration per instance type, no AL2 lines.
      const maxPods = JSON.parse(run.outputs['max-pods']) as Record<string, number>
      for (const type of TYPES.split(',')) {
        expect(run.summary).toContain(`<code>${type}</code>: max-pods ${maxPods[type]}`)
        expect(run.summary).toContain(`      maxPods: ${maxPods[type]}\n`)
        expect(run.summary).toContain(`max-pods = ${maxPods[type]}\n`)
      }
      expect(run.summary).toContain('Content-Type: application/node.eks.aws')
      expect(run.summary).not.toMatch(/bootstrap\.sh/)
    } finally {
      run.cleanup()
    }
  })

  it('fail-on-warnings stops such a run before any write', async () => {
    const seq = bed.log.lastSeq
    const run = await runAction({
      env: bed.env,
      inputs: originInputs(bed, {
        'cni-version': 'v1.19.6',
        'warm-ip-target': '',
        'minimum-ip-target': '',
        // WARM_PREFIX_TARGET=1 alone: one prefix per starting node, 4 nodes > 3 free blocks.
        'expected-nodes': 'ap-northeast-2a=4',
        'fail-on-warnings': 'true'
      })
    })
    try {
      expect(run.main.exitCode).toBe(1)
      expect(errors(run)).toMatch(/fail-on-warnings is true/)
      expect(errors(run)).toContain('Zone ap-northeast-2a cannot serve 4 planned node(s)')
      expect(kubeWrites(bed, seq)).toEqual([])
    } finally {
      run.cleanup()
    }
  })

  it('a caller without IAM read rights gets one notice and a green run', async () => {
    const remove = bed.faults.add({
      service: 'aws',
      operation: 'iam:ListAttachedRolePolicies',
      status: 403,
      reason: 'AccessDenied',
      message: 'User is not authorized to perform: iam:ListAttachedRolePolicies',
      times: Infinity
    })
    const run = await runAction({
      env: bed.env,
      inputs: originInputs(bed, { 'cni-version': 'v1.19.6', 'dry-run': 'true' })
    })
    try {
      remove()
      expect(errors(run)).toBe('')
      expect(run.main.exitCode).toBe(0)
      const notices = annotations(run, 'notice').filter((n) =>
        n.message.includes('iam:ListAttachedRolePolicies')
      )
      expect(notices).toHaveLength(1)
      expect(notices[0].message).toContain('AmazonEKSVPCResourceController')
      expect(
        annotations(run, 'warning').filter((a) => /AmazonEKSVPCResourceController/.test(a.message))
      ).toEqual([])
    } finally {
      run.cleanup()
    }
  })
})
