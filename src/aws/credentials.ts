/**
 * AWS credentials for the run: GitHub OIDC → STS AssumeRoleWithWebIdentity, or the SDK default
 * chain. Credentials stay in memory and are masked the moment they exist.
 */
import * as core from '@actions/core'
import { AssumeRoleWithWebIdentityCommand, type STSClient } from '@aws-sdk/client-sts'
import { decodeJwtClaims, issuerOf, trustPolicyHint } from '../auth-hints.js'
import { HintedError, errorMessage } from '../errors.js'
import { retry } from '../retry.js'
import type { AwsCredentials } from './client-config.js'
import { createStsClient } from './sts-client.js'
import { awsErrorCode, isRetryableAwsError } from './retryable.js'

/** What assumeRoleWithOidc needs; the STS client and the ID-token source are injected for tests. */
export interface AssumeRoleParams {
  sts: Pick<STSClient, 'send'>
  /** Normally core.getIDToken. */
  getIDToken: (audience: string) => Promise<string>
  roleArn: string
  sessionName: string
  durationSeconds: number
  audience: string
  sleep?: (ms: number) => Promise<void>
}

/** The ID-token request failed; @actions/core already retried it, so we do not. */
class IdTokenError extends Error {
  constructor(
    message: string,
    options: ErrorOptions,
    /** A server error or a dropped connection: worth another attempt with a fresh request. */
    readonly transient = false
  ) {
    super(message, options)
  }
}

/**
 * The toolkit's HTTP client retries only 502/503/504 and reports the rest as
 * `Error Code : <status>`; a 500 or a reset from the token service is just as transient.
 */
const TRANSIENT_ID_TOKEN_ERROR =
  /Error Code : (5\d\d|429)\b|ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|socket hang up/

/** The JWT claims that decide whether a trust policy matches. None of them is secret. */
const TRUST_CLAIMS = ['sub', 'aud', 'repository', 'ref', 'environment', 'job_workflow_ref'] as const

/**
 * core.getIDToken(audience) → AssumeRoleWithWebIdentity on the region's endpoint, with a fresh ID
 * token per attempt and jittered retries on throttling/5xx/network. The returned keys are masked
 * with core.setSecret as soon as STS answers and are never written anywhere.
 */
export async function assumeRoleWithOidc(
  p: AssumeRoleParams
): Promise<AwsCredentials & { assumedRoleArn: string }> {
  requireOidcEnv(p.roleArn)
  let idToken = ''
  let response
  try {
    response = await retry(
      async () => {
        // A fresh token each attempt: a retried call must not present an expired or replayed JWT.
        idToken = await fetchIdToken(p)
        return await p.sts.send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: p.roleArn,
            RoleSessionName: p.sessionName,
            WebIdentityToken: idToken,
            DurationSeconds: p.durationSeconds
          })
        )
      },
      {
        label: 'sts:AssumeRoleWithWebIdentity',
        retryable: isRetryableAssumeRoleError,
        sleep: p.sleep,
        onRetry: (message) => core.info(message)
      }
    )
  } catch (error) {
    if (error instanceof IdTokenError) throw error
    throw explainAssumeRoleFailure(error, p, idToken)
  }
  const c = response.Credentials
  for (const secret of [c?.AccessKeyId, c?.SecretAccessKey, c?.SessionToken]) {
    if (secret) core.setSecret(secret)
  }
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
    throw new Error(`STS AssumeRoleWithWebIdentity for '${p.roleArn}' returned no credentials`)
  }
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration: c.Expiration,
    assumedRoleArn: response.AssumedRoleUser?.Arn ?? p.roleArn
  }
}

/**
 * Without role-to-assume: resolve the SDK default chain once, so a missing or broken
 * configuration fails here with a clear message instead of inside the first EKS call.
 */
export async function defaultCredentials(region: string): Promise<AwsCredentials> {
  let identity
  try {
    identity = await createStsClient(region).config.credentials()
  } catch (error) {
    throw new Error(
      `No AWS credentials found: ${errorMessage(error)}. Set role-to-assume to use GitHub OIDC, ` +
        'or configure credentials in an earlier step (e.g. aws-actions/configure-aws-credentials).',
      { cause: error }
    )
  }
  for (const secret of [identity.accessKeyId, identity.secretAccessKey, identity.sessionToken]) {
    if (secret) core.setSecret(secret)
  }
  return {
    accessKeyId: identity.accessKeyId,
    secretAccessKey: identity.secretAccessKey,
    sessionToken: identity.sessionToken,
    expiration: identity.expiration
  }
}

