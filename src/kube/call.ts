/**
 * How one Kubernetes call is made: its own AbortSignal (the request's timeout or the run's
 * deadline), one token re-mint after a 401, the retry policy, and errors that explain themselves.
 */
import { retry } from '../retry.js'
import {
  accessDeniedError,
  describeKubeError,
  endpointUnreachableError,
  isConnectTimeout,
  isRetryableKubeError,
  kubeStatus
} from './errors.js'
import type { KubeClientOptions } from './client.js'

/** A request that got no answer in this long is aborted (and retried if the deadline allows). */
const REQUEST_TIMEOUT_MS = 30_000
/** TCP and TLS connect timeout; three misses in a row on a fresh client mean "unreachable". */
export const CONNECT_TIMEOUT_MS = 10_000
const UNREACHABLE_AFTER = 3
/** A request made once the deadline has passed (to report the failure) gets this long. */
const AFTER_DEADLINE_MS = 5_000

/**
 * An AbortSignal for one request: it fires at the request's own timeout or at the run's deadline,
 * whichever comes first, with an error that says which. Aborting closes the connection, so the
 * server drops a request we have given up on instead of applying it later.
 */
function requestSignal(options: KubeClientOptions): { signal: AbortSignal; done: () => void } {
  const perRequest = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS
  const remaining =
    options.deadline === undefined ? Infinity : options.deadline - (options.now ?? Date.now)()
  const atDeadline = remaining > 0 && remaining < perRequest
  const ms = remaining > 0 ? Math.min(perRequest, remaining) : AFTER_DEADLINE_MS
  const reason = atDeadline
    ? Object.assign(new Error('still no answer at the deadline (timeout-seconds)'), {
        code: 'EDEADLINE'
      })
    : Object.assign(new Error(`no answer in ${ms / 1000} s`), { code: 'ETIMEDOUT' })
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(reason), ms)
  timer.unref()
  return { signal: controller.signal, done: () => clearTimeout(timer) }
}

/**
 * Wraps each call: its own AbortSignal, one re-mint after a 401 (the token may have expired
 * mid-run), retries with jittered backoff on 429/5xx (honouring Retry-After), connection errors
 * and, for applies, 409; an endpoint that never accepts a connection fails after three connect
 * timeouts with what DescribeCluster says about its access; other errors explain themselves.
 */
export function callWith(options: KubeClientOptions) {
  let answered = false
  let connectMisses = 0
  const debug = options.onDebug
  const once = async <T>(fn: (signal: AbortSignal) => Promise<T>) => {
    const { signal, done } = requestSignal(options)
    try {
      const result = await fn(signal)
      answered = true
      return result
    } catch (error) {
      if (kubeStatus(error) !== undefined) answered = true
      // fetch rejects with the abort reason; prefer the reason in case anything wrapped it.
      throw signal.aborted ? signal.reason : error
    } finally {
      done()
    }
  }
  return async <T>(
    label: string,
    fn: (signal: AbortSignal) => Promise<T>,
    how: { retryConflicts?: boolean } = {}
  ): Promise<T> => {
    let reminted = false
    try {
      return await retry(
        async () => {
          try {
            return await once(fn)
          } catch (error) {
            if (kubeStatus(error) !== 401 || reminted) throw error
            reminted = true
            debug?.(`kube: ${label}: HTTP 401, re-minting the EKS token and trying once more`)
            options.tokens.invalidate()
            return await once(fn)
          }
        },
        {
          label: `kube: ${label}`,
          attempts: 8,
          retryable: (error) => {
            if (isConnectTimeout(error) && !answered) {
              // The connect timeout has already waited; try again at once, a few times.
              return ++connectMisses < UNREACHABLE_AFTER ? 0 : false
            }
            return isRetryableKubeError(error, how.retryConflicts === true)
          },
          deadline: options.deadline,
          sleep: options.sleep,
          onRetry: options.onRetry
        }
      )
    } catch (error) {
      const status = kubeStatus(error)
      if (status === 401 || status === 403) {
        const caller = await options.callerArn().catch(() => undefined)
        throw accessDeniedError(error, {
          label,
          caller,
          cluster: options.cluster.name,
          region: options.region
        })
      }
      if (isConnectTimeout(error) && !answered) {
        throw endpointUnreachableError(error, {
          label,
          cluster: options.cluster.name,
          endpoint: options.cluster.endpoint,
          region: options.region,
          access: options.cluster.endpointAccess
        })
      }
      throw new Error(`Kubernetes API: ${label} failed: ${describeKubeError(error)}`, {
        cause: error
      })
    }
  }
}
