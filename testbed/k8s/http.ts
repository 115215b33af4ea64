/** Request and response plumbing shared by the emulator's handlers. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { KubeError, statusBody, type JsonMap } from './types.js'

/** Bodies beyond this are refused; the biggest CNI manifest object is ~30 KiB. */
const MAX_BODY = 8 * 1024 * 1024

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY) {
        reject(new KubeError(413, 'RequestEntityTooLarge', 'the request body is too large'))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  contentType = 'application/json',
  headers: Record<string, string> = {}
): void {
  if (res.headersSent || res.destroyed) return
  const text = JSON.stringify(body)
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    ...headers
  })
  res.end(text)
}

export function sendError(
  res: ServerResponse,
  err: KubeError,
  headers: Record<string, string> = {}
): void {
  sendJson(
    res,
    err.code,
    statusBody(err.code, err.reason, err.message, err.details),
    'application/json',
    headers
  )
}

/** Default Status reason for a code, for injected faults that name none. */
export function reasonFor(code: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    405: 'MethodNotAllowed',
    409: 'Conflict',
    410: 'Expired',
    415: 'UnsupportedMediaType',
    422: 'Invalid',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout'
  }
  return reasons[code] ?? 'Unknown'
}

/** Parses a JSON request body into a map, as a 400 Status when it is not one. */
export function parseJsonObject(text: string): JsonMap {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new KubeError(400, 'BadRequest', `error decoding request body: ${(e as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KubeError(400, 'BadRequest', 'the request body must be a JSON object')
  }
  return value as JsonMap
}
