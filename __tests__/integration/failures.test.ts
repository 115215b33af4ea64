/**
 * Runs that must fail, through the harness on dist/: bad inputs (no request at all), cluster, EC2,
 * manifest and access problems (no write to the cluster). Each fails with exit code 1 and one
 * ::error:: naming the cause, and leaves nothing in RUNNER_TEMP.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestbed, type Testbed } from '../../testbed/index.js'
import {
  errors,
  expectNoSecretsInLog,
  filesIn,
  kubeWrites,
  originInputs,
  runAction
} from './helpers.js'

let bed: Testbed
let scratch: string

beforeAll(async () => {
  bed = await startTestbed()
  scratch = mkdtempSync(join(tmpdir(), 'eks-cni-failures-'))
}, 120_000)
afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true })
  await bed?.stop()
})

/** Runs the action expecting failure; returns the error text and what was sent meanwhile. */
async function fail(inputs: Record<string, string>, env: Record<string, string> = bed.env) {
  const seq = bed.log.lastSeq
  const run = await runAction({ env, inputs: originInputs(bed, inputs) })
  try {
    expect(run.main.exitCode).toBe(1)
    expect(run.post?.exitCode).toBe(0)
    expect(filesIn(bed.env.RUNNER_TEMP)).toEqual([])
    expectNoSecretsInLog(run)
    const message = errors(run)
    expect(message).not.toBe('')
    return { message, requests: bed.log.since(seq), writes: kubeWrites(bed, seq), run }
  } finally {
    run.cleanup()
  }
}

describe('bad inputs', () => {
  it.each([
    [
      'cluster-name',
      'demo; kubectl delete ns kube-system',
      /Input 'cluster-name' has an invalid value "demo; kubectl delete ns kube-system": expected an EKS cluster name/
    ],
    [
      'subnets',
      'subnet-xyz',
      /Input 'subnets' has an invalid value "subnet-xyz": expected a subnet ID/
    ],
    [
      'role-to-assume',
      'arn:aws:iam::123:role/x',
      /Input 'role-to-assume' has an invalid value ".*": expected an IAM role ARN/
    ],
    ['wait', 'yes', /Input 'wait' has an invalid value "yes": expected true or false/],
    [
      'env',
      'WARM_ENI_TARGET',
      /Input 'env' has an invalid value "WARM_ENI_TARGET": expected one KEY=VALUE per line/
    ],
    [
      'manifest',
      'http://example.com/aws-k8s-cni.yaml',
      /Input 'manifest' .*expected an https:\/\/ URL/
    ],
    [
      'eni-config-label-def',
      'zone\nfoo: bar',
      /Input 'eni-config-label-def' has an invalid value "zone\\nfoo: bar"/
    ]
  ])('%s = %j fails before any request', async (input, value, expected) => {
    const { message, requests } = await fail({ [input]: value })
    expect(message).toMatch(expected)
    expect(requests).toEqual([])
  })

  it('reports several bad inputs in one error', async () => {
    const { message, requests } = await fail({ 'timeout-seconds': '10m', 'warm-ip-target': '-1' })
    expect(message).toMatch(/2 inputs are invalid/)
    expect(message).toMatch(/'warm-ip-target'/)
    expect(message).toMatch(/'timeout-seconds'/)
    expect(requests).toEqual([])
  })
})

describe('cluster problems', () => {
  it('an unknown cluster', async () => {
    const { message, writes } = await fail({ 'cluster-name': 'no-such-cluster' })
    expect(message).toMatch(/no-such-cluster/)
    expect(message).toMatch(/not found|does not exist|No cluster/i)
    expect(writes).toEqual([])
  })

  // CREATING and UPDATING are waited for (cluster-kinds.test.ts); FAILED never turns ACTIVE.
  it('a cluster that is FAILED', async () => {
    await bed.moto.setClusterStatus(bed.region, bed.clusterName, 'FAILED')
    try {
      const { message, writes } = await fail({})
      expect(message).toMatch(/is FAILED: its networking cannot be configured until it is ACTIVE/)
      expect(writes).toEqual([])
    } finally {
      await bed.moto.setClusterStatus(bed.region, bed.clusterName, 'ACTIVE')
    }
  })
})

