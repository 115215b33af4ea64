import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { STSClient, AssumeRoleWithWebIdentityCommand } from '@aws-sdk/client-sts'
import { SignatureV4 } from '@smithy/signature-v4'
import { Sha256 } from '@aws-crypto/sha256-js'
import { startMoto, type Identity, type Moto } from '../../testbed/aws/moto.js'
import { githubJwt } from '../../testbed/aws/jwt.js'
import {
  allowedStsHosts,
  decodeEksToken,
  verifyEksToken
} from '../../testbed/aws/eks-token-verifier.js'

const run = promisify(execFile)
const region = 'ap-northeast-2'
const ARN = 'arn:aws:sts::123456789012:assumed-role/eks-cni-deployer/GitHubActions'
const encode = (url: string): string => 'k8s-aws-v1.' + Buffer.from(url).toString('base64url')

/** Golden vector A, as botocore computes it (AKIDEXAMPLE / secret, 2024-01-01T00:00:00Z, demo). */
const VECTOR_A =
  'k8s-aws-v1.aHR0cHM6Ly9zdHMuYXAtbm9ydGhlYXN0LTIuYW1hem9uYXdzLmNvbS8_QWN0aW9uPUdldENhbGxlcklkZW50aXR5JlZlcnNpb249MjAxMS0wNi0xNSZYLUFtei1BbGdvcml0aG09QVdTNC1ITUFDLVNIQTI1NiZYLUFtei1DcmVkZW50aWFsPUFLSURFWEFNUExFJTJGMjAyNDAxMDElMkZhcC1ub3J0aGVhc3QtMiUyRnN0cyUyRmF3czRfcmVxdWVzdCZYLUFtei1EYXRlPTIwMjQwMTAxVDAwMDAwMFomWC1BbXotRXhwaXJlcz02MCZYLUFtei1TaWduZWRIZWFkZXJzPWhvc3QlM0J4LWs4cy1hd3MtaWQmWC1BbXotU2lnbmF0dXJlPTY1MTY3YzlhOGIzNjQ0ZDFhNjljZmNmMTMzMDg2MDA4NDVhOTliNGVhZTg0ZjAxZGVjY2M3NDQ5MjVmMzBiYTY'

