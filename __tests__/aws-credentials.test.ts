import { jest } from '@jest/globals'
import {
  AssumeRoleWithWebIdentityCommand,
  ExpiredTokenException,
  InvalidIdentityTokenException,
  STSServiceException
} from '@aws-sdk/client-sts'
import * as core from '../__fixtures__/core.js'

jest.unstable_mockModule('@actions/core', () => core)
const { assumeRoleWithOidc, defaultCredentials, describeClaims } =
  await import('../src/aws/credentials.js')
const { hintOf } = await import('../src/errors.js')

const ROLE = 'arn:aws:iam::123456789012:role/cni-deployer'
const CLAIMS = {
  sub: 'repo:octo/app:ref:refs/heads/main',
  aud: 'sts.amazonaws.com',
  repository: 'octo/app',
  ref: 'refs/heads/main',
  job_workflow_ref: 'octo/app/.github/workflows/deploy.yml@refs/heads/main'
}
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
const jwt = (n: number) => `${b64({ alg: 'RS256' })}.${b64({ ...CLAIMS, jti: `id-${n}` })}.sig${n}`

const OK = {
  Credentials: {
    AccessKeyId: 'ASIAEXAMPLEKEY',
    SecretAccessKey: 'secret/Key+value',
    SessionToken: 'IQoJsessiontoken==',
    Expiration: new Date('2030-01-01T00:00:00Z')
  },
  AssumedRoleUser: {
    Arn: 'arn:aws:sts::123456789012:assumed-role/cni-deployer/GitHubActions',
    AssumedRoleId: 'AROA:GitHubActions'
  },
  $metadata: {}
}

const stsError = (name: string, status: number, message: string) =>
  new STSServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message
  })

type Send = (command: AssumeRoleWithWebIdentityCommand) => Promise<typeof OK>

function setup() {
  let n = 0
  const getIDToken = jest.fn(async (_audience: string) => jwt(++n))
  const send = jest.fn<Send>()
  const sleep = jest.fn(async (_ms: number) => undefined)
  const params = {
    sts: { send } as unknown as Parameters<typeof assumeRoleWithOidc>[0]['sts'],
    getIDToken,
    roleArn: ROLE,
    sessionName: 'GitHubActions',
    durationSeconds: 3600,
    audience: 'sts.amazonaws.com',
    sleep
  }
  return { params, send, getIDToken, sleep }
}

