/**
 * A small text download for manifests, checksums and kubectl's stable-*.txt files. Transient
 * failures (5xx, 408, 429, network errors, timeouts) are retried through the one retry helper;
 * anything else (404, 403, a wrong scheme) fails at once with the URL in the message.
 */
import * as core from '@actions/core'
import { errorMessage } from './errors.js'
import { retry } from './retry.js'

/** A non-2xx answer. Carries the URL and status so callers can map e.g. 404 to their own words. */
export class HttpStatusError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    statusText: string,
    readonly retryAfterMs?: number
  ) {
    super(`GET ${url} failed: HTTP ${status}${statusText ? ` ${statusText}` : ''}`)
    this.name = 'HttpStatusError'
  }
}

/** An https URL that redirected to plain http: never followed, never retried. */
export class InsecureRedirectError extends Error {
  constructor(url: string, to: string) {
    super(`GET ${url} redirected to ${to}: an https download never continues over plain http`)
    this.name = 'InsecureRedirectError'
  }
}

/** Tuning for {@link fetchText}; the defaults suit a GitHub-hosted runner. */
export interface FetchTextOptions {
  /** Total attempts including the first; default 4. */
  attempts?: number
  /** Per-attempt timeout in ms; default 30000. */
  timeoutMs?: number
  sleep?: (ms: number) => Promise<void>
  onRetry?: (message: string) => void
}

// A server's Retry-After is honoured only up to this, so a bad header cannot stall the job.
const MAX_RETRY_AFTER_MS = 30_000

/** Whether a failed download is worth another attempt, or how long the server asked us to wait. */
export function isRetryableDownloadError(error: unknown): boolean | number {
  if (error instanceof InsecureRedirectError) return false
  if (error instanceof HttpStatusError) {
    const transient = error.status >= 500 || error.status === 408 || error.status === 429
    if (!transient) return false
    return error.retryAfterMs !== undefined ? error.retryAfterMs : true
  }
  // Everything else thrown inside an attempt is a network failure or a timeout from fetch().
  return true
}

/**
 * GETs `url` (http or https only) and returns the body as text.
 *
 * @throws {HttpStatusError} on a non-2xx answer (after retries for transient ones)
 * @throws Error naming the URL on network failures, with the underlying error as `cause`
 */
export async function fetchText(url: string, options: FetchTextOptions = {}): Promise<string> {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch (error) {
    throw new Error(`Cannot download '${url}': not a valid URL`, { cause: error })
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`Cannot download '${url}': only https:// and http:// URLs work`)
  }
  // fetch() refuses them anyway; failing here keeps the secret out of every later message.
  if (parsed.username || parsed.password) {
    throw new Error(`Cannot download '${redactUrl(url)}': credentials in the URL are not supported`)
  }
  const timeoutMs = options.timeoutMs ?? 30_000
  return retry(() => fetchOnce(url, timeoutMs), {
    label: 'download',
    attempts: options.attempts ?? 4,
    retryable: isRetryableDownloadError,
    sleep: options.sleep,
    onRetry: options.onRetry ?? ((message) => core.info(message))
  })
}

async function fetchOnce(url: string, timeoutMs: number): Promise<string> {
  let response: Response
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' })
  } catch (error) {
    // fetch() hides the useful part (ECONNREFUSED, ENOTFOUND, …) in `cause`.
    // Duck-typed: fetch's errors may come from another realm (e.g. under jest's VM modules).
    const cause =
      typeof error === 'object' && error !== null && 'cause' in error ? error.cause : undefined
    const detail =
      cause !== undefined ? `${messageOf(error)}: ${messageOf(cause)}` : messageOf(error)
    throw new Error(`GET ${url} failed: ${detail}`, { cause: error })
  }
  if (new URL(url).protocol === 'https:' && new URL(response.url || url).protocol !== 'https:') {
    await response.arrayBuffer().catch(() => undefined)
    throw new InsecureRedirectError(url, response.url)
  }
  if (!response.ok) {
    // Drain the body so the connection can be reused or closed.
    await response.arrayBuffer().catch(() => undefined)
    throw new HttpStatusError(url, response.status, response.statusText, retryAfterMs(response))
  }
  try {
    return await response.text()
  } catch (error) {
    throw new Error(`GET ${url} failed while reading the body: ${errorMessage(error)}`, {
      cause: error
    })
  }
}

function retryAfterMs(response: Response): number | undefined {
  const header = response.headers.get('retry-after')
  if (header === null || !/^\d+$/.test(header.trim())) return undefined
  return Math.min(Number(header.trim()) * 1000, MAX_RETRY_AFTER_MS)
}

/** The URL with any user and password replaced by `***`, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (!parsed.username && !parsed.password) return url
    parsed.username = '***'
    parsed.password = ''
    return parsed.toString()
  } catch {
    return url
  }
}

/** errorMessage() for errors that may come from another realm, where `instanceof Error` fails. */
function messageOf(error: unknown): string {
  return typeof error === 'object' &&
    error !== null &&
    'message' in error &&
    typeof error.message === 'string'
    ? error.message
    : errorMessage(error)
}
