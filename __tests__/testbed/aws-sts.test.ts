import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import {
  STSClient,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand
} from '@aws-sdk/client-sts'
import { startMoto, type Moto, type SeedResult } from '../../testbed/aws/moto.js'
import { githubJwt, unsignedJwt, githubClaims } from '../../testbed/aws/jwt.js'

const run = promisify(execFile)
const region = 'ap-northeast-2'
const caData = Buffer.from('ca').toString('base64')

describe('moto STS AssumeRoleWithWebIdentity (patched to behave like real STS)', () => {
  let moto: Moto
  let seeded: SeedResult
  let sts: STSClient

  beforeAll(async () => {
    moto = await startMoto({ warmRegion: region })
    seeded = await moto.seed({
      region,
      clusterName: 'demo',
      kubernetesVersion: '1.31',
      endpoint: 'https://127.0.0.1:6443',
      caData
    })
    // A second role whose trust policy pins one exact branch (StringLike with '?' and arrays).
    await moto.seed({
      region,
      clusterName: 'pinned',
      kubernetesVersion: '1.31',
      endpoint: 'https://127.0.0.1:6443',
      caData,
      roleName: 'pinned-role',
      oidcSubjects: [
        'repo:octo-org/octo-repo:ref:refs/heads/mai?',
        'repo:octo-org/octo-repo:environment:prod'
      ]
    })
    sts = new STSClient({ region, endpoint: moto.url })
  })
  afterAll(async () => moto?.close())

  const assume = (token: string, roleArn = seeded.roleArn) =>
    sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn,
        RoleSessionName: 'GitHubActions',
        WebIdentityToken: token,
        DurationSeconds: 3600
      })
    )

  /** The error the SDK raised: name (the STS code), HTTP status, message. */
  const failure = async (token: string, roleArn?: string) => {
    type SdkError = Error & { Code?: string; $metadata?: { httpStatusCode?: number } }
    const e: SdkError = await assume(token, roleArn).then(
      () => {
        throw new Error('expected AssumeRoleWithWebIdentity to fail')
      },
      (err) => err
    )
    // `name` is the SDK's class name (InvalidIdentityTokenException), `Code` the wire code.
    return {
      name: e.name,
      code: e.Code,
      status: e.$metadata?.httpStatusCode,
      message: e.message
    }
  }

  /** `aws sts assume-role-with-web-identity` against moto, without any local credentials. */
  const cliAssume = (token: string) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_ENDPOINT_URL: moto.url,
      AWS_CONFIG_FILE: '/dev/null'
    }
    for (const k of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE'
    ]) {
      delete env[k]
    }
    const args = ['sts', 'assume-role-with-web-identity', '--role-arn', seeded.roleArn]
    args.push('--role-session-name', 'GitHubActions', '--web-identity-token', token)
    return run('aws', [...args, '--region', region, '--output', 'json'], { env })
  }

  it('the real aws CLI assumes the role with a matching token', async () => {
    const out = JSON.parse((await cliAssume(githubJwt())).stdout)
    expect(out.AssumedRoleUser.Arn).toBe(
      'arn:aws:sts::123456789012:assumed-role/eks-cni-deployer/GitHubActions'
    )
    expect(out.Credentials.AccessKeyId).toMatch(/^ASIA/)
  })

  it('the real aws CLI gets AccessDenied for another repository', async () => {
    const err = await cliAssume(githubJwt('evil-org/octo-repo')).catch((e) => e)
    expect(err.code).toBe(255) // awscli v1 exits 255 on a service error
    expect(err.stderr).toContain(
      'An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: ' +
        'Not authorized to perform sts:AssumeRoleWithWebIdentity'
    )
  })

  it('the SDK gets working credentials for the assumed role', async () => {
    const out = await assume(githubJwt())
    expect(out.AssumedRoleUser?.Arn).toBe(
      'arn:aws:sts::123456789012:assumed-role/eks-cni-deployer/GitHubActions'
    )
    const c = out.Credentials!
    const me = await new STSClient({
      region,
      endpoint: moto.url,
      credentials: {
        accessKeyId: c.AccessKeyId!,
        secretAccessKey: c.SecretAccessKey!,
        sessionToken: c.SessionToken
      }
    }).send(new GetCallerIdentityCommand({}))
    expect(me.Arn).toBe(out.AssumedRoleUser?.Arn)
  })

  it('AccessDenied (403) when sub does not match the trust policy', async () => {
    expect(await failure(githubJwt('octo-org/other-repo'))).toEqual({
      name: 'AccessDenied',
      code: 'AccessDenied',
      status: 403,
      message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity'
    })
  })

  it('AccessDenied for a role that does not exist', async () => {
    const f = await failure(githubJwt(), 'arn:aws:iam::123456789012:role/no-such-role')
    expect(f).toMatchObject({ name: 'AccessDenied', status: 403 })
  })

  it('StringLike honours ? and any-of arrays', async () => {
    const pinned = 'arn:aws:iam::123456789012:role/pinned-role'
    await expect(assume(githubJwt(), pinned)).resolves.toBeDefined()
    const prod = githubJwt(undefined, { sub: 'repo:octo-org/octo-repo:environment:prod' })
    await expect(assume(prod, pinned)).resolves.toBeDefined()
    const feature = githubJwt(undefined, { sub: 'repo:octo-org/octo-repo:ref:refs/heads/feature' })
    expect(await failure(feature, pinned)).toMatchObject({ name: 'AccessDenied' })
  })

  it('InvalidIdentityToken when aud is not a client id of the provider (as real STS)', async () => {
    expect(await failure(githubJwt(undefined, { aud: 'sigstore' }))).toEqual({
      name: 'InvalidIdentityTokenException',
      code: 'InvalidIdentityToken',
      status: 400,
      message: 'Incorrect token audience'
    })
  })

  it('InvalidIdentityToken when no OIDC provider matches iss (as real STS)', async () => {
    const f = await failure(githubJwt(undefined, { iss: 'https://gitlab.example.com' }))
    expect(f).toMatchObject({
      name: 'InvalidIdentityTokenException',
      code: 'InvalidIdentityToken',
      message: 'No OpenIDConnect provider found in your account for https://gitlab.example.com'
    })
  })

  it('ExpiredTokenException for a token past exp', async () => {
    const claims = githubClaims(undefined, {}, new Date(Date.now() - 3600_000))
    const f = await failure(unsignedJwt({ ...claims }))
    expect(f).toMatchObject({
      name: 'ExpiredTokenException',
      code: 'ExpiredTokenException',
      status: 400
    })
    expect(f.message).toMatch(/^Token expired/)
  })

  it('InvalidIdentityToken for a malformed token', async () => {
    expect(await failure('not-a-jwt')).toMatchObject({
      code: 'InvalidIdentityToken',
      status: 400
    })
    expect(await failure('a.!!!.c')).toMatchObject({ code: 'InvalidIdentityToken' })
  })
})