describe('EKS token verification against moto', () => {
  let moto: Moto
  let token: string
  let url: string
  let creds: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string }

  beforeAll(async () => {
    moto = await startMoto({ warmRegion: region })
    await moto.seed({
      region,
      clusterName: 'demo',
      kubernetesVersion: '1.31',
      endpoint: 'https://127.0.0.1:6443',
      caData: Buffer.from('ca').toString('base64')
    })
    const sts = new STSClient({ region, endpoint: moto.url })
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: 'arn:aws:iam::123456789012:role/eks-cni-deployer',
        RoleSessionName: 'GitHubActions',
        WebIdentityToken: githubJwt()
      })
    )
    creds = out.Credentials as typeof creds
    // The real awscli presigns locally; AWS_ENDPOINT_URL must not leak into the STS host.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_ACCESS_KEY_ID: creds.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.SecretAccessKey,
      AWS_SESSION_TOKEN: creds.SessionToken,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null'
    }
    delete env.AWS_ENDPOINT_URL
    delete env.AWS_PROFILE
    const { stdout } = await run(
      'aws',
      ['eks', 'get-token', '--cluster-name', 'demo', '--region', region],
      { env }
    )
    token = JSON.parse(stdout).status.token
    url = decodeEksToken(token)!
  })
  afterAll(async () => moto?.close())

  const identify = (u: string, c: string): Promise<Identity> => moto.identify(u, c)
  const verify = (t: string, extra: { clusterName?: string; now?: Date; region?: string } = {}) =>
    verifyEksToken(t, { region, clusterName: 'demo', identify, ...extra })
  const reasonOf = async (p: Promise<{ ok: boolean; reason?: string }>) =>
    ((await p) as { reason: string }).reason

  it('accepts the awscli token and names the assumed role', async () => {
    expect(new URL(url).host).toBe('sts.ap-northeast-2.amazonaws.com')
    expect(await verify(token)).toEqual({ ok: true, arn: ARN })
  })

  it('rejects the token for another cluster name (the signature covers x-k8s-aws-id)', async () => {
    expect(await reasonOf(verify(token, { clusterName: 'other' }))).toMatch(
      /^STS: SignatureDoesNotMatch/
    )
  })

  it('rejects a tampered signature and a tampered session token', async () => {
    const sig = new URL(url).searchParams.get('X-Amz-Signature')!
    const flipped = sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0')
    expect(await reasonOf(verify(encode(url.replace(sig, flipped))))).toMatch(
      /SignatureDoesNotMatch/
    )
    const u = new URL(url)
    u.searchParams.set('X-Amz-Security-Token', 'forged')
    expect(await reasonOf(verify(encode(u.toString())))).toMatch(/^STS: InvalidClientTokenId/)
  })

  it('rejects an unknown access key id', async () => {
    const r = await moto.identify(url.replace(creds.AccessKeyId, 'ASIAUNKNOWN000000000'), 'demo')
    expect(r).toMatchObject({ ok: false, code: 'InvalidClientTokenId' })
  })

  it('rejects a credential scoped to another region than the STS host (as STS does)', async () => {
    // Same signature, but sent to us-west-2's host: STS refuses the scope before the signature.
    const moved = url.replace('sts.ap-northeast-2.amazonaws.com', 'sts.us-west-2.amazonaws.com')
    expect(await moto.identify(moved, 'demo')).toMatchObject({
      ok: false,
      code: 'SignatureDoesNotMatch',
      message: expect.stringContaining("scoped to a valid region, not 'ap-northeast-2'")
    })
  })

  it('rejects an expired token (16 min after X-Amz-Date) and one dated in the future', async () => {
    const date = new URL(url).searchParams.get('X-Amz-Date')!
    const signed = new Date(
      `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 11)}:${date.slice(11, 13)}:${date.slice(13)}`
    )
    const later = new Date(signed.getTime() + 16 * 60_000)
    expect(await reasonOf(verify(token, { now: later }))).toMatch(
      /X-Amz-Date parameter is expired \(15 minute/
    )
    const earlier = new Date(signed.getTime() - 10 * 60_000)
    expect(await reasonOf(verify(token, { now: earlier }))).toMatch(/in the future/)
  })

  it('rejects foreign hosts, other regions, extra parameters and duplicates', async () => {
    const foreign = url.replace('sts.ap-northeast-2.amazonaws.com', 'sts.evil.example.com')
    expect(await reasonOf(verify(encode(foreign)))).toMatch(
      /unexpected hostname "sts.evil.example.com"/
    )
    expect(await reasonOf(verify(token, { region: 'us-west-2' }))).toMatch(/unexpected hostname/)
    expect(await reasonOf(verify(encode(url + '&Foo=bar')))).toMatch(
      /non-whitelisted query parameter "Foo"/
    )
    expect(await reasonOf(verify(encode(url + '&Action=GetCallerIdentity')))).toMatch(
      /multiple values/
    )
    expect(await reasonOf(verify(encode(url.replace('https:', 'http:'))))).toMatch(
      /unexpected scheme "http"/
    )
    const path = url.replace('amazonaws.com/?', 'amazonaws.com/x?')
    expect(await reasonOf(verify(encode(path)))).toMatch(/unexpected path/)
  })

  it('rejects bad base64, a missing prefix, an oversized token and unsigned cluster ids', async () => {
    expect(await reasonOf(verify('k8s-aws-v1.@@@'))).toMatch(/base64/)
    expect(await reasonOf(verify(token + '='))).toMatch(/base64/)
    expect(await reasonOf(verify(token.slice('k8s-aws-v1.'.length)))).toMatch(
      /missing expected "k8s-aws-v1." prefix/
    )
    expect(await reasonOf(verify('k8s-aws-v1.' + 'A'.repeat(5000)))).toBe('token is too large')
    const unsigned = url.replace('host%3Bx-k8s-aws-id', 'host')
    expect(await reasonOf(verify(encode(unsigned)))).toMatch(/did not sign the x-k8s-aws-id header/)
    const longExpiry = url.replace('X-Amz-Expires=60', 'X-Amz-Expires=901')
    expect(await reasonOf(verify(encode(longExpiry)))).toMatch(/invalid X-Amz-Expires/)
  })

  it('identifies an IAM user whose key signed a token with @smithy/signature-v4', async () => {
    // moto routes by the credential scope and ignores the signature of these setup calls.
    const iam = async (params: Record<string, string>): Promise<string> => {
      const res = await fetch(moto.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization:
            'AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0'
        },
        body: new URLSearchParams({ ...params, Version: '2010-05-08' }).toString()
      })
      return res.text()
    }
    await iam({ Action: 'CreateUser', UserName: 'alice' })
    const xml = await iam({ Action: 'CreateAccessKey', UserName: 'alice' })
    const tag = (t: string): string => new RegExp(`<${t}>([^<]+)</${t}>`).exec(xml)![1]
    const signer = new SignatureV4({
      credentials: { accessKeyId: tag('AccessKeyId'), secretAccessKey: tag('SecretAccessKey') },
      region,
      service: 'sts',
      sha256: Sha256
    })
    const hostname = `sts.${region}.amazonaws.com`
    const signed = await signer.presign(
      {
        method: 'GET',
        protocol: 'https:',
        hostname,
        path: '/',
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        headers: { host: hostname, 'x-k8s-aws-id': 'demo' }
      },
      { expiresIn: 60 }
    )
    const query = new URLSearchParams(signed.query as Record<string, string>).toString()
    const verdict = await verify(encode(`https://${hostname}/?${query}`))
    expect(verdict).toEqual({ ok: true, arn: 'arn:aws:iam::123456789012:user/alice' })
  })

  it('golden vector A passes the static checks and hands the URL to identify', async () => {
    const calls: [string, string][] = []
    const verdict = await verifyEksToken(VECTOR_A, {
      region,
      clusterName: 'demo',
      now: new Date('2024-01-01T00:05:00Z'),
      identify: async (u, c) => {
        calls.push([u, c])
        return { ok: true, arn: 'arn:aws:iam::123456789012:user/example', account: '123456789012' }
      }
    })
    expect(verdict).toEqual({ ok: true, arn: 'arn:aws:iam::123456789012:user/example' })
    expect(calls[0][1]).toBe('demo')
    expect(calls[0][0]).toContain(
      'X-Amz-Signature=65167c9a8b3644d1a69cfcf13308600845a99b4eae84f01deccc744925f30ba6'
    )
  })

  it('knows the STS hosts of each partition', () => {
    expect(allowedStsHosts('ap-northeast-2')).toEqual([
      'sts.ap-northeast-2.amazonaws.com',
      'sts.ap-northeast-2.api.aws',
      'sts.amazonaws.com'
    ])
    expect(allowedStsHosts('cn-north-1')).toContain('sts.cn-north-1.amazonaws.com.cn')
  })
})
