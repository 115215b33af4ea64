/**
 * Issue 4 on a cluster without the VPC CNI (so without the ENIConfig CRD), through the harness on
 * dist/: a dry run that cannot send ENIConfigs and reports them as created, the two auth failures
 * with their hints in the log and the job summary (never with a token), then a first real run whose
 * writes follow the order that never strands a node.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { longestDependentChain } from '../../bench/metrics.js'
import { startTestbed, type Testbed } from '../../testbed/index.js'
import { errors, expectNoSecretsInLog, kubeWrites, originInputs, runAction } from './helpers.js'

let bed: Testbed

beforeAll(async () => {
  bed = await startTestbed({ cniVersion: null })
}, 120_000)
afterAll(async () => bed?.stop())

describe('dry-run on a cluster without the ENIConfig CRD', () => {
  it('sends every manifest object as a dry run and reports the ENIConfigs as create', async () => {
    const seq = bed.log.lastSeq
    const run = await runAction({
      env: bed.env,
      inputs: originInputs(bed, { 'cni-version': 'v1.23.0', 'dry-run': 'true' })
    })
    try {
      expect(errors(run)).toBe('')
      expect(run.outputs.changed).toBe('true')
      const writes = kubeWrites(bed, seq)
      expect(writes.length).toBeGreaterThan(0)
      expect(writes.every((e) => /(^|&)dryRun=All(&|$)/.test(e.query))).toBe(true)
      expect(writes.some((e) => /\/eniconfigs\//.test(e.path))).toBe(false)
      expect(bed.kube.list('apiextensions.k8s.io/v1', 'CustomResourceDefinition')).toEqual([])
      expect(bed.kube.list('apps/v1', 'DaemonSet', 'kube-system')).toEqual([])
      for (const s of bed.podSubnets) {
        expect(run.summary).toContain(`| \`ENIConfig ${s.zone}\` | create |`)
      }
      expect(run.summary).toContain('| `DaemonSet kube-system/aws-node` | create |')
      expect(run.summary).toMatch(/\| `env ENABLE_POD_ENI` \| — \| `true` \|/)
    } finally {
      run.cleanup()
    }
  })
})

describe('helpful auth failures', () => {
  it('a wrong OIDC subject: the trust-policy hint in the log and the summary', async () => {
    bed.oidc.setClaims({ sub: 'repo:other/repo:ref:refs/heads/main' })
    try {
      const run = await runAction({ env: bed.env, inputs: originInputs(bed) })
      try {
        expect(run.main.exitCode).toBe(1)
        const message = errors(run)
        expect(message).toContain(`Could not assume role '${bed.roleArn}'`)
        expect(message).toContain(
          'sub condition probably does not match "repo:other/repo:ref:refs/heads/main"'
        )
        expect(message).toContain('"token.actions.githubusercontent.com:sub"')
        expect(run.summary).toContain('### Could not assume the AWS role')
        expect(run.summary).toContain('```json')
        expect(run.summary).toContain('repo:other/repo:ref:refs/heads/main')
        expectNoSecretsInLog(run)
        expect(run.summary).not.toMatch(/eyJ[\w-]{10,}\.eyJ/)
      } finally {
        run.cleanup()
      }
    } finally {
      bed.oidc.setClaims({})
    }
  })

  it('no access entry: the caller ARN and the access-entry commands, no write', async () => {
    bed.access.deny(bed.roleArn)
    const seq = bed.log.lastSeq
    try {
      const run = await runAction({ env: bed.env, inputs: originInputs(bed) })
      try {
        expect(run.main.exitCode).toBe(1)
        const role = bed.roleArn.split('/').pop()
        const caller = `arn:aws:sts::${bed.accountId}:assumed-role/${role}/GitHubActions`
        const where = `--region ${bed.region} --cluster-name ${bed.clusterName} --principal-arn ${bed.roleArn}`
        for (const text of [errors(run), run.summary]) {
          expect(text).toContain(caller)
          expect(text).toContain(`aws eks create-access-entry ${where}`)
          expect(text).toContain(`aws eks associate-access-policy ${where}`)
        }
        expect(run.summary).toContain(`### No access to EKS cluster ${bed.clusterName}`)
        // The caller ARN comes from STS GetCallerIdentity with the credentials we hold.
        expect(bed.log.since(seq).some((e) => e.operation === 'sts:GetCallerIdentity')).toBe(true)
        expect(kubeWrites(bed, seq)).toEqual([])
        expectNoSecretsInLog(run)
        expect(run.summary).not.toMatch(/k8s-aws-v1\./)
      } finally {
        run.cleanup()
      }
    } finally {
      bed.access.allow(bed.roleArn)
    }
  })
})

describe('the critical path', () => {
  // One more than before the safe write order: on a cluster without the CNI the ENIConfigs wait
  // for their CRD, and aws-node, which turns custom networking on, waits for the ENIConfigs
  // (CRD → Established → ENIConfigs → aws-node → rollout). A cluster that has the CRD (every EKS
  // cluster) skips the wait, so its first run stays at 7 (the benchmark's count).
  it('a first run with cni-version and instance-types stays at ≤ 9 dependent round trips', async () => {
    // Dependencies are inferred from timing (a request that starts after another ended depends on
    // it), so the latency must dwarf the action's own CPU time between two parallel requests, or a
    // loaded machine makes independent requests look sequential.
    bed.setLatency(300)
    const seq = bed.log.lastSeq
    try {
      const run = await runAction({
        env: bed.env,
        inputs: originInputs(bed, { 'cni-version': 'v1.19.6', 'instance-types': 'm5.large' })
      })
      try {
        expect(errors(run)).toBe('')
        expect(run.outputs.changed).toBe('true')
        const entries = bed.log.since(seq)
        // The new reads ride in the existing batches.
        expect(entries.some((e) => e.operation === 'ec2:DescribeInstanceTypes')).toBe(true)
        expect(entries.some((e) => e.service === 'kube' && /\/api\/v1\/nodes$/.test(e.path))).toBe(
          true
        )
        const chain = longestDependentChain(entries)
        const path = chain.map((e) => `${e.service} ${e.operation ?? `${e.method} ${e.path}`}`)
        expect(chain.length <= 9 ? 'ok' : path.join('\n')).toBe('ok')
        // The order that never strands a node: CRD, Established, ENIConfigs, then aws-node.
        const at = (re: RegExp) => path.findIndex((p) => re.test(p))
        expect(at(/PATCH .*eniconfigs\//)).toBeGreaterThan(at(/GET .*customresourcedefinitions/))
        expect(at(/PATCH .*daemonsets\/aws-node/)).toBeGreaterThan(at(/PATCH .*eniconfigs\//))
      } finally {
        run.cleanup()
      }
    } finally {
      bed.setLatency(0)
    }
  })
})
