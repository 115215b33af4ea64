import {
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient
} from '@aws-sdk/client-sts'
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks'
import { startMoto, type Moto } from '../../testbed/aws/moto.js'
import { githubJwt } from '../../testbed/aws/jwt.js'

/**
 * China and GovCloud are partitions of their own: IAM roles, the OIDC provider, the cluster and
 * the assumed-role identity all carry `arn:aws-cn:` or `arn:aws-us-gov:`, as real AWS answers.
 * One moto serves all three (it keeps IAM per partition and EKS per region): each is seeded with
 * the same names and must still answer with its own ARNs.
 */
let moto: Moto
beforeAll(async () => {
  moto = await startMoto({ warmRegion: 'cn-north-1' })
})
afterAll(async () => moto?.close())

describe.each([
  ['cn-north-1', 'aws-cn', ['a', 'b']],
  ['us-gov-west-1', 'aws-us-gov', ['a', 'b', 'c']],
  ['ap-northeast-2', 'aws', ['a', 'b', 'c']]
])('moto seeded in %s', (region, partition, zones) => {
  it(`puts ${partition} in every ARN: role, cluster, assumed role and caller identity`, async () => {
    const seeded = await moto.seed({
      region,
      clusterName: 'demo',
      kubernetesVersion: '1.31',
      endpoint: 'https://127.0.0.1:6443',
      caData: Buffer.from('ca').toString('base64'),
      zones
    })
    const account = seeded.accountId
    expect(seeded.roleArn).toBe(`arn:${partition}:iam::${account}:role/eks-cni-deployer`)
    expect(seeded.clusterArn).toBe(`arn:${partition}:eks:${region}:${account}:cluster/demo`)
    expect(seeded.nodeSubnets.map((s) => s.zone)).toEqual(zones.map((z) => `${region}${z}`))

    const anonymous = new STSClient({ region, endpoint: moto.url })
    const assumed = await anonymous.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: seeded.roleArn,
        RoleSessionName: 'GitHubActions',
        WebIdentityToken: githubJwt()
      })
    )
    const arn = `arn:${partition}:sts::${account}:assumed-role/eks-cni-deployer/GitHubActions`
    expect(assumed.AssumedRoleUser?.Arn).toBe(arn)
    const c = assumed.Credentials!
    const credentials = {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!
    }
    const me = await new STSClient({ region, endpoint: moto.url, credentials }).send(
      new GetCallerIdentityCommand({})
    )
    expect(me.Arn).toBe(arn)
    const eks = new EKSClient({ region, endpoint: moto.url, credentials })
    const { cluster } = await eks.send(new DescribeClusterCommand({ name: 'demo' }))
    expect(cluster?.arn).toBe(seeded.clusterArn)
    expect(cluster?.roleArn).toBe(`arn:${partition}:iam::${account}:role/eks-cluster-role`)
  })
})
