/**
 * The checks an EKS API server (aws-iam-authenticator, pkg/token/token.go `Verify`) applies to a
 * `k8s-aws-v1.` bearer token, in the same order and with the same messages. The final step, which
 * real EKS does by sending the presigned URL to STS, is an injected `identify` (moto's control API
 * in the test bed): STS checks the signature, and since `x-k8s-aws-id` is signed, that is also
 * where a token for another cluster fails.
 */
import type { Identity } from './moto.js'

/** Outcome of {@link verifyEksToken}. */
export type TokenVerdict = { ok: true; arn: string } | { ok: false; reason: string }

/** Options for {@link verifyEksToken}. */
export interface VerifyOptions {
  /** Region of the cluster: decides which STS hosts are acceptable. */
  region: string
  /** Cluster name (what the client must have signed as x-k8s-aws-id). */
  clusterName: string
  /** Token lifetime after X-Amz-Date; the authenticator's is 15 min. */
  ttlSeconds?: number
  /** How far X-Amz-Date may lie in the future (clock skew); default 300 s, as STS allows. */
  maxSkewSeconds?: number
  now?: Date
  identify: (url: string, clusterName: string) => Promise<Identity>
}

const PREFIX = 'k8s-aws-v1.'
const MAX_TOKEN_BYTES = 4096
const CLUSTER_ID_HEADER = 'x-k8s-aws-id'
const WHITELIST = new Set([
  'action',
  'version',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-security-token',
  'x-amz-signature',
  'x-amz-signedheaders'
])

/** DNS suffix of the region's partition, as the AWS endpoints file has it. */
function dnsSuffix(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'
}

/**
 * STS hosts the authenticator accepts for the cluster's region: the regional endpoint, its
 * dual-stack variant, and the global endpoint of the partition (only aws has one).
 */
export function allowedStsHosts(region: string): string[] {
  const hosts = [`sts.${region}.${dnsSuffix(region)}`]
  hosts.push(
    region.startsWith('cn-')
      ? `sts.${region}.api.amazonwebservices.com.cn`
      : `sts.${region}.api.aws`
  )
  if (!region.startsWith('cn-') && !region.startsWith('us-gov-') && !region.startsWith('us-iso')) {
    hosts.push('sts.amazonaws.com')
  }
  return hosts
}

/** Decodes a token to its presigned URL, or null if the prefix or base64 is wrong. */
export function decodeEksToken(token: string): string | null {
  if (!token.startsWith(PREFIX)) return null
  const body = token.slice(PREFIX.length)
  // Go's RawURLEncoding: URL alphabet, no padding; Node's decoder is lenient, so check first.
  if (!/^[A-Za-z0-9_-]*$/.test(body) || body.length % 4 === 1) return null
  return Buffer.from(body, 'base64url').toString('utf8')
}

/** Parses X-Amz-Date (`yyyyMMddTHHmmssZ`). */
function parseAmzDate(s: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s)
  if (!m) return null
  const [, y, mo, d, h, mi, se] = m.map(Number)
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, se))
  // Reject rollovers such as month 13 the way Go's time.Parse would.
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && se < 60
    ? date
    : null
}

/** Static checks only (no STS call); returns the reason, or null if the token passes. */
export function checkEksTokenFormat(
  token: string,
  opts: Omit<VerifyOptions, 'identify' | 'clusterName'>
): string | null {
  if (Buffer.byteLength(token, 'utf8') > MAX_TOKEN_BYTES) return 'token is too large'
  if (!token.startsWith(PREFIX)) return `token is missing expected "${PREFIX}" prefix`
  const raw = decodeEksToken(token)
  if (raw === null) return 'illegal base64 data in token'
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'token does not decode to a URL'
  }
  if (url.protocol !== 'https:')
    return `unexpected scheme "${url.protocol.replace(/:$/, '')}" in pre-signed URL`
  if (!allowedStsHosts(opts.region).includes(url.host)) {
    return `unexpected hostname "${url.host}" in pre-signed URL`
  }
  if (url.pathname !== '/') return 'unexpected path in pre-signed URL'
  const params = new Map<string, string>()
  for (const [key, value] of url.searchParams) {
    const lower = key.toLowerCase()
    if (!WHITELIST.has(lower)) return `non-whitelisted query parameter "${key}"`
    if (params.has(lower)) return 'query parameter with multiple values not supported'
    params.set(lower, value)
  }
  if (params.get('action') !== 'GetCallerIdentity')
    return 'unexpected action parameter in pre-signed URL'
  const signed = (params.get('x-amz-signedheaders') ?? '').split(';').map((h) => h.toLowerCase())
  if (!signed.includes(CLUSTER_ID_HEADER)) {
    return `client did not sign the ${CLUSTER_ID_HEADER} header in the pre-signed URL`
  }
  const expiresRaw = params.get('x-amz-expires') ?? ''
  const expires = /^-?\d+$/.test(expiresRaw) ? Number(expiresRaw) : NaN
  if (!(expires >= 0 && expires <= 900)) {
    return `invalid X-Amz-Expires parameter in pre-signed URL: ${expiresRaw}`
  }
  const dateRaw = params.get('x-amz-date')
  if (!dateRaw) return 'X-Amz-Date parameter must be present in pre-signed URL'
  const date = parseAmzDate(dateRaw)
  if (!date) return `error parsing X-Amz-Date parameter ${dateRaw}`
  const now = (opts.now ?? new Date()).getTime()
  const ttlMs = (opts.ttlSeconds ?? 900) * 1000
  if (now > date.getTime() + ttlMs) {
    return `X-Amz-Date parameter is expired (${ttlMs / 60000} minute expiration) ${date.toISOString()}`
  }
  if (date.getTime() - now > (opts.maxSkewSeconds ?? 300) * 1000) {
    return `X-Amz-Date parameter is in the future: ${date.toISOString()}`
  }
  return null
}

/**
 * When the authenticator stops accepting a token: X-Amz-Date plus the token lifetime (its
 * `ttlSeconds`, 15 min by default). Null when the token carries no readable date.
 */
export function eksTokenExpiry(token: string, ttlSeconds = 900): Date | null {
  const raw = decodeEksToken(token)
  if (raw === null) return null
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return null
  }
  const dateRaw = [...url.searchParams].find(([k]) => k.toLowerCase() === 'x-amz-date')?.[1]
  const date = dateRaw ? parseAmzDate(dateRaw) : null
  return date ? new Date(date.getTime() + ttlSeconds * 1000) : null
}

/**
 * Verifies an EKS bearer token like aws-iam-authenticator: static checks, then `identify`
 * (STS GetCallerIdentity with the cluster name as x-k8s-aws-id) for the signature and the ARN.
 */
export async function verifyEksToken(token: string, opts: VerifyOptions): Promise<TokenVerdict> {
  const reason = checkEksTokenFormat(token, opts)
  if (reason) return { ok: false, reason }
  const identity = await opts.identify(decodeEksToken(token)!, opts.clusterName)
  if (!identity.ok) return { ok: false, reason: `STS: ${identity.code}: ${identity.message}` }
  return { ok: true, arn: identity.arn }
}
