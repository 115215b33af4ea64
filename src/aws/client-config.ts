/**
 * How every AWS SDK client of the action is configured, decided once: region, user agent,
 * credentials, the SDK's standard retries cut off at the run's deadline, the step-debug logger
 * and the proxy-aware request handler. Imports no service client, so the STS client for sign-in
 * can be built without loading EKS, EC2 and IAM.
 */
import * as core from '@actions/core'
import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import { StandardRetryStrategy, type StandardRetryStrategyOptions } from '@smithy/core/retry'

/** Static AWS credentials held in memory only (masked as soon as they exist). */
export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  expiration?: Date
}

/** Sent as the SDK's custom user agent so CloudTrail shows which tool made the calls. */
export const USER_AGENT = 'eks-cni-custom-networking'

/**
 * Attempts per SDK call, the first included, for EKS, EC2, IAM and GetCallerIdentity. The SDK's
 * default is 3; 5 keeps the budget the action had before the SDK retried for it.
 */
export const AWS_MAX_ATTEMPTS = 5

/** The SDK's longest backoff between two attempts. */
const MAX_BACKOFF_MS = 20_000

/** How long the SDK may keep retrying one call, and who hears of it; every field is optional. */
export interface RetryBudget {
  /** Attempts per call, the first included; default AWS_MAX_ATTEMPTS. */
  maxAttempts?: number
  /** No retry starts whose backoff would end at or after this time (ms since the epoch). */
  deadline?: number
  now?: () => number
  random?: () => number
  /** Called before each backoff with one line; createAwsClients defaults it to core.info. */
  onRetry?: (message: string) => void
}

type RetryToken = Parameters<StandardRetryStrategy['refreshRetryTokenForRetry']>[0]
type RetryErrorInfo = Parameters<StandardRetryStrategy['refreshRetryTokenForRetry']>[1]

/**
 * The SDK's standard retry strategy (throttling, transient and 5xx errors, a corrected clock skew,
 * a retry quota per client) with its own backoff formula (full jitter, doubling from the SDK's
 * base delay, at most 20 s), cut off at the deadline: a backoff that would end past it makes the
 * SDK give up and throw the last error. A Retry-After hint may still add up to 5 s. Each retry is
 * reported to `onRetry` as `Retry <label>: attempt N of M in T ms (reason)`.
 */
export function sdkRetryStrategy(label: string, budget: RetryBudget = {}): StandardRetryStrategy {
  const now = budget.now ?? Date.now
  const random = budget.random ?? Math.random
  const maxAttempts = budget.maxAttempts ?? AWS_MAX_ATTEMPTS
  let base = 0
  let lastError: unknown
  const backoff: NonNullable<StandardRetryStrategyOptions['backoff']> = {
    setDelayBase: (ms) => void (base = ms),
    computeNextBackoffDelay: (retries) => {
      const delay = Math.floor(random() * Math.min(base * 2 ** retries, MAX_BACKOFF_MS))
      if (budget.deadline !== undefined && now() + delay >= budget.deadline) {
        throw new Error('No retry before the deadline')
      }
      const reason = lastError instanceof Error ? `${lastError.name}: ${lastError.message}` : ''
      budget.onRetry?.(
        `Retry ${label}: attempt ${retries + 2} of ${maxAttempts} in ${delay} ms (${reason.split('\n')[0]})`
      )
      return delay
    }
  }
  // The strategy hands the backoff only the retry count, so the error is kept for the log line.
  return new (class extends StandardRetryStrategy {
    override refreshRetryTokenForRetry(token: RetryToken, info: RetryErrorInfo) {
      lastError = info.error
      return super.refreshRetryTokenForRetry(token, info)
    }
  })({ maxAttempts, backoff })
}

export interface ClientConfig {
  region: string
  customUserAgent: string
  maxAttempts: number
  retryStrategy?: StandardRetryStrategy
  credentials?: AwsCredentials
  requestHandler: { httpAgent: HttpAgent; httpsAgent: HttpsAgent }
  logger?: SdkLogger
}

interface SdkLogger {
  debug(...content: unknown[]): void
  info(...content: unknown[]): void
  warn(...content: unknown[]): void
  error(...content: unknown[]): void
}

/**
 * Fields whose values are secrets or identify them. The SDK's own filter replaces only what its
 * models mark sensitive (not STS's SessionToken), and it logs before the action can mask the new
 * credentials, so these are replaced here whatever the model says.
 */
const SECRET_FIELDS =
  /^(SessionToken|SecretAccessKey|AccessKeyId|WebIdentityToken|Token|Password)$/i

/**
 * With step debug on, the SDK's logger writes to core.debug: per call the client, command, input
 * and output, with every secret field replaced.
 */
function sdkLogger(): SdkLogger | undefined {
  if (!core.isDebug()) return undefined
  const redact = (key: string, value: unknown): unknown =>
    SECRET_FIELDS.test(key) && value !== undefined && value !== null ? '***' : value
  const log = (...content: unknown[]): void =>
    core.debug(
      `aws-sdk: ${content.map((c) => (typeof c === 'string' ? c : JSON.stringify(c, redact))).join(' ')}`
    )
  return { debug: log, info: log, warn: log, error: log }
}

/**
 * The SDK's Node request handler with agents that use Node's built-in proxy support: `proxyEnv`
 * makes them honour HTTPS_PROXY, HTTP_PROXY and NO_PROXY (either case), tunnelling https through
 * CONNECT. Keep-alive and 50 sockets are the handler's own defaults. One pair for all clients.
 */
let agents: ClientConfig['requestHandler'] | undefined
function requestHandler(): ClientConfig['requestHandler'] {
  agents ??= {
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 50, proxyEnv: process.env }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 50, proxyEnv: process.env })
  }
  return agents
}

export function clientConfig(
  region: string,
  credentials: AwsCredentials | undefined,
  retry: { label: string; budget: RetryBudget } | undefined
): ClientConfig {
  // Leaving `credentials` out (rather than undefined) lets the SDK fall back to its default chain.
  const config: ClientConfig = {
    region,
    customUserAgent: USER_AGENT,
    // Without a budget, one attempt: the caller retries (AssumeRoleWithWebIdentity).
    maxAttempts: retry ? (retry.budget.maxAttempts ?? AWS_MAX_ATTEMPTS) : 1,
    requestHandler: requestHandler()
  }
  // A strategy per client, so each client's retry quota is its own (as the SDK's default is).
  if (retry) config.retryStrategy = sdkRetryStrategy(retry.label, retry.budget)
  const logger = sdkLogger()
  if (logger) config.logger = logger
  if (credentials) config.credentials = credentials
  return config
}