/** The error a promise rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    if (error instanceof Error) return error
    throw error
  }
  throw new Error('expected a rejection')
}

const saved = { ...process.env }
beforeEach(() => {
  jest.clearAllMocks()
  process.env.ACTIONS_ID_TOKEN_REQUEST_URL = 'https://token.example/?api-version=2.0'
  process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = 'request-token'
})
afterEach(() => {
  process.env = { ...saved }
})

describe('assumeRoleWithOidc', () => {
  it('exchanges a GitHub OIDC token for masked role credentials', async () => {
    const { params, send, getIDToken } = setup()
    send.mockResolvedValueOnce(OK)
    const creds = await assumeRoleWithOidc(params)
    expect(creds).toEqual({
      accessKeyId: 'ASIAEXAMPLEKEY',
      secretAccessKey: 'secret/Key+value',
      sessionToken: 'IQoJsessiontoken==',
      expiration: new Date('2030-01-01T00:00:00Z'),
      assumedRoleArn: 'arn:aws:sts::123456789012:assumed-role/cni-deployer/GitHubActions'
    })
    expect(getIDToken).toHaveBeenCalledWith('sts.amazonaws.com')
    expect(send.mock.calls[0][0]).toBeInstanceOf(AssumeRoleWithWebIdentityCommand)
    expect(send.mock.calls[0][0].input).toEqual({
      RoleArn: ROLE,
      RoleSessionName: 'GitHubActions',
      WebIdentityToken: jwt(1),
      DurationSeconds: 3600
    })
    expect(core.setSecret).toHaveBeenCalledTimes(3)
    expect(core.setSecret).toHaveBeenCalledWith('ASIAEXAMPLEKEY')
    expect(core.setSecret).toHaveBeenCalledWith('secret/Key+value')
    expect(core.setSecret).toHaveBeenCalledWith('IQoJsessiontoken==')
  })

  it('never writes the credentials to env, outputs, state or the log', async () => {
    const { params, send } = setup()
    send.mockResolvedValueOnce(OK)
    await assumeRoleWithOidc(params)
    expect(core.exportVariable).not.toHaveBeenCalled()
    expect(core.setOutput).not.toHaveBeenCalled()
    expect(core.saveState).not.toHaveBeenCalled()
    const logged = JSON.stringify([
      core.info.mock.calls,
      core.debug.mock.calls,
      core.warning.mock.calls
    ])
    expect(logged).not.toContain('secret/Key+value')
    expect(logged).not.toContain('IQoJsessiontoken')
  })

  it('retries throttling with a fresh ID token for each attempt', async () => {
    const { params, send, getIDToken, sleep } = setup()
    send
      .mockRejectedValueOnce(stsError('Throttling', 400, 'Rate exceeded'))
      .mockResolvedValueOnce(OK)
    const creds = await assumeRoleWithOidc(params)
    expect(creds.accessKeyId).toBe('ASIAEXAMPLEKEY')
    expect(getIDToken).toHaveBeenCalledTimes(2)
    expect(send).toHaveBeenCalledTimes(2)
    expect(send.mock.calls[0][0].input.WebIdentityToken).toBe(jwt(1))
    expect(send.mock.calls[1][0].input.WebIdentityToken).toBe(jwt(2))
    expect(sleep).toHaveBeenCalledTimes(1)
    expect(core.info).toHaveBeenCalledWith(expect.stringContaining('sts:AssumeRoleWithWebIdentity'))
  })

  it.each([
    ['a 5xx', stsError('InternalFailure', 500, 'internal')],
    ['a dropped connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    [
      'an expired web identity token',
      new ExpiredTokenException({ message: 'Token expired', $metadata: {} })
    ]
  ])('retries %s and then succeeds', async (_what, error) => {
    const { params, send } = setup()
    send.mockRejectedValueOnce(error).mockResolvedValueOnce(OK)
    await expect(assumeRoleWithOidc(params)).resolves.toMatchObject({
      accessKeyId: 'ASIAEXAMPLEKEY'
    })
    expect(send).toHaveBeenCalledTimes(2)
  })

  it('does not retry AccessDenied and explains the trust policy without leaking the JWT', async () => {
    const { params, send, sleep } = setup()
    send.mockRejectedValue(
      stsError('AccessDenied', 403, 'Not authorized to perform sts:AssumeRoleWithWebIdentity')
    )
    const error = await rejection(assumeRoleWithOidc(params))
    expect(error).toBeInstanceOf(Error)
    expect(send).toHaveBeenCalledTimes(1)
    expect(sleep).not.toHaveBeenCalled()
    expect(error.message).toContain(ROLE)
    expect(error.message).toContain('trust policy')
    expect(error.message).toContain("sub='repo:octo/app:ref:refs/heads/main'")
    expect(error.message).toContain("aud='sts.amazonaws.com'")
    const token = jwt(1)
    for (const part of token.split('.')) expect(error.message).not.toContain(part)
    expect(error.cause).toBeInstanceOf(STSServiceException)
    // The trust-policy hint rides along for the job summary, and is in the message for the log.
    const hint = hintOf(error)
    expect(hint?.markdown).toContain('### Could not assume the AWS role')
    expect(error.message).toContain('"token.actions.githubusercontent.com:sub"')
    for (const part of token.split('.')) expect(hint?.markdown).not.toContain(part)
  })

  it('explains a missing IAM OIDC provider for InvalidIdentityToken', async () => {
    const { params, send } = setup()
    send.mockRejectedValue(
      new InvalidIdentityTokenException({
        message:
          'No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com',
        $metadata: { httpStatusCode: 400 }
      })
    )
    const error = await rejection(assumeRoleWithOidc(params))
    expect(error.message).toMatch(/IAM OIDC identity provider.*'sts\.amazonaws\.com'/)
    // The SDK names the exception InvalidIdentityTokenException; it gets the hint too.
    expect(hintOf(error)?.text).toContain('aws iam create-open-id-connect-provider')
    expect(send).toHaveBeenCalledTimes(1)
  })

  it('names the issuer of the token it holds (GHES) in the advice and the hint', async () => {
    const { params, send } = setup()
    const ghes = `${b64({ alg: 'RS256' })}.${b64({ ...CLAIMS, iss: 'https://ghes.example.com/_services/token' })}.sigGhes4242`
    params.getIDToken.mockImplementation(async () => ghes)
    send.mockRejectedValue(
      stsError('AccessDenied', 403, 'Not authorized to perform sts:AssumeRoleWithWebIdentity')
    )
    const error = await rejection(assumeRoleWithOidc(params))
    expect(error.message).toContain('federated principal ghes.example.com/_services/token')
    expect(error.message).toContain('"ghes.example.com/_services/token:sub"')
    expect(error.message).not.toContain('token.actions.githubusercontent.com')
    expect(hintOf(error)?.markdown).toContain('oidc-provider/ghes.example.com/_services/token')
    for (const part of ghes.split('.')) expect(error.message).not.toContain(part)
  })

  it('points at role-duration-seconds when the role allows shorter sessions', async () => {
    const { params, send } = setup()
    send.mockRejectedValue(
      stsError(
        'ValidationError',
        400,
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'
      )
    )
    await expect(assumeRoleWithOidc({ ...params, durationSeconds: 43200 })).rejects.toThrow(
      /role-duration-seconds \(43200\)/
    )
  })

  it('gives up after the last attempt with the role and the cause', async () => {
    const { params, send, getIDToken } = setup()
    const throttled = stsError('Throttling', 400, 'Rate exceeded')
    send.mockRejectedValue(throttled)
    const error = await rejection(assumeRoleWithOidc(params))
    expect(error.message).toMatch(new RegExp(`Could not assume role '${ROLE}'.*Rate exceeded`))
    expect(error.cause).toBe(throttled)
    expect(send).toHaveBeenCalledTimes(5)
    expect(getIDToken).toHaveBeenCalledTimes(5)
  })

  it.each(['ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'])(
    'asks for `permissions: id-token: write` when %s is missing, before any request',
    async (name) => {
      const { params, send, getIDToken } = setup()
      delete process.env[name]
      await expect(assumeRoleWithOidc(params)).rejects.toThrow('permissions: id-token: write')
      expect(getIDToken).not.toHaveBeenCalled()
      expect(send).not.toHaveBeenCalled()
    }
  )

  it('maps the toolkit error about the missing request variables to the same advice', async () => {
    const { params, send, getIDToken } = setup()
    getIDToken.mockRejectedValueOnce(
      new Error('Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable')
    )
    await expect(assumeRoleWithOidc(params)).rejects.toThrow('id-token: write')
    expect(send).not.toHaveBeenCalled()
  })

  it('retries an ID-token request that failed with a server error, with a fresh request', async () => {
    const { params, send, getIDToken } = setup()
    // The toolkit retries only 502/503/504 itself; a 500 reaches us.
    getIDToken.mockRejectedValueOnce(new Error('Failed to get ID Token. Error Code : 500'))
    send.mockResolvedValueOnce(OK)
    await expect(assumeRoleWithOidc(params)).resolves.toMatchObject({
      accessKeyId: expect.any(String)
    })
    expect(getIDToken).toHaveBeenCalledTimes(2)
    expect(send).toHaveBeenCalledTimes(1)
  })

  it('does not retry an ID-token request the token service refused', async () => {
    const { params, send, getIDToken } = setup()
    getIDToken.mockRejectedValue(new Error('Failed to get ID Token. Error Code : 403'))
    await expect(assumeRoleWithOidc(params)).rejects.toThrow(
      "Failed to get a GitHub OIDC token for audience 'sts.amazonaws.com'"
    )
    expect(getIDToken).toHaveBeenCalledTimes(1)
    expect(send).not.toHaveBeenCalled()
  })

  it('rejects an answer without credentials', async () => {
    const { params, send } = setup()
    send.mockResolvedValueOnce({ ...OK, Credentials: undefined } as unknown as typeof OK)
    await expect(assumeRoleWithOidc(params)).rejects.toThrow('returned no credentials')
  })
})

describe('describeClaims', () => {
  it('lists the trust-relevant claims only', () => {
    const text = describeClaims(jwt(7))
    expect(text).toContain("repository='octo/app'")
    expect(text).toContain(
      "job_workflow_ref='octo/app/.github/workflows/deploy.yml@refs/heads/main'"
    )
    expect(text).not.toContain('id-7')
  })

  it('copes with a token that is not a JWT', () => {
    expect(describeClaims('garbage')).toBe('no readable claims')
    expect(describeClaims('a.%%%.c')).toBe('no readable claims')
  })
})

describe('defaultCredentials', () => {
  it('resolves the default chain once and masks what it found', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAENVEXAMPLE'
    process.env.AWS_SECRET_ACCESS_KEY = 'env/secret'
    process.env.AWS_SESSION_TOKEN = 'env-session'
    const creds = await defaultCredentials('ap-northeast-2')
    expect(creds).toMatchObject({
      accessKeyId: 'AKIAENVEXAMPLE',
      secretAccessKey: 'env/secret',
      sessionToken: 'env-session'
    })
    expect(core.setSecret).toHaveBeenCalledWith('AKIAENVEXAMPLE')
    expect(core.setSecret).toHaveBeenCalledWith('env/secret')
    expect(core.setSecret).toHaveBeenCalledWith('env-session')
  })

  it('fails early and suggests role-to-assume when there are no credentials at all', async () => {
    for (const name of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_ROLE_ARN',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI'
    ]) {
      delete process.env[name]
    }
    process.env.AWS_EC2_METADATA_DISABLED = 'true'
    await expect(defaultCredentials('ap-northeast-2')).rejects.toThrow(
      /No AWS credentials found.*role-to-assume/s
    )
  })
})
