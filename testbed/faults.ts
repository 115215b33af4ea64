/**
 * Fault injection and the request log shared by every test-bed server (Kubernetes API, AWS proxy,
 * OIDC endpoint, download mirror). One log across all services is what lets the benchmark count
 * requests per run and find the longest chain of dependent requests.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Which test-bed server saw a request. */
export type Service = 'kube' | 'aws' | 'oidc' | 'mirror'

/** One request as a server saw it. */
export interface RequestLogEntry {
  /** Sequence number across the whole test bed. */
  seq: number
  service: Service
  method: string
  /** Path without the query string. */
  path: string
  /** Raw query string, without the leading `?`. */
  query: string
  /** AWS operation (`sts:AssumeRoleWithWebIdentity`, `eks:DescribeCluster`, ...), when known. */
  operation?: string
  accept?: string
  contentType?: string
  /** The Host header: the name the client asked for. */
  host?: string
  /** The client's port: with a proxy in between, the proxy's upstream connection. */
  remotePort?: number
  /** Whether an Authorization header was present (its value is never logged). */
  authorization: boolean
  /** Request body as text, for writes (kube only; AWS bodies may carry tokens and are not kept). */
  body?: string
  /** Response status; 0 when the connection was reset. */
  status: number
  /** Name of the fault rule that answered, if any. */
  fault?: string
  /**
   * The client went away before the server answered (kube): like a real API server, whose request
   * context is cancelled then, the request was dropped and a write was not applied.
   */
  cancelled?: boolean
  /** Milliseconds since the epoch, at arrival and when the response finished. */
  start: number
  end: number
}

/** A rule that makes matching requests fail or slow down. Rules are tried in order; the first match wins. */
export interface FaultRule {
  /** Label for the log. */
  name?: string
  service: Service
  method?: string
  /** Matched against the path (no query). A string is compiled as a regular expression. */
  path?: RegExp | string
  /** Matched against the AWS operation, e.g. `sts:AssumeRoleWithWebIdentity` or just `AssumeRoleWithWebIdentity`. */
  operation?: string
  /** How many matching requests this rule answers; default 1, `Infinity` for all. */
  times?: number
  /** Delay before answering (or before passing through when no status is set). */
  delayMs?: number
  /** Status to answer with. Without status, reset or body the request is only delayed. */
  status?: number
  /** Seconds for a Retry-After header. */
  retryAfter?: number
  reason?: string
  message?: string
  /** Kubernetes Status `details.causes`, for 409 FieldManagerConflict and friends. */
  causes?: unknown[]
  /** Destroy the socket instead of answering. */
  reset?: boolean
  /** Replace the response body (mirror: a corrupted download). */
  body?: string
}

interface ActiveRule extends FaultRule {
  remaining: number
  pathRe?: RegExp
}

/** A hit: the rule that matched (already consumed). */
export type FaultHit = FaultRule

export class FaultInjector {
  private rules: ActiveRule[] = []

  /** Adds rules; returns a function that removes them again. */
  add(...rules: FaultRule[]): () => void {
    const active: ActiveRule[] = rules.map((r) => ({
      ...r,
      remaining: r.times ?? 1,
      pathRe: typeof r.path === 'string' ? new RegExp(r.path) : r.path
    }))
    this.rules.push(...active)
    return () => {
      this.rules = this.rules.filter((r) => !active.includes(r))
    }
  }

  clear(): void {
    this.rules = []
  }

  /** Finds and consumes the first rule that matches this request. */
  take(service: Service, method: string, path: string, operation?: string): FaultHit | undefined {
    const rule = this.rules.find(
      (r) =>
        r.remaining > 0 &&
        r.service === service &&
        (!r.method || r.method.toUpperCase() === method.toUpperCase()) &&
        (!r.pathRe || r.pathRe.test(path)) &&
        (!r.operation ||
          (operation !== undefined &&
            (operation === r.operation || operation.endsWith(`:${r.operation}`))))
    )
    if (!rule) return undefined
    rule.remaining -= 1
    return rule
  }
}

/** The request log, bounded so a long-running test bed does not grow without limit. */
export class RequestLog {
  readonly entries: RequestLogEntry[] = []
  private seq = 0

  constructor(private readonly max = 100_000) {}

  /** Starts an entry; the caller fills in status and end, then it is already in the log. */
  begin(
    service: Service,
    req: IncomingMessage,
    extra: Partial<RequestLogEntry> = {}
  ): RequestLogEntry {
    const url = new URL(req.url ?? '/', 'http://x')
    const entry: RequestLogEntry = {
      seq: ++this.seq,
      service,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      accept: req.headers.accept,
      contentType: req.headers['content-type'],
      host: req.headers.host,
      remotePort: req.socket.remotePort,
      authorization: req.headers.authorization !== undefined,
      status: 0,
      start: Date.now(),
      end: 0,
      ...extra
    }
    this.entries.push(entry)
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max)
    return entry
  }

  /** Marks the entry finished when the response is done (or the socket closes). */
  track(entry: RequestLogEntry, res: ServerResponse): void {
    const done = (): void => {
      if (entry.end === 0) {
        entry.end = Date.now()
        if (entry.status === 0 && res.headersSent) entry.status = res.statusCode
      }
    }
    res.on('finish', done)
    res.on('close', done)
  }

  clear(): void {
    this.entries.length = 0
  }

  /** Entries since a sequence number (exclusive), for per-run accounting. */
  since(seq: number): RequestLogEntry[] {
    return this.entries.filter((e) => e.seq > seq)
  }

  get lastSeq(): number {
    return this.seq
  }
}

/** Longest delay a timer can hold; a longer one (or Infinity) holds until the signal fires. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * Sleeps; used for injected latency and held requests. With a signal, it ends early when the signal
 * fires; `Infinity` (a hang) then ends only that way.
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = ms <= MAX_TIMER_MS ? setTimeout(done, ms) : undefined
    signal?.addEventListener('abort', done, { once: true })
  })
}

/**
 * A signal that fires when the client disconnects before the response is complete: the request
 * context of a real API server, which is cancelled then so that an abandoned write never lands.
 */
export function clientGone(res: ServerResponse): AbortSignal {
  const controller = new AbortController()
  res.on('close', () => {
    if (!res.writableFinished) controller.abort()
  })
  return controller.signal
}
