/**
 * How requests to the Kubernetes API travel: client-node's generated configuration with our own
 * authentication (a fresh EKS token per request), one reused undici dispatcher that trusts the
 * cluster's CA and honours HTTPS_PROXY/HTTP_PROXY/NO_PROXY, an AbortSignal per request, and a
 * one-line summary of each request and response for step debug.
 */
import type { Configuration, RequestContext } from '@kubernetes/client-node'
// From the generated modules themselves, not the package index, which would bundle all of client-node.
import { createConfiguration } from '@kubernetes/client-node/dist/gen/configuration.js'
import { ServerConfiguration } from '@kubernetes/client-node/dist/gen/servers.js'
import { EnvHttpProxyAgent } from 'undici'

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

export interface Transport {
  /** The configuration the object API is built with. */
  configuration: Configuration
  /** The same configuration, but every request it makes carries `signal`. */
  withSignal(signal: AbortSignal): Configuration
  close(): Promise<void>
}

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
  const baseServer = new ServerConfiguration<Record<string, string>>(options.server, {})
  const debug = options.debug
  const configuration = createConfiguration({
    baseServer,
    authMethods: {
      default: {
        getName: () => 'eks-token',
        async applySecurityAuthentication(context: RequestContext) {
          context.setHeaderParam('Authorization', `Bearer ${await options.token()}`)
          context.setDispatcher(dispatcher)
        }
      }
    },
    promiseMiddleware: debug
      ? [
          {
            pre: async (context) => {
              const url = new URL(context.getUrl())
              debug(`kube → ${context.getHttpMethod()} ${url.pathname}${url.search}`)
              return context
            },
            post: async (response) => {
              debug(`kube ← HTTP ${response.httpStatusCode}`)
              return response
            }
          }
        ]
      : undefined
  })
  return {
    configuration,
    // client-node's object API takes a per-call configuration and builds the request from its
    // baseServer, so a baseServer that sets the signal gives each call its own.
    withSignal: (signal) => ({
      ...configuration,
      baseServer: {
        makeRequestContext(endpoint, method) {
          const context = baseServer.makeRequestContext(endpoint, method)
          context.setSignal(signal)
          return context
        }
      }
    }),
    close: () => dispatcher.close()
  }
}