function requireOidcEnv(roleArn: string): void {
  if (process.env.ACTIONS_ID_TOKEN_REQUEST_URL && process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) return
  throw new Error(missingOidcMessage(roleArn))
}

function missingOidcMessage(roleArn: string): string {
  return (
    `Cannot assume role '${roleArn}': GitHub gave this job no OIDC token ` +
    '(ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set). ' +
    'Add `permissions: id-token: write` to the job or workflow. Pull requests from forks never ' +
    'get one; there, leave role-to-assume empty and provide credentials another way.'
  )
}

async function fetchIdToken(p: AssumeRoleParams): Promise<string> {
  try {
    return await p.getIDToken(p.audience)
  } catch (error) {
    const message = errorMessage(error)
    if (/ACTIONS_ID_TOKEN_REQUEST/.test(message)) {
      throw new IdTokenError(missingOidcMessage(p.roleArn), { cause: error })
    }
    throw new IdTokenError(
      `Failed to get a GitHub OIDC token for audience '${p.audience}': ${message}`,
      { cause: error },
      TRANSIENT_ID_TOKEN_ERROR.test(message)
    )
  }
}

function isRetryableAssumeRoleError(error: unknown): boolean {
  if (error instanceof IdTokenError) return error.transient
  // The JWT expired between minting and STS; the next attempt mints a new one.
  if (awsErrorCode(error) === 'ExpiredTokenException') return true
  return isRetryableAwsError(error)
}

function explainAssumeRoleFailure(error: unknown, p: AssumeRoleParams, idToken: string): Error {
  // STS does not echo the token today; scrubbing keeps it that way if that ever changes.
  const reason = idToken ? errorMessage(error).split(idToken).join('***') : errorMessage(error)
  const prefix = `Could not assume role '${p.roleArn}' with GitHub OIDC: ${reason}`
  const code = awsErrorCode(error)
  // Only the claims are kept, never the token: the issuer names the IAM OIDC provider, which is
  // not github.com's on GitHub Enterprise Server or for a GHEC enterprise with its own issuer.
  const claims = decodeJwtClaims(idToken)
  const issuer = issuerOf(claims)
  let advice: string | undefined
  if (code === 'AccessDenied' || code === 'IDPRejectedClaimException') {
    advice =
      "The role's trust policy must allow sts:AssumeRoleWithWebIdentity for the " +
      `federated principal ${issuer} with a condition matching this ` +
      `repository's subject. This job's token has ${describeClaims(idToken)}.`
  } else if (code === 'InvalidIdentityToken' || code === 'InvalidIdentityTokenException') {
    advice =
      'The AWS account needs an IAM OIDC identity provider for ' +
      `https://${issuer} whose audiences include '${p.audience}'.`
  }
  if (advice) {
    // The token's claims are not secret; the hint shows which trust-policy condition failed.
    const hint = trustPolicyHint({
      roleArn: p.roleArn,
      claims,
      audience: p.audience,
      errorMessage: reason
    })
    // The hint's first line repeats `prefix`.
    const detail = hint.text.split('\n').slice(1)
    return new HintedError([`${prefix}. ${advice}`, ...detail].join('\n'), hint, { cause: error })
  }
  if (/DurationSeconds|MaxSessionDuration/.test(reason)) {
    return new Error(
      `${prefix}. Lower role-duration-seconds (${p.durationSeconds}) or raise the role's ` +
        'maximum session duration.',
      { cause: error }
    )
  }
  return new Error(prefix, { cause: error })
}

/** `sub='repo:o/r:ref:refs/heads/main', aud='sts.amazonaws.com', …` from the JWT payload. */
export function describeClaims(jwt: string): string {
  const claims = decodeJwtClaims(jwt)
  const parts = TRUST_CLAIMS.filter((k) => claims?.[k] !== undefined).map((k) => {
    const value = claims?.[k]
    return `${k}='${Array.isArray(value) ? value.join(',') : String(value)}'`
  })
  return parts.length > 0 ? `claims ${parts.join(', ')}` : 'no readable claims'
}
