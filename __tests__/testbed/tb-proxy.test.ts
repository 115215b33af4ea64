import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks'
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2'
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { startMoto, type Moto, type SeedResult } from '../../testbed/aws/moto.js'
import { FaultInjector, RequestLog } from '../../testbed/faults.js'
import { awsOperation, startAwsProxy, type AwsProxy } from '../../testbed/proxy.js'

const region = 'ap-northeast-2'
const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }
// A JWT-shaped web identity token with the claims the seeded role's trust policy wants.
const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url')
const jwt = (sub: string): string =>
  [
    b64({ alg: 'RS256', typ: 'JWT' }),
    b64({
      iss: 'https://token.actions.githubusercontent.com',
      aud: 'sts.amazonaws.com',
      sub,
      exp: Math.floor(Date.now() / 1000) + 300,
      iat: Math.floor(Date.now() / 1000)
    }),
    'c2ln'
  ].join('.')

describe('test bed AWS proxy', () => {
  const faults = new FaultInjector()
  const log = new RequestLog()
  let moto: Moto
  let proxy: AwsProxy
  let seeded: SeedResult

  beforeAll(async () => {
    moto = await startMoto({ warmRegion: region })
    proxy = await startAwsProxy({ target: moto.url, faults, log })
    seeded = await moto.seed({
      region,
      clusterName: 'demo',
      kubernetesVersion: '1.31',
      endpoint: 'https://127.0.0.1:1',
      caData: Buffer.from('ca').toString('base64')
    })
  })
  afterAll(async () => {
    await proxy?.close()
    await moto?.close()
  })
  afterEach(() => faults.clear())

  const sts = (): STSClient => new STSClient({ region, endpoint: proxy.url })
  const eks = (): EKSClient => new EKSClient({ region, endpoint: proxy.url, credentials: creds })

  it('names operations of each protocol', () => {
    const h = (auth?: string, ct?: string): Record<string, string | undefined> => ({
      authorization: auth,
      'content-type': ct
    })
    const form = 'application/x-www-form-urlencoded; charset=utf-8'
    const scope = (svc: string): string =>
      `AWS4-HMAC-SHA256 Credential=AKID/20260101/${region}/${svc}/aws4_request, SignedHeaders=host, Signature=x`
    const q = new URLSearchParams()
    expect(
      awsOperation('POST', '/', q, h(undefined, form), 'Action=AssumeRoleWithWebIdentity')
    ).toBe('sts:AssumeRoleWithWebIdentity')
    expect(awsOperation('POST', '/', q, h(scope('ec2'), form), 'Action=DescribeSubnets&V=1')).toBe(
      'ec2:DescribeSubnets'
    )
    expect(awsOperation('GET', '/clusters/demo', q, h(scope('eks')), '')).toBe(
      'eks:DescribeCluster'
    )
    expect(awsOperation('GET', '/clusters/demo/addons/vpc-cni', q, h(scope('eks')), '')).toBe(
      'eks:DescribeAddon'
    )
  })

  it('passes SDK calls through to moto and logs their operations without bodies', async () => {
    const before = log.lastSeq
    const token = jwt('repo:octo-org/octo-repo:ref:refs/heads/main')
    const assumed = await sts().send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: seeded.roleArn,
        RoleSessionName: 'GitHubActions',
        WebIdentityToken: token
      })
    )
    expect(assumed.AssumedRoleUser?.Arn).toContain(':assumed-role/')
    const cluster = await eks().send(new DescribeClusterCommand({ name: 'demo' }))
    expect(cluster.cluster?.endpoint).toBe('https://127.0.0.1:1')
    const ec2 = new EC2Client({ region, endpoint: proxy.url, credentials: creds })
    const subnets = await ec2.send(
      new DescribeSubnetsCommand({ SubnetIds: seeded.podSubnets.map((s) => s.id) })
    )
    expect(subnets.Subnets).toHaveLength(3)
    const entries = log.since(before)
    expect(entries.map((e) => [e.service, e.operation, e.status])).toEqual([
      ['aws', 'sts:AssumeRoleWithWebIdentity', 200],
      ['aws', 'eks:DescribeCluster', 200],
      ['aws', 'ec2:DescribeSubnets', 200]
    ])
    expect(JSON.stringify(entries)).not.toContain(token)
  })

  it('injects STS Throttling that the SDK retries, then succeeds', async () => {
    faults.add({
      service: 'aws',
      operation: 'AssumeRoleWithWebIdentity',
      status: 400,
      reason: 'Throttling',
      times: 2,
      name: 'throttle'
    })
    const before = log.lastSeq
    const out = await sts().send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: seeded.roleArn,
        RoleSessionName: 'GitHubActions',
        WebIdentityToken: jwt('repo:octo-org/octo-repo:ref:refs/heads/main')
      })
    )
    expect(out.Credentials?.AccessKeyId).toBeTruthy()
    expect(out.$metadata.attempts).toBe(3)
    expect(log.since(before).map((e) => [e.status, e.fault])).toEqual([
      [400, 'throttle'],
      [400, 'throttle'],
      [200, undefined]
    ])
  })

  it('surfaces an injected EKS 500 as ServerException and EC2 throttling by code', async () => {
    faults.add({ service: 'aws', operation: 'eks:DescribeCluster', status: 500, times: Infinity })
    const client = new EKSClient({
      region,
      endpoint: proxy.url,
      credentials: creds,
      maxAttempts: 1
    })
    await expect(client.send(new DescribeClusterCommand({ name: 'demo' }))).rejects.toMatchObject({
      name: 'ServerException',
      $metadata: { httpStatusCode: 500 }
    })
    faults.clear()
    faults.add({
      service: 'aws',
      operation: 'ec2:DescribeSubnets',
      status: 503,
      reason: 'RequestLimitExceeded',
      message: 'Request limit exceeded.'
    })
    const ec2 = new EC2Client({ region, endpoint: proxy.url, credentials: creds, maxAttempts: 1 })
    await expect(ec2.send(new DescribeSubnetsCommand({}))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
      message: 'Request limit exceeded.'
    })
  })

  it('resets connections and delays on request', async () => {
    faults.add({ service: 'aws', path: '^/clusters/', reset: true, name: 'reset' })
    const client = new EKSClient({
      region,
      endpoint: proxy.url,
      credentials: creds,
      maxAttempts: 1
    })
    await expect(client.send(new DescribeClusterCommand({ name: 'demo' }))).rejects.toThrow()
    expect(log.entries.at(-1)).toMatchObject({ fault: 'reset', status: 0 })
    faults.add({ service: 'aws', operation: 'DescribeCluster', delayMs: 300 })
    await client.send(new DescribeClusterCommand({ name: 'demo' }))
    const delayed = log.entries.at(-1)
    expect(delayed).toMatchObject({ operation: 'eks:DescribeCluster', status: 200 })
    expect(delayed?.fault).toBeTruthy()
  })
})
