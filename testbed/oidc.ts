/**
 * A GitHub Actions OIDC token endpoint, as the runner exposes it through ACTIONS_ID_TOKEN_REQUEST_URL
 * and ACTIONS_ID_TOKEN_REQUEST_TOKEN. @actions/core appends `&audience=…` to the request URL with a
 * literal `&`, so the URL handed out already carries a query, like the real one.
 */
import {
  createPublicKey,
  createSign,
  generateKeyPair,
  randomBytes,
  randomUUID,
  timingSafeEqual
} from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { delay, type FaultInjector, type RequestLog } from './faults.js'

/** GitHub's issuer; the IAM OIDC provider of the role trusts exactly this URL. */
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'

export interface OidcOptions {
  /** `OWNER/REPO` the workflow runs in. */
  repo: string
  faults: FaultInjector
  log: RequestLog
  latencyMs?: number
}

export interface OidcServer {
  /** Base URL of the server. */
  url: string
  /** Value for ACTIONS_ID_TOKEN_REQUEST_URL (already has `?api-version=2.0`). */
  requestUrl: string
  /** Value for ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  requestToken: string
  /** The signing key's public half as a JWK (also served at `/.well-known/jwks`). */
  publicJwk: Record<string, unknown>
  /**
   * Replaces the claim overrides for later tokens. A `null` value removes the claim. When
   * `environment` is set and `sub` is not, `sub` follows GitHub's `repo:O/R:environment:NAME` form.
   */
  setClaims(overrides: Record<string, unknown>): void
  /** The claims the next token would carry (for tests), given an audience. */
  claims(audience?: string): Record<string, unknown>
  setLatency(ms: number): void
  close(): Promise<void>
}

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url')

/**
 * The credentials of an `Authorization: Bearer <token>` header. The scheme is case-insensitive
 * (RFC 9110, section 11.1), so `bearer` and `BEARER` count, as GitHub's docs spell it in their curl example.
 */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) +(\S+) *$/.exec(header ?? '')
  return m && m[1].toLowerCase() === 'bearer' ? m[2] : undefined
}

const sameToken = (given: string | undefined, expected: string): boolean => {
  if (given === undefined) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Starts the endpoint on 127.0.0.1 with a fresh RSA key. */
export async function startOidc(options: OidcOptions): Promise<OidcServer> {
  const { faults, log } = options
  let latencyMs = options.latencyMs ?? 0
  const [owner] = options.repo.split('/')
  const requestToken = randomBytes(24).toString('hex')
  const kid = randomBytes(8).toString('hex')
  const privateKey = await new Promise<KeyObject>((resolve, reject) =>
    generateKeyPair('rsa', { modulusLength: 2048 }, (err, _pub, priv) =>
      err ? reject(err) : resolve(priv)
    )
  )
  const publicJwk: Record<string, unknown> = {
    ...createPublicKey(privateKey).export({ format: 'jwk' }),
    kid,
    alg: 'RS256',
    use: 'sig'
  }
  let overrides: Record<string, unknown> = {}

  const claims = (audience?: string): Record<string, unknown> => {
    const now = Math.floor(Date.now() / 1000)
    const ref = (overrides.ref as string | undefined) ?? 'refs/heads/main'
    const env = overrides.environment as string | undefined
    const base: Record<string, unknown> = {
      jti: randomUUID(),
      sub: env ? `repo:${options.repo}:environment:${env}` : `repo:${options.repo}:ref:${ref}`,
      aud: audience ?? `https://github.com/${owner}`,
      ref,
      sha: 'd6cd1e2bd19e03a81132a23b2025920577f84e37',
      repository: options.repo,
      repository_owner: owner,
      repository_owner_id: '1000001',
      repository_id: '2000002',
      repository_visibility: 'private',
      run_id: '4242424242',
      run_number: '7',
      run_attempt: '1',
      actor: 'octocat',
      actor_id: '583231',
      workflow: 'deploy',
      workflow_ref: `${options.repo}/.github/workflows/deploy.yml@${ref}`,
      job_workflow_ref: `${options.repo}/.github/workflows/deploy.yml@${ref}`,
      event_name: 'push',
      ref_type: 'branch',
      runner_environment: 'github-hosted',
      iss: GITHUB_ISSUER,
      nbf: now - 5,
      iat: now,
      exp: now + 300
    }
    const merged: Record<string, unknown> = { ...base, ...overrides }
    for (const [k, v] of Object.entries(merged)) if (v === null || v === undefined) delete merged[k]
    return merged
  }

  const sign = (payload: Record<string, unknown>): string => {
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5t: kid, kid }))
    const body = b64url(JSON.stringify(payload))
    const signature = createSign('RSA-SHA256').update(`${header}.${body}`).sign(privateKey)
    return `${header}.${body}.${b64url(signature)}`
  }

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body)
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text)
    })
    res.end(text)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const entry = log.begin('oidc', req)
    log.track(entry, res)
    req.resume()
    if (latencyMs > 0) await delay(latencyMs)
    const url = new URL(req.url ?? '/', 'http://x')
    const fault = faults.take('oidc', req.method ?? 'GET', url.pathname)
    if (fault) {
      entry.fault = fault.name ?? 'fault'
      if (fault.delayMs) await delay(fault.delayMs)
      if (fault.reset) {
        req.socket.destroy()
        return
      }
      if (fault.status !== undefined || fault.body !== undefined) {
        const headers: Record<string, string> = { 'content-type': 'application/json' }
        if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter)
        res.writeHead(fault.status ?? 200, headers)
        res.end(fault.body ?? JSON.stringify({ message: fault.message ?? 'injected fault' }))
        return
      }
    }
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, { issuer: GITHUB_ISSUER, jwks_uri: `${server.url}/.well-known/jwks` })
    }
    if (url.pathname === '/.well-known/jwks') return json(res, 200, { keys: [publicJwk] })
    if (url.pathname !== '/_apis/token' || req.method !== 'GET') {
      return json(res, 404, { message: 'Not Found' })
    }
    if (!sameToken(bearerToken(req.headers.authorization), requestToken)) {
      // The runner's token service answers an unauthenticated request with 401 and no token.
      return json(res, 401, { message: 'Unauthorized: missing or invalid bearer token' })
    }
    const audience = url.searchParams.get('audience') ?? undefined
    json(res, 200, { value: sign(claims(audience)) })
  }

  const http = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { message: String(err) })
      else res.destroy()
    })
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const port = (http.address() as AddressInfo).port
  const url = `http://127.0.0.1:${port}`
  const server: OidcServer = {
    url,
    requestUrl: `${url}/_apis/token?api-version=2.0`,
    requestToken,
    publicJwk,
    setClaims: (o) => {
      overrides = { ...o }
    },
    claims,
    setLatency: (ms) => {
      latencyMs = ms
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections()
        http.close(() => resolve())
      })
  }
  return server
}
