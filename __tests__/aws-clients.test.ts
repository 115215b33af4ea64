import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { DescribeClusterCommand } from '@aws-sdk/client-eks'
import { AssumeRoleWithWebIdentityCommand } from '@aws-sdk/client-sts'
import {
  createAwsClients,
  createStsClient,
  SDK_MAX_ATTEMPTS,
  USER_AGENT
} from '../src/aws/clients.js'

const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' }

/** A local stand-in for every AWS endpoint: records requests and answers with `reply`. */
let server: Server
let seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[] = []
let reply: { status: number; contentType: string; body: string }

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body })
      res.writeHead(reply.status, { 'content-type': reply.contentType })
      res.end(reply.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const saved = { ...process.env }
beforeEach(() => {
  seen = []
  process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterEach(() => {
  process.env = { ...saved }
})

describe('createAwsClients', () => {
  it('configures region, credentials and a single SDK attempt on every client', async () => {
    const clients = createAwsClients('ap-northeast-2', CREDS)
    for (const client of [clients.sts, clients.eks, clients.ec2]) {
      expect(await client.config.region()).toBe('ap-northeast-2')
      expect(await client.config.maxAttempts()).toBe(SDK_MAX_ATTEMPTS)
      await expect(client.config.credentials()).resolves.toMatchObject(CREDS)
    }
  })

  it('sends through AWS_ENDPOINT_URL with our user agent and does not retry underneath retry()', async () => {
    reply = { status: 500, contentType: 'application/json', body: '{"message":"boom"}' }
    const { eks } = createAwsClients('ap-northeast-2', CREDS)
    await expect(eks.send(new DescribeClusterCommand({ name: 'demo' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 500 }
    })
    expect(seen).toHaveLength(1)
    expect(seen[0].url).toBe('/clusters/demo')
    expect(String(seen[0].headers['user-agent'])).toContain(USER_AGENT)
    expect(String(seen[0].headers.authorization)).toContain('Credential=AKIDEXAMPLE/')
  })

  it('falls back to the SDK default chain when no credentials are given', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAFROMENV'
    process.env.AWS_SECRET_ACCESS_KEY = 'env-secret'
    const { eks } = createAwsClients('eu-west-1')
    await expect(eks.config.credentials()).resolves.toMatchObject({ accessKeyId: 'AKIAFROMENV' })
  })
})

describe('createStsClient', () => {
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
