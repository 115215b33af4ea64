/**
 * Polling with an injectable clock and sleep, within the run's deadline: used for the cluster to
 * turn ACTIVE, an add-on update to turn Successful and the add-on to turn ACTIVE. Every poll logs
 * one progress line; the last sleep is cut to the time that is left, so a wait never overruns.
 */

/** Time seams: tests pass a fake clock whose sleep advances it. */
export interface Clock {
  /** ms since the epoch. */
  now: () => number
  sleep: (ms: number) => Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms))
}

/** How an add-on step polls: until the run's deadline, at an interval, on a clock, with a log. */
export interface PollSettings {
  /** ms since the epoch: the run's deadline (timeout-seconds). */
  deadline: number
  /** Pause between polls (each step has its own default). */
  intervalMs?: number
  clock?: Clock
  log?: (line: string) => void
}

/** What one reading means. */
export type Verdict =
  { state: 'done' } | { state: 'pending'; status: string } | { state: 'failed'; message: string }

export interface PollOptions<T> {
  /** What is awaited, for log lines and errors: "cluster 'demo' to be ACTIVE". */
  label: string
  read: () => Promise<T>
  judge: (value: T) => Verdict
  /** ms since the epoch after which the wait gives up. */
  deadline: number
  /** Pause between readings, in ms. */
  intervalMs: number
  clock?: Clock
  log?: (line: string) => void
}

/** Thrown when the deadline passes first; `lastStatus` is the last status read. */
export class WaitTimeoutError extends Error {
  constructor(
    message: string,
    readonly lastStatus: string
  ) {
    super(message)
    this.name = 'WaitTimeoutError'
  }
}

/** Reads until the verdict is done (returns the last value), failed (throws) or time runs out. */
export async function poll<T>(options: PollOptions<T>): Promise<T> {
  const clock = options.clock ?? systemClock
  const log = options.log ?? (() => undefined)
  const start = clock.now()
  for (;;) {
    const value = await options.read()
    const verdict = options.judge(value)
    if (verdict.state === 'done') return value
    if (verdict.state === 'failed') throw new Error(verdict.message)
    const now = clock.now()
    const left = options.deadline - now
    const elapsed = Math.round((now - start) / 1000)
    if (left <= 0) {
      throw new WaitTimeoutError(
        `Timed out after ${elapsed} s waiting for ${options.label}; it is still ${verdict.status}`,
        verdict.status
      )
    }
    log(
      `Waiting for ${options.label}: ${verdict.status} (${elapsed} s elapsed, ` +
        `${Math.ceil(left / 1000)} s left)`
    )
    await clock.sleep(Math.min(options.intervalMs, left))
  }
}

/** The DescribeCluster status poll: CREATING/UPDATING wait, ACTIVE ends, anything else fails. */
export function clusterActiveVerdict(clusterName: string) {
  return (status: string): Verdict => {
    if (status === 'ACTIVE') return { state: 'done' }
    if (status === 'CREATING' || status === 'UPDATING') return { state: 'pending', status }
    return {
      state: 'failed',
      message: `EKS cluster '${clusterName}' turned ${status} while waiting for it to be ACTIVE`
    }
  }
}

/**
 * Waits for the cluster to be ACTIVE. `readStatus` is DescribeCluster's status (the caller's
 * describe with retry); the caller describes again afterwards and decides the mode again.
 */
export function waitForClusterActive(
  clusterName: string,
  readStatus: () => Promise<string>,
  options: { deadline: number; intervalMs?: number; clock?: Clock; log?: (line: string) => void }
): Promise<string> {
  return poll({
    label: `EKS cluster '${clusterName}' to be ACTIVE`,
    read: readStatus,
    judge: clusterActiveVerdict(clusterName),
    deadline: options.deadline,
    intervalMs: options.intervalMs ?? 10_000,
    clock: options.clock,
    log: options.log
  })
}
