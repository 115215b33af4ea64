/**
 * The built action end to end in three partitions: a commercial region, China and GovCloud. Each
 * test bed starts as EKS leaves a cluster (VPC CNI v1.19.6 pulled from us-west-2); one run per
 * region upgrades to v1.23.0 from the region's official manifest and must move every aws-node
 * image (init, aws-node, network policy agent) to the region's EKS add-on registry.
 */
import { expect, it } from '@jest/globals'
import { startTestbed, type Testbed } from '../../testbed/index.js'
import {
  containerEnvs,
  errors,
  expectNoSecretsInLog,
  liveAwsNode,
  originInputs,
  runAction
} from './helpers.js'

// The three regions run concurrently: each test starts and stops a test bed of its own, and much
// of a run is waiting (for the rollout, the mirror, moto).
it.concurrent.each([
  {
    region: 'ap-northeast-2',
    partition: 'aws',
    registry: '602401143452.dkr.ecr.ap-northeast-2.amazonaws.com'
  },
  {
    region: 'cn-north-1',
    partition: 'aws-cn',
    registry: '918309763551.dkr.ecr.cn-north-1.amazonaws.com.cn'
  },
  {
    region: 'us-gov-west-1',
    partition: 'aws-us-gov',
    registry: '013241004608.dkr.ecr.us-gov-west-1.amazonaws.com'
  }
])(
  'a run in $region moves the aws-node images to $registry',
  async ({ region, partition, registry }) => {
    const bed = await startTestbed({ region })
    try {
      await checkRegion(bed, region, partition, registry)
    } finally {
      await bed.stop()
    }
  },
  180_000
)

async function checkRegion(
  bed: Testbed,
  region: string,
  partition: string,
  registry: string
): Promise<void> {
  expect(bed.roleArn.startsWith(`arn:${partition}:iam::`)).toBe(true)
  expect(bed.clusterArn.startsWith(`arn:${partition}:eks:${region}:`)).toBe(true)
  const before = containerEnvs(liveAwsNode(bed)).images
  expect(before.length).toBeGreaterThanOrEqual(2)
  expect(before.every((i) => i.startsWith(`${registry}/`))).toBe(false)

  const run = await runAction({
    env: bed.env,
    inputs: originInputs(bed, { 'cni-version': 'v1.23.0' })
  })
  expect(errors(run)).toBe('')
  expect(run.main.exitCode).toBe(0)
  expect(bed.access.rejections).toEqual([])
  const after = containerEnvs(liveAwsNode(bed)).images
  expect(after).toHaveLength(3)
  for (const image of after) expect(image.startsWith(`${registry}/`)).toBe(true)
  expect(after.filter((i) => /\/amazon-k8s-cni(-init)?:v1\.23\.0/.test(i))).toHaveLength(2)
  // The run fetched the region's own manifest variant.
  const file = region.startsWith('cn-')
    ? 'aws-k8s-cni-cn.yaml'
    : region.startsWith('us-gov-')
      ? `aws-k8s-cni-${region}.yaml`
      : 'aws-k8s-cni.yaml'
  expect(bed.log.entries.some((e) => e.service === 'mirror' && e.path.endsWith(`/${file}`))).toBe(
    true
  )
  // Every zone got its ENIConfig, in the zones moto has there.
  const eniConfigs = bed.kube.list('crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig')
  expect(eniConfigs.map((o) => o.metadata.name).sort()).toEqual(
    bed.podSubnets.map((s) => s.zone).sort()
  )
  expectNoSecretsInLog(run)
}
