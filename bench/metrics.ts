/**
 * The benchmark's pure computations: medians, ratios, the longest chain of dependent requests in a
 * request log, and target verdicts. Kept apart from the I/O in bench.ts so they can be unit-tested.
 */
import type { RunKind, RunRecord } from './runs.js'

/** The fields of a test-bed request log entry that the chain analysis needs. */
export interface TimedRequest {
  seq: number
  service: string
  method: string
  path: string
  operation?: string
  status: number
  /** Milliseconds since the epoch, at arrival and when the response finished. */
  start: number
  end: number
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list')
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** `num / den`, or NaN when the denominator is not positive (a ratio to nothing means nothing). */
export function ratio(num: number, den: number): number {
  return den > 0 ? num / den : Number.NaN
}

/**
 * The longest chain of dependent requests: a request depends on an earlier one when it started
 * after (or in the same millisecond as) that one ended, because only then can the client have used
 * its answer. Dynamic programming over the entries sorted by start: O(n²), fine for a few hundred
 * requests. Entries that never finished (`end` 0) cannot be waited on and are left out. Between
 * equally long predecessors the one that finished last wins: it is the one that gated the request,
 * so the chain printed is the critical path.
 *
 * Timestamps are whole milliseconds, so with no injected latency two concurrent requests that both
 * finish within one millisecond may look dependent; with latency injected the chain is exact.
 */
export function longestDependentChain<T extends TimedRequest>(entries: readonly T[]): T[] {
  const done = entries
    .filter((e) => e.end > 0 && e.end >= e.start)
    .sort((a, b) => a.start - b.start || a.seq - b.seq)
  const length: number[] = new Array<number>(done.length).fill(1)
  const prev: number[] = new Array<number>(done.length).fill(-1)
  let best = -1
  for (let i = 0; i < done.length; i++) {
    for (let j = 0; j < i; j++) {
      if (done[j].end > done[i].start) continue
      const longer = length[j] + 1 > length[i]
      const later = length[j] + 1 === length[i] && prev[i] >= 0 && done[j].end > done[prev[i]].end
      if (longer || later) {
        length[i] = length[j] + 1
        prev[i] = j
      }
    }
    if (best < 0 || length[i] > length[best]) best = i
  }
  const chain: T[] = []
  for (let k = best; k >= 0; k = prev[k]) chain.unshift(done[k])
  return chain
}

/** How a chain's time splits: waiting on requests, and the client's own time between them. */
export function chainBreakdown(chain: readonly TimedRequest[]): {
  requestMs: number
  gapMs: number
} {
  let requestMs = 0
  let gapMs = 0
  chain.forEach((e, i) => {
    requestMs += e.end - e.start
    if (i > 0) gapMs += e.start - chain[i - 1].end
  })
  return { requestMs, gapMs }
}

/** A short label for a request: the AWS operation when known, else method and path. */
export function describeRequest(e: TimedRequest): string {
  const what = e.operation ?? `${e.method} ${e.path}`
  return `${e.service} ${what} → ${e.status} (${e.end - e.start} ms)`
}

/** The chain as a numbered list, with offsets from its first request. */
export function renderChain(chain: readonly TimedRequest[]): string[] {
  const t0 = chain[0]?.start ?? 0
  return chain.map((e, i) => `${i + 1}. +${e.start - t0} ms ${describeRequest(e)}`)
}

/** Every request of a run as indented `+start–end ms label` lines, in start order. */
export function renderTimeline(log: readonly TimedRequest[]): string[] {
  const t0 = Math.min(...log.map((e) => e.start))
  return [...log]
    .sort((x, y) => x.start - y.start || x.seq - y.seq)
    .map((e) => `    +${e.start - t0}–${e.end - t0} ms ${describeRequest(e)}`)
}

/** Medians of one kind at one latency. */
export interface Summary {
  wall: number
  min: number
  max: number
  requests: number
  chain: number
  chainMax: number
  mainRss: number
  main: number
  post: number
  startup: number
  tail: number
  /** Time the critical path spends waiting on responses. */
  waiting: number
}

/** Summarises the runs of one kind at one latency; NaN everywhere when there are none. */
export function summarize(runs: RunRecord[], kind: RunKind, latencyMs: number): Summary {
  const rs = runs.filter((r) => r.kind === kind && r.latencyMs === latencyMs)
  const med = (f: (r: RunRecord) => number | undefined): number => {
    const xs = rs.map(f).filter((x): x is number => x !== undefined)
    return xs.length ? median(xs) : Number.NaN
  }
  const walls = rs.map((r) => r.wallMs)
  return {
    wall: med((r) => r.wallMs),
    min: walls.length ? Math.min(...walls) : Number.NaN,
    max: walls.length ? Math.max(...walls) : Number.NaN,
    requests: med((r) => r.requests),
    chain: med((r) => r.chain.length),
    chainMax: rs.length ? Math.max(...rs.map((r) => r.chain.length)) : Number.NaN,
    mainRss: med((r) => r.mainRssKiB),
    main: med((r) => r.mainMs),
    post: med((r) => r.postMs),
    startup: med((r) => r.startupMs),
    tail: med((r) => r.tailMs),
    waiting: med((r) => chainBreakdown(r.chain).requestMs)
  }
}

/** Whether a measured value meets a `≤ limit` target; NaN (not measured) never does. */
export function meets(value: number, limit: number): boolean {
  return Number.isFinite(value) && value <= limit
}

/** PASS or MISS, as RESULTS.md prints it. */
export function verdict(value: number, limit: number): 'PASS' | 'MISS' {
  return meets(value, limit) ? 'PASS' : 'MISS'
}

/** Milliseconds for a table cell: whole ms, or `n/a`. */
export function fmtMs(ms: number): string {
  return Number.isFinite(ms) ? `${Math.round(ms)} ms` : 'n/a'
}

/** A ratio for a table cell; three decimals, so a miss by a hair does not print as the limit. */
export function fmtRatio(r: number): string {
  return Number.isFinite(r) ? r.toFixed(3) : 'n/a'
}

/** Bytes as KiB/MiB for a table cell. */
export function fmtBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`
  return `${(bytes / 1024).toFixed(1)} KiB`
}

/** Parses GNU time's `%M` lines (max RSS in KiB, one per process) into KiB values. */
export function parseMaxRss(text: string): number[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\d+$/.test(l))
    .map(Number)
}

/**
 * What a run sent, by object: `kind/name` (or the AWS operation, or the mirror path) with the
 * methods used on it, e.g. `clusterroles/aws-node (GET, PATCH)`.
 */
export function objectsOf(r: RunRecord): Map<string, Set<string>> {
  const objects = new Map<string, Set<string>>()
  for (const e of r.log ?? []) {
    const parts = e.path.split('?')[0].split('/').filter(Boolean)
    const key =
      e.operation ?? (e.service === 'kube' ? parts.slice(-2).join('/') : `${e.service} ${e.path}`)
    const methods = objects.get(key) ?? new Set<string>()
    methods.add(e.operation ? 'call' : e.method)
    objects.set(key, methods)
  }
  return objects
}

/** The objects named by `keys`, each with its methods. */
export const describeObjects = (keys: string[], objects: Map<string, Set<string>>): string =>
  keys.map((k) => `${k} (${[...(objects.get(k) ?? [])].join(', ')})`).join('; ')
