/**
 * How requests to the Kubernetes API travel: undici's fetch with a fresh EKS token per request,
 * one reused dispatcher that trusts the cluster's CA and honours HTTPS_PROXY/HTTP_PROXY/NO_PROXY,
 * the caller's AbortSignal, and a one-line summary of each request and response for step debug.
 * A non-2xx answer throws client-node's ApiException (status, body, headers), the error shape
 * errors.ts classifies.
 */
// From its own module, not the package index, which would bundle all of client-node.
import { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js'
import { EnvHttpProxyAgent, fetch } from 'undici'

/** What the transport needs: the API server, its CA and a token per request. */
export interface TransportOptions {
  /** https://… of the API server. */
  server: string
  /** certificateAuthority.data from DescribeCluster: base64 PEM. */
  caData: string
  token: () => Promise<string>
  /** Ms to wait for the TCP and TLS connection (undici's connect timeout). */
  connectTimeoutMs: number
  /** One line per request and per response; never given headers or bodies. */
  debug?: (line: string) => void
}

/** One API request: a path under the server, its query and, for a PATCH, its body. */
export interface KubeRequest {
  method: 'GET' | 'PATCH'
  path: string
  /** Undefined values are left out. */
  query?: Record<string, string | undefined>
  body?: { contentType: string; text: string }
}

export interface Transport {
  /** Sends `request`; a 2xx answer's JSON body, or ApiException for any other status. */
  send<T>(request: KubeRequest, signal: AbortSignal): Promise<T>
  close(): Promise<void>
}

const ACCEPT = 'application/json, */*;q=0.8'

/**
 * The dispatcher for every API request. EnvHttpProxyAgent reads HTTPS_PROXY, HTTP_PROXY and
 * NO_PROXY (either case) and otherwise connects directly; `connect` is the TLS of a direct
 * connection and `requestTls` that of the tunnel through a proxy, both pinned to the cluster's CA.
 * It keeps connections alive, so a run's requests share one TLS session.
 */
function dispatcherFor(options: TransportOptions): EnvHttpProxyAgent {
  const tls = { ca: Buffer.from(options.caData, 'base64').toString('utf8') }
  return new EnvHttpProxyAgent({
    connect: { ...tls, timeout: options.connectTimeoutMs },
    requestTls: tls,
    connectTimeout: options.connectTimeoutMs
  })
}

export function createTransport(options: TransportOptions): Transport {
  const dispatcher = dispatcherFor(options)
  const debug = options.debug
  return {
    async send<T>(request: KubeRequest, signal: AbortSignal): Promise<T> {
      // Appended, not resolved, so a server URL with a path keeps it.
      const url = new URL(`${options.server.replace(/\/+$/, '')}${request.path}`)
      for (const [name, value] of Object.entries(request.query ?? {})) {
        if (value !== undefined) url.searchParams.set(name, value)
      }
      const headers: Record<string, string> = {
        Accept: ACCEPT,
        Authorization: `Bearer ${await options.token()}`
      }
      if (request.body) headers['Content-Type'] = request.body.contentType
      debug?.(`kube → ${request.method} ${url.pathname}${url.search}`)
      const response = await fetch(url, {
        method: request.method,
        headers,
        body: request.body?.text,
        signal,
        dispatcher
      })
      debug?.(`kube ← HTTP ${response.status}`)
      const text = await response.text()
      if (response.ok) return JSON.parse(text) as T
      throw new ApiException(
        response.status,
        'Unsuccessful HTTP Request',
        text,
        Object.fromEntries(response.headers)
      )
    },
    close: () => dispatcher.close()
  }
}
