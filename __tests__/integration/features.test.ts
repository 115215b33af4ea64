/**
 * Issue 4 through the harness on dist/, on one test bed that starts as EKS leaves a cluster (VPC
 * CNI v1.19.6, three nodes): a dry run, the linter and fail-on-warnings, then a real run with
 * max-pods and nodes-to-recycle, its rerun (which still lists the old nodes), and zone-ID naming.
 * The order matters: each describe starts from the cluster the previous one left.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startTestbed, type Testbed } from '../../testbed/index.js'
import { maxPods, type InstanceNetworkInfo } from '../../src/cni/max-pods.js'
import { errors, expectNoSecretsInLog, kubeWrites, originInputs, runAction } from './helpers.js'

let bed: Testbed

beforeAll(async () => {
  bed = await startTestbed()
}, 120_000)
afterAll(async () => bed?.stop())

const KINDS: [string, string, string?][] = [
  ['apps/v1', 'DaemonSet', 'kube-system'],
  ['v1', 'ServiceAccount', 'kube-system'],
  ['v1', 'ConfigMap', 'kube-system'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
  ['apiextensions.k8s.io/v1', 'CustomResourceDefinition'],
  ['crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig'],
  ['v1', 'Node']
]

/** Every object's resourceVersion, by kind and name. */
function versions(): Record<string, string | undefined> {
  return Object.fromEntries(
    KINDS.flatMap(([v, k, ns]) =>
      bed.kube.list(v, k, ns).map((o) => [`${k}/${o.metadata.name}`, o.metadata.resourceVersion])
    )
  )
}

const warnings = (run: Awaited<ReturnType<typeof runAction>>) =>
  run.annotations.filter((a) => a.level === 'warning')

/** Kubernetes writes since `seq` that were not dry runs. */
const realWrites = (seq: number) =>
  kubeWrites(bed, seq).filter((e) => !/(^|&)dryRun=/.test(e.query))

const INSTANCE_TYPES = ['m5.large', 't3.medium', 'c5.4xlarge', 'c5.9xlarge']

describe('dry-run on a cluster that needs changes', () => {
  it('reports changed=true with the diff and leaves every resourceVersion untouched', async () => {
    const before = versions()
    const seq = bed.log.lastSeq
    const run = await runAction({
      env: bed.env,
      inputs: originInputs(bed, { 'cni-version': 'v1.19.6', 'dry-run': 'true' })
    })
    try {
      expect(errors(run)).toBe('')
      expect(run.main.exitCode).toBe(0)
      expect(run.outputs.changed).toBe('true')
      expect(versions()).toEqual(before)
      expect(realWrites(seq)).toEqual([])
      expect(kubeWrites(bed, seq).length).toBeGreaterThan(0)
      // No kubectl download in a dry run.
      expect(
        bed.log.since(seq).filter((e) => e.service === 'mirror' && /kubectl/.test(e.path))
      ).toEqual([])
      expect(run.outputs['kubectl-path']).toBe('')
      expect(run.summary).toContain('### Plan')
      expect(run.summary).toMatch(/\| `env ENABLE_POD_ENI` \| `false` \| `true` \|/)
      expect(run.summary).toMatch(/\| `init env DISABLE_TCP_EARLY_DEMUX` \| `false` \| `true` \|/)
      expect(run.summary).toMatch(
        /\| `image aws-node` \| `[^`]+` \| `602401143452\.dkr\.ecr\.ap-northeast-2/
      )
      for (const s of bed.podSubnets) {
        expect(run.summary).toContain(`| \`ENIConfig ${s.zone}\` | create |`)
      }
      expect(run.summary).toMatch(/Dry run/)
      expect(JSON.parse(run.outputs['nodes-to-recycle'])).toHaveLength(3)
      expectNoSecretsInLog(run)
    } finally {
      run.cleanup()
    }
  })

  it('is silent on a clean configuration (no WARM_IP_TARGET or MINIMUM_IP_TARGET)', async () => {
    const run = await runAction({
      env: bed.env,
      inputs: originInputs(bed, {
        'cni-version': 'v1.19.6',
        'dry-run': 'true',
        'warm-ip-target': '',
        'minimum-ip-target': ''
      })
    })
    try {
      expect(run.main.exitCode).toBe(0)
      expect(warnings(run).filter((w) => w.properties.title !== 'Nodes to replace')).toEqual([])
      expect(run.summary).not.toContain('### Settings check')
    } finally {
      run.cleanup()
    }
  })

  it('fail-on-warnings fails on a warning before any write (the origin defaults have none)', async () => {
    const seq = bed.log.lastSeq
    const run = await runAction({
      env: bed.env,
      inputs: originInputs(bed, {
        'cni-version': 'v1.19.6',
        'fail-on-warnings': 'true',
        env: 'AWS_VPC_ENI_MTU=100'
      })
    })
    try {
      expect(run.main.exitCode).toBe(1)
      expect(errors(run)).toMatch(
        /fail-on-warnings is true and the settings linter found 1 problem/
      )
      expect(errors(run)).toContain('AWS_VPC_ENI_MTU=100 is out of range')
      expect(realWrites(seq)).toEqual([])
      expect(kubeWrites(bed, seq)).toEqual([])
    } finally {
      run.cleanup()
    }
  })
})