describe('EC2 mismatches', () => {
  it('two subnets in one zone', async () => {
    const node = bed.nodeSubnets.find((s) => s.zone === bed.podSubnets[0].zone)
    const subnets = [...bed.podSubnets.map((s) => s.id), node?.id].join(' ')
    const { message, writes } = await fail({ subnets })
    expect(message).toMatch(new RegExp(`both in zone ${bed.podSubnets[0].zone}`))
    expect(writes).toEqual([])
  })

  it('a subnet from another VPC', async () => {
    const { message, writes } = await fail({ subnets: bed.otherVpc.subnetId })
    expect(message).toContain(`subnet ${bed.otherVpc.subnetId} is in VPC ${bed.otherVpc.vpcId}`)
    expect(message).toContain(bed.vpcId)
    expect(writes).toEqual([])
  })

  it('a zone=subnet pair whose subnet is in another zone', async () => {
    const [a] = bed.podSubnets
    const { message, writes } = await fail({ subnets: `ap-northeast-2b=${a.id}` })
    expect(message).toContain(`subnet ${a.id} is in zone ${a.zone}`)
    expect(message).toContain('not in ap-northeast-2b')
    expect(writes).toEqual([])
  })

  it('a security group from another VPC', async () => {
    const { message, writes } = await fail({ 'security-groups': bed.otherVpc.securityGroupId })
    expect(message).toContain(bed.otherVpc.securityGroupId)
    expect(writes).toEqual([])
  })
})

describe('manifest problems', () => {
  it('a missing file', async () => {
    const { message, writes } = await fail({ manifest: join(scratch, 'missing.yaml') })
    expect(message).toMatch(/Cannot read the manifest file/)
    expect(writes).toEqual([])
  })

  it('a sha256 mismatch', async () => {
    const { message, writes } = await fail({
      'cni-version': 'v1.19.6',
      'manifest-sha256': '0'.repeat(64)
    })
    expect(message).toMatch(/sha256/)
    expect(message).toContain('0'.repeat(64))
    expect(writes).toEqual([])
  })

  it('a manifest without the aws-node DaemonSet', async () => {
    const path = join(scratch, 'no-daemonset.yaml')
    writeFileSync(
      path,
      'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: aws-node\n  namespace: kube-system\n'
    )
    const { message, writes } = await fail({ manifest: path })
    expect(message).toMatch(/DaemonSet kube-system\/aws-node/)
    expect(writes).toEqual([])
  })
})

describe('access problems', () => {
  it('no OIDC env: the message names id-token: write', async () => {
    const env = { ...bed.env }
    delete env.ACTIONS_ID_TOKEN_REQUEST_URL
    delete env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
    const { message, requests } = await fail({}, env)
    expect(message).toMatch(/id-token: write/)
    expect(requests.filter((r) => r.service !== 'mirror')).toEqual([])
  })

  it('a role that cannot be assumed', async () => {
    const { message, writes } = await fail({
      'role-to-assume': `arn:aws:iam::${bed.accountId}:role/not-trusted`
    })
    expect(message).toMatch(/Could not assume role 'arn:aws:iam::\d+:role\/not-trusted'/)
    expect(writes).toEqual([])
  })

  it('an identity without cluster access: explains access entries and names the caller', async () => {
    bed.access.deny(bed.roleArn)
    try {
      const { message, writes } = await fail({})
      const role = bed.roleArn.split('/').pop()
      expect(message).toContain(`arn:aws:sts::${bed.accountId}:assumed-role/${role}/GitHubActions`)
      expect(message).toMatch(/access entry/)
      expect(message).toContain(
        `aws eks create-access-entry --region ${bed.region} --cluster-name ${bed.clusterName} --principal-arn ${bed.roleArn}`
      )
      expect(writes).toEqual([])
    } finally {
      bed.access.allow(bed.roleArn)
    }
  })
})
