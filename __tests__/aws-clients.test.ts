import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { DescribeClusterCommand } from '@aws-sdk/client-eks'
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import { AWS_MAX_ATTEMPTS, USER_AGENT } from '../src/aws/client-config.js'
import { createAwsClients } from '../src/aws/clients.js'
import { createStsClient } from '../src/aws/sts-client.js'

const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' }

/** A local stand-in for every AWS endpoint: records requests and answers with `reply`. */
let server: Server
let seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[] = []
interface Reply {
  status: number
  contentType: string
  body: string
  headers?: Record<string, string>
}
let reply: Reply
/** Answered first, one per request, before `reply`. */
let queue: Reply[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body })
      const r = queue.shift() ?? reply
      res.writeHead(r.status, { 'content-type': r.contentType, ...r.headers })
      res.end(r.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const saved = { ...process.env }
beforeEach(() => {
  seen = []
  queue = []
  process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterEach(() => {
  process.env = { ...saved }
})

const CLUSTER_JSON = JSON.stringify({ cluster: { name: 'demo', status: 'ACTIVE' } })
const ok: Reply = { status: 200, contentType: 'application/json', body: CLUSTER_JSON }
const eksError = (status: number, type: string, headers: Record<string, string> = {}): Reply => ({
  status,
  contentType: 'application/json',
  body: JSON.stringify({ message: type }),
  headers: { 'x-amzn-errortype': type, ...headers }
})
/** No backoff at all, so the tests never wait. */
const noJitter = { random: () => 0 }

describe('createAwsClients', () => {
  it('configures region, credentials and the standard retry budget on every client', async () => {
    const clients = createAwsClients('ap-northeast-2', CREDS)
    for (const client of [clients.sts, clients.eks, clients.ec2, clients.iam]) {
      expect(await client.config.region()).toBe('ap-northeast-2')
      expect(await client.config.maxAttempts()).toBe(AWS_MAX_ATTEMPTS)
      expect(((await client.config.retryStrategy()) as { mode?: string }).mode).toBe('standard')
      await expect(client.config.credentials()).resolves.toMatchObject(CREDS)
    }
    // One strategy, and so one retry quota, per client.
    expect(await clients.eks.config.retryStrategy()).not.toBe(
      await clients.ec2.config.retryStrategy()
    )
  })

  it('sends through AWS_ENDPOINT_URL with our user agent, signed', async () => {
    reply = ok
    const { eks } = createAwsClients('ap-northeast-2', CREDS)
    await eks.send(new DescribeClusterCommand({ name: 'demo' }))
    expect(seen).toHaveLength(1)
    expect(seen[0].url).toBe('/clusters/demo')
    expect(String(seen[0].headers['user-agent'])).toContain(USER_AGENT)
    expect(String(seen[0].headers.authorization)).toContain('Credential=AKIDEXAMPLE/')
  })

  it('retries throttling and 5xx through the SDK, then succeeds', async () => {
    queue = [eksError(429, 'ThrottlingException'), eksError(503, 'ServiceUnavailableException')]
    reply = ok
    const lines: string[] = []
    const { eks } = createAwsClients('ap-northeast-2', CREDS, {
      ...noJitter,
      onRetry: (line) => lines.push(line)
    })
    const out = await eks.send(new DescribeClusterCommand({ name: 'demo' }))
    expect(out.cluster?.name).toBe('demo')
    expect(out.$metadata.attempts).toBe(3)
    expect(seen).toHaveLength(3)
    expect(lines).toEqual([
      'Retry eks: attempt 2 of 5 in 0 ms (ThrottlingException: ThrottlingException)',
      'Retry eks: attempt 3 of 5 in 0 ms (ServiceUnavailableException: ServiceUnavailableException)'
    ])
  })

  it('does not retry a client error', async () => {
    reply = eksError(404, 'ResourceNotFoundException')
    const { eks } = createAwsClients('ap-northeast-2', CREDS, noJitter)
    await expect(eks.send(new DescribeClusterCommand({ name: 'demo' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException'
    })
    expect(seen).toHaveLength(1)
  })

  it('gives up after AWS_MAX_ATTEMPTS on a lasting 5xx', async () => {
    reply = eksError(500, 'ServerException')
    const { eks } = createAwsClients('ap-northeast-2', CREDS, noJitter)
    await expect(eks.send(new DescribeClusterCommand({ name: 'demo' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 500, attempts: AWS_MAX_ATTEMPTS }
    })
    expect(seen).toHaveLength(AWS_MAX_ATTEMPTS)
  })

  it('starts no retry whose backoff would end past the deadline', async () => {
    reply = eksError(503, 'ServiceUnavailableException')
    let clock = 1_000_000
    // The clock reaches the deadline after the first attempt: the SDK throws that error.
    const budget = { deadline: clock + 10, now: () => (clock += 10), random: () => 0 }
    const { eks } = createAwsClients('ap-northeast-2', CREDS, budget)
    await expect(eks.send(new DescribeClusterCommand({ name: 'demo' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 503 }
    })
    expect(seen).toHaveLength(1)
  })

  it('corrects a clock skew from the server Date and retries once (REST JSON, EKS)', async () => {
    const serverTime = new Date(Date.now() + 3600_000)
    queue = [eksError(403, 'InvalidSignatureException', { date: serverTime.toUTCString() })]
    reply = ok
    const { eks } = createAwsClients('ap-northeast-2', CREDS, noJitter)
    const out = await eks.send(new DescribeClusterCommand({ name: 'demo' }))
    expect(out.$metadata.attempts).toBe(2)
    expect(seen).toHaveLength(2)
    expect(signedAt(seen[1].headers) - signedAt(seen[0].headers)).toBeGreaterThan(3000_000)
  })

  it('corrects a clock skew on an XML error and retries once (query protocol, STS)', async () => {
    const serverTime = new Date(Date.now() - 3600_000)
    queue = [
      {
        status: 403,
        contentType: 'text/xml',
        headers: { date: serverTime.toUTCString() },
        body:
          '<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>' +
          '<Message>Signature expired: 20200101T000000Z is now earlier than 20200101T001500Z</Message>' +
          '</Error><RequestId>r</RequestId></ErrorResponse>'
      }
    ]
    reply = {
      status: 200,
      contentType: 'text/xml',
      body:
        '<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/u</Arn>' +
        '<UserId>U</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>'
    }
    const { sts } = createAwsClients('ap-northeast-2', CREDS, noJitter)
    const out = await sts.send(new GetCallerIdentityCommand({}))
    expect(out.Arn).toBe('arn:aws:iam::123456789012:user/u')
    expect(seen).toHaveLength(2)
    expect(signedAt(seen[0].headers) - signedAt(seen[1].headers)).toBeGreaterThan(3000_000)
  })

  it('falls back to the SDK default chain when no credentials are given', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAFROMENV'
    process.env.AWS_SECRET_ACCESS_KEY = 'env-secret'
    const { eks } = createAwsClients('eu-west-1')
    await expect(eks.config.credentials()).resolves.toMatchObject({ accessKeyId: 'AKIAFROMENV' })
  })
})

/** The X-Amz-Date of a signed request, in ms. */
function signedAt(headers: IncomingHttpHeaders): number {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(String(headers['x-amz-date']))
  if (!m) throw new Error(`no x-amz-date in ${JSON.stringify(headers)}`)
  const [, y, mo, d, h, mi, se] = m.map(Number)
  return Date.UTC(y, mo - 1, d, h, mi, se)
}

describe('createStsClient', () => {
  it('makes one attempt per call: its caller retries with a fresh OIDC token', async () => {
    reply = { status: 503, contentType: 'text/xml', body: '<ErrorResponse/>' }
    const sts = createStsClient('ap-northeast-2')
    expect(await sts.config.maxAttempts()).toBe(1)
    await expect(
      sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: 'arn:aws:iam::123456789012:role/r',
          RoleSessionName: 's',
          WebIdentityToken: 'a.b.c'
        })
      )
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 503 } })
    expect(seen).toHaveLength(1)
  })

  it('sends AssumeRoleWithWebIdentity unsigned, so it needs no credentials at all', async () => {
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'])
      delete process.env[name]
    process.env.AWS_EC2_METADATA_DISABLED = 'true'
    reply = {
      status: 200,
      contentType: 'text/xml',
      body: `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>
    <Credentials><AccessKeyId>ASIAX</AccessKeyId><SecretAccessKey>sk</SecretAccessKey><SessionToken>st</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>
  </AssumeRoleWithWebIdentityResult>
</AssumeRoleWithWebIdentityResponse>`
    }
    const sts = createStsClient('ap-northeast-2')
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: 'arn:aws:iam::123456789012:role/r',
        RoleSessionName: 's',
        WebIdentityToken: 'a.b.c'
      })
    )
    expect(out.Credentials?.AccessKeyId).toBe('ASIAX')
    expect(seen).toHaveLength(1)
    expect(seen[0].headers.authorization).toBeUndefined()
    expect(seen[0].body).toContain('Action=AssumeRoleWithWebIdentity')
    expect(String(seen[0].headers['user-agent'])).toContain(USER_AGENT)
    expect(await sts.config.region()).toBe('ap-northeast-2')
  })
})
