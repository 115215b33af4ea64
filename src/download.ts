/**
 * A small text download for manifests, checksums and kubectl's stable-*.txt files. Transient
 * failures (5xx, 408, 429, network errors, timeouts) are retried through the one retry helper;
 * anything else (404, 403, a wrong scheme) fails at once with the URL in the message.
 */
import * as core from '@actions/core'
import { createWriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream } from 'node:stream/web'
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
  /** Give up instead of waiting to retry past this time (ms since the epoch): the run's deadline. */
  deadline?: number
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
  checkUrl(url)
  const timeoutMs = options.timeoutMs ?? 30_000
  return retry(() => fetchOnce(url, timeoutMs), {
    label: 'download',
    attempts: options.attempts ?? 4,
    retryable: isRetryableDownloadError,
    deadline: options.deadline,
    sleep: options.sleep,
    onRetry: options.onRetry ?? ((message) => core.info(message))
  })
}

async function fetchOnce(url: string, timeoutMs: number): Promise<string> {
  const response = await request(url, AbortSignal.timeout(timeoutMs))
  try {
    return await response.text()
  } catch (error) {
    throw new Error(`GET ${url} failed while reading the body: ${errorMessage(error)}`, {
      cause: error
    })
  }
}

/**
 * GETs `url` into the file `dest` (created, or replaced on each attempt), with the retries of
 * {@link fetchText}. A download cannot outlive `deadline`: the attempt in flight is aborted then,
 * and no retry starts if its backoff would end after it. This replaces tool-cache's downloadTool,
 * whose own retries sleep 10-20 s whatever the run's budget.
 *
 * @throws {HttpStatusError} on a non-2xx answer (after retries for transient ones)
 */
export async function downloadFile(
  url: string,
  dest: string,
  options: Omit<FetchTextOptions, 'timeoutMs'> = {}
): Promise<void> {
  checkUrl(url)
  const { deadline } = options
  await mkdir(dirname(dest), { recursive: true })
  try {
    await retry(
      async () => {
        const remaining = deadline === undefined ? undefined : deadline - Date.now()
        if (remaining !== undefined && remaining <= 0) {
          throw new DeadlineError(`GET ${url} was not attempted: the run's timeout-seconds ran out`)
        }
        const signal =
          remaining === undefined ? new AbortController().signal : AbortSignal.timeout(remaining)
        const response = await request(url, signal)
        if (!response.body) throw new Error(`GET ${url} failed: the answer has no body`)
        try {
          await pipeline(
            Readable.fromWeb(response.body as ReadableStream<Uint8Array>, { signal }),
            createWriteStream(dest)
          )
        } catch (error) {
          throw new Error(`GET ${url} failed while reading the body: ${messageOf(error)}`, {
            cause: error
          })
        }
      },
      {
        label: 'download',
        attempts: options.attempts ?? 4,
        retryable: (error) => !(error instanceof DeadlineError) && isRetryableDownloadError(error),
        deadline,
        sleep: options.sleep,
        onRetry: options.onRetry ?? ((message) => core.info(message))
      }
    )
  } catch (error) {
    await rm(dest, { force: true })
    throw error
  }
}

/** Only plain http(s) URLs without credentials; the message never shows a password. */
function checkUrl(url: string): void {
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
}

/** The run's deadline passed before a download attempt could start. */
class DeadlineError extends Error {}

/** One GET: the response of a 2xx answer; an Error naming the URL otherwise. */
async function request(url: string, signal: AbortSignal): Promise<Response> {
  let response: Response
  try {
    response = await fetch(url, { signal, redirect: 'follow' })
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
  return response
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
