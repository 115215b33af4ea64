/**
 * The EKS bearer token, minted in-process: what `aws eks get-token` prints, without needing the
 * AWS CLI on the runner: `k8s-aws-v1.` + the base64url of a presigned STS GetCallerIdentity URL
 * that carries the cluster name in the signed `x-k8s-aws-id` header
 * (https://github.com/kubernetes-sigs/aws-iam-authenticator).
 */
import * as core from '@actions/core'
import { Sha256 } from '@aws-crypto/sha256-js'
import { SignatureV4 } from '@smithy/signature-v4'
import type { AwsCredentials } from './client-config.js'

/** A bearer token for the Kubernetes API and when to stop using it. */
export interface EksToken {
  token: string
  expiresAt: Date
}

const TOKEN_PREFIX = 'k8s-aws-v1.'
const CLUSTER_ID_HEADER = 'x-k8s-aws-id'
/**
 * STS ignores X-Amz-Expires for this use, but aws-iam-authenticator rejects a URL whose value is
 * outside 0–60, so the CLI's 60 is kept.
 */
const URL_EXPIRES_SECONDS = 60
/** STS accepts the URL for 15 min after X-Amz-Date; awscli stops using it after 14. */
const TOKEN_LIFETIME_MS = 14 * 60 * 1000
const DEFAULT_MARGIN_MS = 60 * 1000

/**
 * The regional STS host. Deliberately not AWS_ENDPOINT_URL: EKS's authenticator accepts only
 * real STS hosts of the cluster's partition, so a token for any other host is useless.
 */
export function stsHostForRegion(region: string): string {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'
  return `sts.${region}.${suffix}`
}

/**
 * Presigned STS GetCallerIdentity with the signed (not sent) header x-k8s-aws-id, against the
 * regional STS host. X-Amz-Expires=60; expiresAt = signing time + 14 min, like awscli. The token is
 * masked with core.setSecret before it is returned.
 */
export async function mintEksToken(p: {
  credentials: AwsCredentials
  region: string
  clusterName: string
  signingDate?: Date
}): Promise<EksToken> {
  const hostname = stsHostForRegion(p.region)
  const signingDate = p.signingDate ?? new Date()
  const signer = new SignatureV4({
    credentials: p.credentials,
    region: p.region,
    service: 'sts',
    sha256: Sha256
  })
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, [CLUSTER_ID_HEADER]: p.clusterName }
    },
    { expiresIn: URL_EXPIRES_SECONDS, signingDate }
  )
  const url = `https://${hostname}/?${presignedQueryString(presigned.query ?? {})}`
  const token = TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url')
  core.setSecret(token)
  return { token, expiresAt: new Date(signingDate.getTime() + TOKEN_LIFETIME_MS) }
}

/**
 * botocore's order: the signed parameters sorted, then X-Amz-Signature last. Values are
 * RFC 3986-encoded (only unreserved characters stay literal), as in the canonical request.
 */
function presignedQueryString(query: Record<string, string | string[] | null>): string {
  const single = (key: string): string => {
    const value = query[key]
    if (typeof value !== 'string') throw new Error(`Presigned STS URL has no single '${key}'`)
    return value
  }
  const pair = (key: string): string => `${rfc3986(key)}=${rfc3986(single(key))}`
  const signed = Object.keys(query)
    .filter((key) => key !== 'X-Amz-Signature')
    .sort()
    .map(pair)
  return [...signed, pair('X-Amz-Signature')].join('&')
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
  )
}

/**
 * Hands out a valid token: re-mints when less than `marginMs` (default 60 s) of its life remains,
 * and on demand after a 401 (invalidate()). Concurrent callers share one mint.
 */
export class EksTokenSource {
  private current?: EksToken
  private pending?: Promise<EksToken>

  constructor(
    private readonly mint: () => Promise<EksToken>,
    private readonly now: () => Date = () => new Date(),
    private readonly marginMs: number = DEFAULT_MARGIN_MS
  ) {}

  /** The current token, minting a new one first if it is missing or about to expire. */
  async get(): Promise<string> {
    if (this.current && this.current.expiresAt.getTime() - this.now().getTime() >= this.marginMs) {
      return this.current.token
    }
    if (!this.pending) {
      const left = this.current && this.current.expiresAt.getTime() - this.now().getTime()
      core.debug(
        left === undefined
          ? 'EKS token: minting'
          : `EKS token: re-minting, ${Math.round(left / 1000)} s of its life left`
      )
      this.pending = this.mint().finally(() => {
        this.pending = undefined
      })
    }
    const minted = await this.pending
    this.current = minted
    return minted.token
  }

  /** Forget the current token, e.g. after the API server answered 401. */
  invalidate(): void {
    this.current = undefined
  }
}
