/**
 * How Kubernetes API failures are classified and explained. Pure: an API error is recognised by its
 * shape (client-node's ApiException carries a numeric `code`, the `body` and the response `headers`),
 * so this module needs no client library.
 */
import { clusterAccessHint } from '../auth-hints.js'
import { HintedError, errorMessage, redact } from '../errors.js'

/** The fields of client-node's ApiException this module reads. */
interface ApiErrorShape {
  code: number
  body?: unknown
  headers?: Record<string, string>
}

/** A server's Retry-After is honoured up to this long. */
const MAX_RETRY_AFTER_MS = 30_000

function asApiError(error: unknown): ApiErrorShape | undefined {
  const e = error as Partial<ApiErrorShape> | undefined
  return error instanceof Error && typeof e?.code === 'number' && 'body' in error
    ? (e as ApiErrorShape)
    : undefined
}

/** The HTTP status of a Kubernetes API error, if it is one. */
export function kubeStatus(error: unknown): number | undefined {
  return asApiError(error)?.code
}

/**
 * For retry(): false to stop, true to back off, or the ms the server asked us to wait. Retried:
 * 429 and 5xx (honouring Retry-After), dropped connections, and 409 when `retryConflicts`.
 */
export function isRetryableKubeError(error: unknown, retryConflicts: boolean): boolean | number {
  const api = asApiError(error)
  if (api) {
    if (api.code === 409) return retryConflicts
    if (api.code !== 429 && api.code < 500) return false
    const after = Number(api.headers?.['retry-after'])
    return Number.isFinite(after) && after >= 0 ? Math.min(after * 1000, MAX_RETRY_AFTER_MS) : true
  }
  const code = networkCode(error)
  // EDEADLINE: aborted at the run's deadline, so there is no time left to try again.
  if (code === 'EDEADLINE') return false
  if (
    code !== undefined &&
    /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|UND_ERR_(SOCKET|CONNECT_TIMEOUT|HEADERS_TIMEOUT|BODY_TIMEOUT|CLOSED))$/.test(
      code
    )
  ) {
    return true
  }
  return /socket hang up|ECONNRESET|ETIMEDOUT|timed out|Premature close/i.test(errorMessage(error))
}

/**
 * The error code of a network failure: fetch() rejects with "fetch failed" and keeps the socket's
 * error (ECONNREFUSED, UND_ERR_CONNECT_TIMEOUT, …) in `cause`.
 */
export function networkCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') return code
  }
  return undefined
}

/** Whether the TCP or TLS connection could not be set up in time (nothing answered at all). */
export function isConnectTimeout(error: unknown): boolean {
  return networkCode(error) === 'UND_ERR_CONNECT_TIMEOUT'
}

/** DescribeCluster's resourcesVpcConfig fields that decide who can reach the API endpoint. */
export interface EndpointAccess {
  publicAccess: boolean
  privateAccess: boolean
  publicAccessCidrs: string[]
}

/**
 * The API endpoint never accepted a connection. What to do depends on how the cluster exposes it:
 * a private-only endpoint needs a runner inside (or routed into) the VPC; a public one limited by
 * publicAccessCidrs needs the runner's egress address in that list.
 */
export function endpointUnreachableError(
  error: unknown,
  p: { label: string; cluster: string; endpoint: string; region: string; access?: EndpointAccess }
): Error {
  const head =
    `The Kubernetes API endpoint of EKS cluster '${p.cluster}' (${p.endpoint}) did not accept a ` +
    `connection (${p.label}: ${describeKubeError(error)}).`
  const a = p.access
  const update =
    `aws eks update-cluster-config --region ${p.region} --name ${p.cluster} ` +
    '--resources-vpc-config endpointPublicAccess=true,publicAccessCidrs=<runner egress CIDR>'
  let advice: string
  if (!a) {
    advice =
      'Check that this runner can reach the endpoint (network, firewall, HTTPS_PROXY/NO_PROXY).'
  } else if (!a.publicAccess) {
    advice =
      'DescribeCluster says endpointPublicAccess=false: the endpoint is private and answers only ' +
      "inside the cluster's VPC. A GitHub-hosted runner cannot reach it. Run this job on a " +
      'self-hosted runner in the VPC (or a network routed to it), or enable public access ' +
      `limited to your runners' addresses: ${update}`
  } else {
    const cidrs = a.publicAccessCidrs.length > 0 ? a.publicAccessCidrs : ['0.0.0.0/0']
    advice = cidrs.includes('0.0.0.0/0')
      ? 'DescribeCluster says endpointPublicAccess=true and publicAccessCidrs=0.0.0.0/0, so the ' +
        "endpoint is open: check this runner's outbound network, firewall and HTTPS_PROXY/NO_PROXY."
      : `DescribeCluster says endpointPublicAccess=true but publicAccessCidrs=${cidrs.join(',')}: ` +
        "add this runner's egress address (GitHub-hosted runners' ranges are listed at " +
        `https://api.github.com/meta), or use a runner inside the VPC: ${update}`
  }
  return new Error(`${head}\n${advice}`, { cause: error })
}

/** One line for an API error: the status and the server's message, not the raw dump. */
export function describeKubeError(error: unknown): string {
  const api = asApiError(error)
  if (!api) {
    const cause = (error as { cause?: unknown })?.cause
    return cause instanceof Error ? `${errorMessage(error)}: ${cause.message}` : errorMessage(error)
  }
  const body = api.body as { message?: unknown } | string | undefined
  let message = typeof body === 'object' && typeof body?.message === 'string' ? body.message : ''
  if (typeof body === 'string') {
    try {
      message = String((JSON.parse(body) as { message?: unknown }).message ?? body)
    } catch {
      message = body // Not JSON: keep the text as it came.
    }
  }
  return `HTTP ${api.code}${message ? `: ${message.slice(0, 500)}` : ''}`
}

/**
 * 401 after a fresh token, or 403: the token is fine but EKS does not let this principal in. The
 * explanation (caller, access-entry commands) is auth-hints.ts's, the one place that words it; the
 * error carries it for the job summary too.
 */
export function accessDeniedError(
  error: unknown,
  p: { label: string; caller?: string; cluster: string; region: string }
): HintedError {
  const described = describeKubeError(error)
  const hint = clusterAccessHint({
    status: kubeStatus(error) === 401 ? 401 : 403,
    callerArn: p.caller,
    clusterName: p.cluster,
    region: p.region,
    message: described
  })
  const head =
    `The Kubernetes API of EKS cluster '${p.cluster}' refused ${p.caller ?? 'the caller'} ` +
    `(${p.label}: ${redact(described)}).`
  // The hint's first line says the same as `head`, without the request that failed.
  return new HintedError([head, ...hint.text.split('\n').slice(1)].join('\n'), hint, {
    cause: error
  })
}
