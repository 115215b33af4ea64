/**
 * Which AWS failures deserve another attempt. The SDK's own retries are switched off (see
 * clients.ts) so that retry() is the one retry layer; this classifier is what it consults.
 */

/** Error codes that mean "slow down" across STS, EKS and EC2 (smithy's throttling list, minus quota errors). */
const THROTTLING_CODES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException'
])

/** Error codes for transient server-side trouble that a second attempt usually clears. */
const TRANSIENT_CODES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ServerException',
  // STS could not reach GitHub's OIDC keys; AWS documents this one as safe to retry.
  'IDPCommunicationError',
  'IDPCommunicationErrorException'
])

const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504])

/** Node socket errors worth retrying. ENOTFOUND is left out: a wrong endpoint will not heal. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH'
])

const NETWORK_MESSAGE = /socket hang up|ECONNRESET|ETIMEDOUT|timed? ?out/i

/** The fields of an SDK or Node error this module reads; everything is optional. */
interface ErrorShape {
  name?: unknown
  code?: unknown
  Code?: unknown
  message?: unknown
  cause?: unknown
  $metadata?: { httpStatusCode?: unknown }
  $retryable?: unknown
}

function asShape(error: unknown): ErrorShape | undefined {
  return typeof error === 'object' && error !== null ? (error as ErrorShape) : undefined
}

/** The AWS error code of an SDK exception (its name, or `Code` for some XML protocols). */
export function awsErrorCode(error: unknown): string | undefined {
  const e = asShape(error)
  if (!e) return undefined
  if (typeof e.Code === 'string') return e.Code
  return typeof e.name === 'string' ? e.name : undefined
}

/** The HTTP status of an SDK exception, when the service answered at all. */
export function awsHttpStatus(error: unknown): number | undefined {
  const status = asShape(error)?.$metadata?.httpStatusCode
  return typeof status === 'number' ? status : undefined
}

/**
 * For retry(): true for throttling (Throttling, ThrottlingException, RequestLimitExceeded,
 * TooManyRequestsException…), 5xx, and network errors (ECONNRESET, socket hang up, timeouts);
 * false otherwise. Looks through `cause` so errors we wrapped with context still classify.
 */
export function isRetryableAwsError(error: unknown): boolean {
  return classify(error, 0)
}

function classify(error: unknown, depth: number): boolean {
  const e = asShape(error)
  if (!e || depth > 3) return false
  const code = awsErrorCode(e)
  if (code && (THROTTLING_CODES.has(code) || TRANSIENT_CODES.has(code))) return true
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true
  const status = awsHttpStatus(e)
  if (status !== undefined) {
    // An answer with a 4xx status is final, whatever its message says.
    return TRANSIENT_STATUS.has(status)
  }
  if (typeof e.$retryable === 'object' && e.$retryable !== null) return true
  if (typeof e.message === 'string' && NETWORK_MESSAGE.test(e.message)) return true
  return e.cause !== undefined && classify(e.cause, depth + 1)
}
