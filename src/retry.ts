/**
 * The one retry helper for what the AWS SDK does not retry itself: AssumeRoleWithWebIdentity with
 * a fresh OIDC token per attempt, Kubernetes reads and applies, and downloads. Jittered exponential
 * backoff; the sleep and the clock are injectable so tests never wait.
 */

export interface RetryOptions {
  /** Names the call in retry log lines, e.g. `sts:AssumeRoleWithWebIdentity`. */
  label: string
  /** Total attempts including the first; default 5. */
  attempts?: number
  /** First backoff ceiling in ms; doubles per attempt up to `maxMs`. Default 250. */
  baseMs?: number
  /** Backoff ceiling in ms; default 8000. */
  maxMs?: number
  /**
   * Decides whether an error is worth another attempt: `false` stops, `true` backs off, and a number
   * waits exactly that many ms (a server's Retry-After).
   */
  retryable: (error: unknown) => boolean | number
  /** Give up instead of sleeping past this time (ms since the epoch): no attempt starts after it. */
  deadline?: number
  sleep?: (ms: number) => Promise<void>
  /** The clock the deadline is read against; default Date.now. */
  now?: () => number
  /** Called before each wait with a one-line explanation. */
  onRetry?: (message: string) => void
  random?: () => number
}

export const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms))

/** Runs `fn` until it succeeds, the error is not retryable, attempts run out or the deadline nears. */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions
): Promise<T> {
  const attempts = options.attempts ?? 5
  const baseMs = options.baseMs ?? 250
  const maxMs = options.maxMs ?? 8000
  const sleep = options.sleep ?? defaultSleep
  const random = options.random ?? Math.random
  const now = options.now ?? Date.now
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt)
    } catch (error) {
      const verdict = attempt < attempts ? options.retryable(error) : false
      if (verdict === false) throw error
      // Full jitter spreads the retries of parallel matrix jobs hitting the same throttled API.
      const wait =
        typeof verdict === 'number'
          ? verdict
          : Math.round(random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1)))
      if (options.deadline !== undefined && now() + wait >= options.deadline) throw error
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
      options.onRetry?.(
        `Retry ${options.label}: attempt ${attempt + 1} of ${attempts} in ${wait} ms (${reason})`
      )
      await sleep(wait)
    }
  }
}
