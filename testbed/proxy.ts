/**
 * The AWS endpoint clients see (AWS_ENDPOINT_URL): a pass-through proxy in front of moto that
 * names each request's operation for the request log and injects faults in each service's own
 * wire format, so the AWS SDK v3 and the aws CLI classify and retry them as they would real ones.
 * Bodies are never logged: AssumeRoleWithWebIdentity carries the OIDC token.
 */
import { randomUUID } from 'node:crypto'
import { createServer, request } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { LocalReply } from './aws/addon-api.js'
import { delay, type FaultHit, type FaultInjector, type RequestLog } from './faults.js'

export interface AwsProxyOptions {
  /** moto's base URL. */
  target: string
  faults: FaultInjector
  log: RequestLog
  latencyMs?: number
  /** Answers a request itself (the EKS add-on API); undefined passes it on to moto. */
  intercept?: (
    method: string,
    path: string,
    query: URLSearchParams,
    body: string
  ) => LocalReply | undefined
  /** Rewrites moto's JSON answer to an operation (DescribeCluster fields moto lacks). */
  rewrite?: (operation: string, body: string) => string
}

export interface AwsProxy {
  url: string
  port: number
  setLatency(ms: number): void
  close(): Promise<void>
}

/** EKS REST routes (method, path pattern) → operation names. */
const EKS_ROUTES: [string, RegExp, string][] = [
  ['GET', /^\/clusters$/, 'ListClusters'],
  ['POST', /^\/clusters$/, 'CreateCluster'],
  ['GET', /^\/clusters\/[^/]+$/, 'DescribeCluster'],
  ['DELETE', /^\/clusters\/[^/]+$/, 'DeleteCluster'],
  ['GET', /^\/clusters\/[^/]+\/addons$/, 'ListAddons'],
  ['POST', /^\/clusters\/[^/]+\/addons$/, 'CreateAddon'],
  ['GET', /^\/clusters\/[^/]+\/addons\/[^/]+$/, 'DescribeAddon'],
  ['DELETE', /^\/clusters\/[^/]+\/addons\/[^/]+$/, 'DeleteAddon'],
  ['POST', /^\/clusters\/[^/]+\/addons\/[^/]+\/update$/, 'UpdateAddon'],
  ['GET', /^\/addons\/supported-versions$/, 'DescribeAddonVersions'],
  ['GET', /^\/addons\/configuration-schemas$/, 'DescribeAddonConfiguration'],
  ['GET', /^\/clusters\/[^/]+\/node-groups$/, 'ListNodegroups'],
  ['GET', /^\/clusters\/[^/]+\/node-groups\/[^/]+$/, 'DescribeNodegroup'],
  ['GET', /^\/clusters\/[^/]+\/access-entries$/, 'ListAccessEntries'],
  ['GET', /^\/clusters\/[^/]+\/access-entries\/[^/]+$/, 'DescribeAccessEntry'],
  ['GET', /^\/clusters\/[^/]+\/updates$/, 'ListUpdates'],
  ['GET', /^\/clusters\/[^/]+\/updates\/[^/]+$/, 'DescribeUpdate'],
  ['POST', /^\/clusters\/[^/]+\/update-config$/, 'UpdateClusterConfig']
]

/** Works out `<service>:<Action>` from the credential scope, the query/form Action or the REST path. */
export function awsOperation(
  method: string,
  path: string,
  query: URLSearchParams,
  headers: IncomingMessage['headers'],
  body: string
): string | undefined {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(headers.authorization ?? '')
  const target = headers['x-amz-target']
  const form = (headers['content-type'] ?? '').includes('x-www-form-urlencoded')
    ? new URLSearchParams(body)
    : undefined
  const action = form?.get('Action') ?? query.get('Action') ?? undefined
  let service = scope?.[1]
  if (!service && action && /^AssumeRoleWith(WebIdentity|SAML)$/.test(action)) service = 'sts'
  if (action) return `${service ?? 'unknown'}:${action}`
  if (typeof target === 'string' && target.includes('.')) {
    return `${service ?? 'unknown'}:${target.slice(target.lastIndexOf('.') + 1)}`
  }
  if (!service || service === 'eks') {
    const route = EKS_ROUTES.find(([m, re]) => m === method && re.test(path))
    if (route) return `eks:${route[2]}`
  }
  return service ? `${service}:unknown` : undefined
}

const xmlEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

const DEFAULT_CODES: Record<'query' | 'ec2' | 'rest', Record<number, string>> = {
  query: {
    400: 'ValidationError',
    403: 'AccessDenied',
    429: 'Throttling',
    500: 'InternalFailure',
    503: 'ServiceUnavailable'
  },
  ec2: {
    400: 'InvalidParameterValue',
    403: 'UnauthorizedOperation',
    429: 'RequestLimitExceeded',
    500: 'InternalError',
    503: 'Unavailable'
  },
  rest: {
    400: 'InvalidParameterException',
    403: 'AccessDeniedException',
    404: 'ResourceNotFoundException',
    429: 'ThrottlingException',
    500: 'ServerException',
    503: 'ServiceUnavailableException'
  }
}