describe('a real run with instance-types', () => {
  it('sets max-pods, lists the nodes to recycle and notes the WARM_* combination', async () => {
    const run = await runAction({
      env: bed.env,
      inputs: originInputs(bed, {
        'cni-version': 'v1.19.6',
        'install-kubectl': 'false',
        'instance-types': INSTANCE_TYPES.join(',')
      })
    })
    try {
      expect(errors(run)).toBe('')
      expect(run.outputs.changed).toBe('true')
      const described = await describeTypes()
      const expected = Object.fromEntries(
        described.map((t) => [
          t.instanceType,
          maxPods(t, { cniVersion: 'v1.19.6', customNetworking: true, prefixDelegation: true })
        ])
      )
      expect(JSON.parse(run.outputs['max-pods'])).toEqual(expected)
      expect(expected).toEqual({
        'm5.large': 110,
        't3.medium': 110,
        'c5.4xlarge': 110,
        'c5.9xlarge': 250
      })
      expect(run.summary).toContain('### Max pods per node')
      // AL2023 and Bottlerocket per type (AL2's bootstrap.sh is out of support).
      expect(run.summary).toContain('      maxPods: 250\n')
      expect(run.summary).toContain('max-pods = 110\n')
      expect(run.summary).toContain('maxPodsExpression')

      const recycle = JSON.parse(run.outputs['nodes-to-recycle']) as Record<string, string>[]
      const nodes = bed.kube.list('v1', 'Node')
      expect(recycle.map((n) => n.name)).toEqual(nodes.map((n) => n.metadata.name).sort())
      for (const n of recycle) {
        expect(n.zone).toMatch(/^ap-northeast-2[abc]$/)
        expect(n.instanceId).toMatch(/^i-[0-9a-f]+$/)
        expect(n.nodegroup).toBe('system')
      }
      expect(run.summary).toContain('### Nodes to replace')
      // Default inputs print no warning: nodes to replace is a notice, the WARM_* combination a
      // notice in the summary only.
      expect(warnings(run)).toEqual([])
      const notices = run.annotations.filter((a) => a.level === 'notice')
      expect(notices.map((n) => n.properties.title)).toContain('Nodes to replace')
      expect(run.summary).toMatch(
        /Notice: \*\*WARM\\_IP\\_TARGET and MINIMUM\\_IP\\_TARGET override WARM\\_PREFIX\\_TARGET\*\*.*https:\/\/github\.com\/aws\/amazon-vpc-cni-k8s#/
      )
    } finally {
      run.cleanup()
    }
  })

  it('reruns with changed=false, still listing the nodes that predate custom networking', async () => {
    const run = await runAction({
      env: bed.env,
      inputs: originInputs(bed, { 'cni-version': 'v1.19.6', 'install-kubectl': 'false' })
    })
    try {
      expect(run.outputs.changed).toBe('false')
      // Read from the cluster (managedFields times), not from this run's diff: not replaced yet.
      const recycle = JSON.parse(run.outputs['nodes-to-recycle']) as { name: string }[]
      const nodes = bed.kube.list('v1', 'Node').map((n) => n.metadata.name)
      expect(recycle.map((n) => n.name)).toEqual(nodes.sort())
      expect(run.outputs['max-pods']).toBe('{}')
      expect(
        run.annotations.filter((a) => a.level === 'notice').map((a) => a.properties.title)
      ).toContain('Nodes to replace')
    } finally {
      run.cleanup()
    }
  })

  it('a dry run of the same inputs reports changed=false', async () => {
    const before = versions()
    const run = await runAction({
      env: bed.env,
      inputs: originInputs(bed, { 'cni-version': 'v1.19.6', 'dry-run': 'true' })
    })
    try {
      expect(run.outputs.changed).toBe('false')
      expect(run.summary).toContain('Nothing would change')
      expect(versions()).toEqual(before)
    } finally {
      run.cleanup()
    }
  })
})

describe('zone IDs', () => {
  it('names the ENIConfigs by zone ID with eni-config-label-def topology.k8s.aws/zone-id', async () => {
    const run = await runAction({
      env: bed.env,
      inputs: originInputs(bed, {
        'cni-version': 'v1.19.6',
        'install-kubectl': 'false',
        'eni-config-label-def': 'topology.k8s.aws/zone-id'
      })
    })
    try {
      expect(errors(run)).toBe('')
      const sg = bed.clusterSecurityGroupId
      expect(JSON.parse(run.outputs['eni-configs'])).toEqual(
        bed.podSubnets
          .map((s) => ({
            name: s.zoneId,
            zone: s.zone,
            zoneId: s.zoneId,
            subnet: s.id,
            securityGroups: [sg]
          }))
          .sort((a, b) => a.name.localeCompare(b.name))
      )
      for (const s of bed.podSubnets) {
        const config = bed.kube.get('crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig', s.zoneId)
        expect((config as unknown as { spec: unknown }).spec).toEqual({
          subnet: s.id,
          securityGroups: [sg]
        })
      }
      expect(run.outputs['eni-config-label-def']).toBe('topology.k8s.aws/zone-id')
      // Every node's zone ID has an ENIConfig, so the per-zone rule stays quiet.
      expect(warnings(run).map((w) => w.properties.title)).not.toContainEqual(
        expect.stringMatching(/^No ENIConfig for/)
      )
    } finally {
      run.cleanup()
    }
  })
})

/** What moto says about INSTANCE_TYPES, through the test bed's AWS endpoint. */
async function describeTypes(): Promise<InstanceNetworkInfo[]> {
  const { EC2Client, DescribeInstanceTypesCommand } = await import('@aws-sdk/client-ec2')
  const { networkInfoFromInstanceType } = await import('../../src/cni/max-pods.js')
  const ec2 = new EC2Client({
    region: bed.region,
    endpoint: bed.env.AWS_ENDPOINT_URL,
    credentials: { accessKeyId: 'AKIDTESTBED', secretAccessKey: 'testbed' }
  })
  const r = await ec2.send(
    new DescribeInstanceTypesCommand({ InstanceTypes: INSTANCE_TYPES as never })
  )
  ec2.destroy()
  return (r.InstanceTypes ?? []).map(networkInfoFromInstanceType)
}
