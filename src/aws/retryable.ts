/**
 * How AWS failures are classified. The SDK clients retry on their own (clients.ts); this module
 * names an error's code and status for messages, and decides retries for the one call that keeps
 * its own loop (AssumeRoleWithWebIdentity, which needs a fresh OIDC token per attempt). The
 * throttling and transient lists are smithy's, the same ones the SDK's standard strategy uses.
 */
import { isThrottlingError, isTransientError } from '@smithy/core/retry'

/** STS could not reach the identity provider's keys; AWS documents this one as safe to retry. */
const IDP_UNREACHABLE = new Set(['IDPCommunicationError', 'IDPCommunicationErrorException'])

/** The fields of an SDK or Node error this module reads; everything is optional. */
interface ErrorShape {
  name?: unknown
  Code?: unknown
  cause?: unknown
  $metadata?: { httpStatusCode?: unknown; attempts?: unknown }
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
 * True for what the SDK's standard strategy retries (throttling, 5xx but 501, timeouts, network
 * errors, a corrected clock skew) and for IDPCommunicationError; false for anything else, and for
 * an error the SDK has already retried (its attempts are spent, and a second layer would multiply
 * them). Looks through `cause` so errors wrapped with context still classify.
 */
export function isRetryableAwsError(error: unknown): boolean {
  const attempts = asShape(error)?.$metadata?.attempts
  if (typeof attempts === 'number' && attempts > 1) return false
  return classify(error, 0)
}

function classify(error: unknown, depth: number): boolean {
  const e = asShape(error)
  if (!e || depth > 3) return false
  if (IDP_UNREACHABLE.has(awsErrorCode(e) ?? '')) return true
  const sdkError = e as Parameters<typeof isThrottlingError>[0]
  if (isThrottlingError(sdkError) || isTransientError(sdkError)) return true
  return e.cause !== undefined && classify(e.cause, depth + 1)
}