/** Builds an error response in the wire format of the operation's service. */
export function awsErrorResponse(
  operation: string | undefined,
  fault: Pick<FaultHit, 'status' | 'reason' | 'message' | 'retryAfter' | 'body'>
): { status: number; headers: Record<string, string>; body: string } {
  const status = fault.status ?? 500
  const service = (operation ?? '').split(':')[0]
  const protocol = service === 'ec2' ? 'ec2' : service === 'eks' ? 'rest' : 'query'
  const code =
    fault.reason ??
    DEFAULT_CODES[protocol][status] ??
    (status >= 500 ? 'InternalFailure' : 'BadRequest')
  const message = fault.message ?? (code === 'Throttling' ? 'Rate exceeded' : `Injected ${code}`)
  const requestId = randomUUID()
  const headers: Record<string, string> = { 'x-amzn-requestid': requestId }
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter)
  let body: string
  if (protocol === 'rest') {
    headers['content-type'] = 'application/json'
    headers['x-amzn-errortype'] = code
    body = JSON.stringify({ message })
  } else if (protocol === 'ec2') {
    headers['content-type'] = 'text/xml;charset=UTF-8'
    body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${xmlEscape(code)}</Code>` +
      `<Message>${xmlEscape(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`
  } else {
    headers['content-type'] = 'text/xml'
    const type = status >= 500 ? 'Receiver' : 'Sender'
    body =
      `<ErrorResponse xmlns="https://${service || 'sts'}.amazonaws.com/doc/2011-06-15/">\n  <Error>\n` +
      `    <Type>${type}</Type>\n    <Code>${xmlEscape(code)}</Code>\n` +
      `    <Message>${xmlEscape(message)}</Message>\n  </Error>\n  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`
  }
  if (fault.body !== undefined) body = fault.body
  headers['content-length'] = String(Buffer.byteLength(body))
  return { status, headers, body }
}

/** Sends a reply the proxy made itself, in rest-json form. */
function sendLocal(res: ServerResponse, reply: LocalReply): void {
  const text = JSON.stringify(reply.body)
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-amzn-requestid': randomUUID(),
    'content-length': String(Buffer.byteLength(text))
  }
  if (reply.errorType) headers['x-amzn-errortype'] = reply.errorType
  res.writeHead(reply.status, headers)
  res.end(text)
}

/** Starts the proxy on 127.0.0.1. */
export async function startAwsProxy(options: AwsProxyOptions): Promise<AwsProxy> {
  const { faults, log } = options
  const target = new URL(options.target)
  let latencyMs = options.latencyMs ?? 0

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const entry = log.begin('aws', req)
    log.track(entry, res)
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const url = new URL(req.url ?? '/', 'http://x')
    const method = req.method ?? 'GET'
    const operation = awsOperation(
      method,
      url.pathname,
      url.searchParams,
      req.headers,
      body.toString()
    )
    entry.operation = operation
    if (latencyMs > 0) await delay(latencyMs)
    const fault = faults.take('aws', method, url.pathname, operation)
    if (fault) {
      entry.fault = fault.name ?? 'fault'
      if (fault.delayMs) await delay(fault.delayMs)
      if (fault.reset) return void req.socket.destroy()
      if (fault.status !== undefined || fault.body !== undefined) {
        const err = awsErrorResponse(operation, fault)
        res.writeHead(err.status, err.headers)
        return void res.end(err.body)
      }
    }
    if (operation?.startsWith('eks:') && options.intercept) {
      const local = options.intercept(method, url.pathname, url.searchParams, body.toString())
      if (local) return void sendLocal(res, local)
    }
    const headers = { ...req.headers, host: target.host }
    const upstream = request(
      { hostname: target.hostname, port: target.port, method, path: req.url, headers },
      (up) => {
        if (!operation?.startsWith('eks:') || !options.rewrite || up.statusCode !== 200) {
          res.writeHead(up.statusCode ?? 502, up.headers)
          return void up.pipe(res)
        }
        const parts: Buffer[] = []
        up.on('data', (d: Buffer) => parts.push(d))
        up.on('end', () => {
          const text = options.rewrite!(operation, Buffer.concat(parts).toString())
          const headers = { ...up.headers, 'content-length': String(Buffer.byteLength(text)) }
          delete headers['transfer-encoding']
          res.writeHead(200, headers)
          res.end(text)
        })
      }
    )
    upstream.on('error', (e) => {
      if (res.headersSent) return void res.destroy()
      const err = awsErrorResponse(operation, {
        status: 502,
        message: `moto unreachable: ${e.message}`
      })
      res.writeHead(err.status, err.headers)
      res.end(err.body)
    })
    upstream.end(body)
  }

  const http = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy())
  })
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
  const port = (http.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setLatency: (ms) => {
      latencyMs = ms
    },
    close: () =>
      new Promise<void>((r) => {
        http.closeAllConnections()
        http.close(() => r())
      })
  }
}
