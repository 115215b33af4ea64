/**
 * Authentication and authorization glue for the Kubernetes API emulator, as EKS does it: a
 * `k8s-aws-v1.` bearer token is verified with aws-iam-authenticator's rules (and its signature
 * through moto), the caller's ARN is mapped from the assumed-role session to the IAM role, and that
 * role must have an access entry. A static admin token stands in for the cluster creator's
 * inspection access and never goes through STS.
 *
 * A token that verified is remembered (by its SHA-256) until it expires, so the many requests of
 * one run cost one STS round trip; the expiry check still rejects it afterwards, and the access
 * entry is checked on every request.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { eksTokenExpiry, verifyEksToken, type TokenVerdict } from './aws/eks-token-verifier.js'

export type AuthResult =
  { ok: true; user: string } | { ok: false; status: 401 | 403; message: string }

/** moto's answer for who signed a presigned GetCallerIdentity URL. */
export type Identify = (
  presignedUrl: string,
  clusterName: string
) => Promise<
  { ok: true; arn: string; account: string } | { ok: false; code: string; message: string }
>

export interface AccessOptions {
  adminToken: string
  region: string
  clusterName: string
  ttlSeconds?: number
  identify: Identify
  /** ARNs on the access list at start (IAM role ARNs, or assumed-role ARNs, which are mapped). */
  initial?: string[]
  /** Clock in ms since the epoch (tests inject one); default Date.now. */
  now?: () => number
}

export interface Access {
  /** The emulator's `authenticate` hook. */
  authenticate(bearerToken: string): Promise<AuthResult>
  allow(arn: string): void
  deny(arn: string): void
  list(): string[]
  /** Why tokens were rejected with 401, newest last (the authenticator's log; at most 50). */
  rejections: string[]
  /** How many tokens were sent to STS (moto) for verification. */
  readonly verifications: number
}

/** Verified tokens remembered at most; the oldest is forgotten first. */
const CACHE_LIMIT = 256

/**
 * Verified tokens by SHA-256, each with its ARN and the time (ms) after which the authenticator
 * would call it expired. Verifications in flight are shared, so concurrent first requests with
 * one token make one STS call.
 */
function tokenCache(now: () => number, ttlSeconds: number | undefined) {
  const verified = new Map<string, { arn: string; until: number }>()
  const pending = new Map<string, Promise<TokenVerdict>>()
  const keyOf = (token: string): string => createHash('sha256').update(token).digest('hex')
  return {
    /** The ARN of a remembered, unexpired token. */
    get(token: string): string | undefined {
      const key = keyOf(token)
      const hit = verified.get(key)
      if (hit && now() <= hit.until) return hit.arn
      verified.delete(key)
      return undefined
    },
    /** Verifies once per token at a time and remembers a success until the token expires. */
    verify(token: string, run: () => Promise<TokenVerdict>): Promise<TokenVerdict> {
      const key = keyOf(token)
      const inFlight = pending.get(key)
      if (inFlight) return inFlight
      const p = run()
        .then((verdict) => {
          const expiry = eksTokenExpiry(token, ttlSeconds)
          if (verdict.ok && expiry) {
            verified.set(key, { arn: verdict.arn, until: expiry.getTime() })
            if (verified.size > CACHE_LIMIT) verified.delete(verified.keys().next().value as string)
          }
          return verdict
        })
        .finally(() => pending.delete(key))
      pending.set(key, p)
      return p
    }
  }
}

/** The user name the admin token maps to. */
export const ADMIN_USER = 'testbed-admin'

/**
 * Maps a caller ARN to the principal an EKS access entry names:
 * `arn:aws:sts::A:assumed-role/R/S` → `arn:aws:iam::A:role/R`; other ARNs are kept.
 */
export function principalArn(arn: string): string {
  const m = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(arn)
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : arn
}

const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Creates the access list and the authenticate hook for one cluster. */
export function createAccess(options: AccessOptions): Access {
  const entries = new Set((options.initial ?? []).map(principalArn))
  const rejections: string[] = []
  const now = options.now ?? Date.now
  const cache = tokenCache(now, options.ttlSeconds)
  let verifications = 0
  const reject = (reason: string): AuthResult => {
    rejections.push(reason)
    if (rejections.length > 50) rejections.shift()
    return { ok: false, status: 401, message: 'Unauthorized' }
  }
  return {
    rejections,
    get verifications() {
      return verifications
    },
    async authenticate(bearerToken) {
      if (sameSecret(bearerToken, options.adminToken)) return { ok: true, user: ADMIN_USER }
      if (!bearerToken.startsWith('k8s-aws-v1.')) return reject('not an EKS token')
      let arn = cache.get(bearerToken)
      if (arn === undefined) {
        const verified = await cache.verify(bearerToken, () => {
          verifications++
          return verifyEksToken(bearerToken, {
            region: options.region,
            clusterName: options.clusterName,
            ttlSeconds: options.ttlSeconds,
            now: new Date(now()),
            identify: options.identify
          })
        })
        // The API server answers every authentication failure with a bare 401; the reason only
        // shows in the authenticator's own log, so it is not leaked to the client either.
        if (!verified.ok) return reject(verified.reason)
        arn = verified.arn
      }
      const principal = principalArn(arn)
      if (!entries.has(principal)) {
        return {
          ok: false,
          status: 403,
          message:
            `User "${arn}" cannot access the cluster: ` +
            `no access entry for principal "${principal}"`
        }
      }
      // EKS's default username for a role's access entry is the session ARN.
      return { ok: true, user: arn }
    },
    allow: (arn) => void entries.add(principalArn(arn)),
    deny: (arn) => void entries.delete(principalArn(arn)),
    list: () => [...entries]
  }
}
