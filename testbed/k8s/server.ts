/**
 * The HTTPS request pipeline: request log, latency, injected faults, authentication, then routing
 * to discovery, OpenAPI or a resource verb. Every error leaves as a Kubernetes Status body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { clientGone, delay, type FaultInjector, type RequestLog } from '../faults.js'
import {
  apiGroup,
  groupDiscovery,
  negotiateDiscovery,
  resourceList,
  versionInfo
} from './discovery.js'
import { readBody, reasonFor, sendError, sendJson } from './http.js'
import { groupVersion, qualifiedResource, type KindRegistry } from './kinds.js'
import { openapiGroupVersion, openapiIndex } from './openapi.js'
import { getObject, listOrWatch, resolvePath, type ResourcePath } from './resources.js'
import { selectorMatcher } from './selectors.js'
import type { Store } from './store.js'
import { KubeError, notServed, statusBody, type StatusDetails } from './types.js'
import type { Writer } from './writes.js'

export type AuthResult =
  { ok: true; user: string } | { ok: false; status: 401 | 403; message: string }

export interface ServerDeps {
  registry: KindRegistry
  store: Store
  writer: Writer
  activeWatches: Set<ServerResponse>
  kubernetesVersion: string
  authenticate: (bearerToken: string) => Promise<AuthResult>
  faults: FaultInjector
  log: RequestLog
  latencyMs: () => number
  serverAddress: () => string
}

const UNAUTHENTICATED = new Set(['/healthz', '/livez', '/readyz'])

/** The verb RBAC would check, for Forbidden messages. */
function verbOf(method: string, p: ResourcePath | undefined, query: URLSearchParams): string {
  if (method === 'GET') return p?.name ? 'get' : query.get('watch') === 'true' ? 'watch' : 'list'
  const verbs: Record<string, string> = {
    POST: 'create',
    PUT: 'update',
    PATCH: 'patch',
    DELETE: 'delete'
  }
  return verbs[method] ?? method.toLowerCase()
}

/** `daemonsets.apps "aws-node" is forbidden: User "u" cannot get resource "daemonsets" in API group "apps" in the namespace "kube-system"` */
function forbidden(
  registry: KindRegistry,
  user: string,
  method: string,
  path: string,
  query: URLSearchParams
): KubeError {
  let p: ResourcePath | undefined
  try {
    p = resolvePath(registry, path)
  } catch {
    p = undefined
  }
  const verb = verbOf(method, p, query)
  if (!p) {
    return new KubeError(
      403,
      'Forbidden',
      `forbidden: User "${user}" cannot ${verb} path "${path}"`,
      {}
    )
  }
  const what = `${qualifiedResource(p.type)}${p.name ? ` "${p.name}"` : ''}`
  const where = p.namespace ? `in the namespace "${p.namespace}"` : 'at the cluster scope'
  const resource = p.subresource ? `${p.type.resource}/${p.subresource}` : p.type.resource
  const message = `${what} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${p.type.group}" ${where}`
  const details: StatusDetails = { kind: p.type.resource }
  if (p.type.group) details.group = p.type.group
  if (p.name) details.name = p.name
  return new KubeError(403, 'Forbidden', message, details)
}

export function createHandler(
  deps: ServerDeps
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const entry = deps.log.begin('kube', req)
    deps.log.track(entry, res)
    handle(deps, req, res, entry).catch((e: unknown) => {
      const err =
        e instanceof KubeError
          ? e
          : new KubeError(500, 'InternalError', `Internal error occurred: ${String(e)}`)
      sendError(res, err)
    })
  }
}

async function handle(
  deps: ServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  entry: { fault?: string; body?: string; status: number; cancelled?: boolean }
): Promise<void> {
  const method = req.method ?? 'GET'
  const url = new URL(req.url ?? '/', 'https://x')
  const path = url.pathname
  // Every wait below ends when the client goes away, and then nothing more happens.
  const gone = clientGone(res)
  const latency = deps.latencyMs()
  if (latency > 0) await delay(latency, gone)

  const fault = deps.faults.take('kube', method, path)
  if (fault) {
    entry.fault = fault.name
    if (fault.delayMs) await delay(fault.delayMs, gone)
    if (gone.aborted) {
      entry.cancelled = true
      return
    }
    if (fault.reset) {
      req.socket.destroy()
      return
    }
    if (fault.status !== undefined) {
      const headers: Record<string, string> = {}
      if (fault.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter)
      if (fault.body !== undefined) {
        res.writeHead(fault.status, { 'Content-Type': 'application/json', ...headers })
        res.end(fault.body)
        return
      }
      const reason = fault.reason ?? reasonFor(fault.status)
      const details: StatusDetails = {}
      if (fault.causes) details.causes = fault.causes as StatusDetails['causes']
      if (fault.retryAfter !== undefined) details.retryAfterSeconds = fault.retryAfter
      const message = fault.message ?? `injected fault: ${reason}`
      sendJson(
        res,
        fault.status,
        statusBody(fault.status, reason, message, details),
        'application/json',
        headers
      )
      return
    }
  }

  if (UNAUTHENTICATED.has(path)) {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' })
    res.end('ok')
    return
  }
  const auth = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')
  const result: AuthResult = auth
    ? await deps.authenticate(auth[1])
    : { ok: false, status: 401, message: 'Unauthorized' }
  if (!result.ok) {
    if (result.status === 401)
      throw new KubeError(401, 'Unauthorized', result.message || 'Unauthorized')
    if (result.message) throw new KubeError(403, 'Forbidden', result.message, {})
    throw forbidden(deps.registry, 'system:anonymous', method, path, url.searchParams)
  }

  let body = ''
  if (method !== 'GET' && method !== 'HEAD') {
    body = await readBody(req)
    entry.body = body
  }
  if (gone.aborted) {
    entry.cancelled = true
    return
  }
  route(deps, req, res, { method, path, query: url.searchParams, body })
}

function route(
  deps: ServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  r: { method: string; path: string; query: URLSearchParams; body: string }
): void {
  const { registry } = deps
  const parts = r.path.split('/').filter((p) => p !== '')
  const isResource =
    (parts[0] === 'api' && parts.length >= 3) || (parts[0] === 'apis' && parts.length >= 4)
  if (!isResource) {
    if (r.method !== 'GET') {
      throw new KubeError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource'
      )
    }
    return discovery(deps, req, res, r.path, parts)
  }
  const p = resolvePath(registry, r.path)
  const write = {
    ...p,
    query: r.query,
    body: r.body,
    contentType: req.headers['content-type'] ?? '',
    userAgent: req.headers['user-agent'] ?? ''
  }
  const noMethod = (): KubeError =>
    new KubeError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource'
    )
  switch (r.method) {
    case 'GET':
      if (p.name) return sendJson(res, 200, getObject(deps.store, { ...p, name: p.name }))
      return listOrWatch(deps, p, r.query, res)
    case 'POST': {
      if (p.name || (p.type.namespaced && p.namespace === undefined)) throw noMethod()
      return sendJson(res, 201, deps.writer.create(write).object)
    }
    case 'PUT': {
      if (!p.name) throw noMethod()
      return sendJson(res, 200, deps.writer.update({ ...write, name: p.name }).object)
    }
    case 'PATCH': {
      if (!p.name) throw noMethod()
      const result = deps.writer.patch({ ...write, name: p.name })
      return sendJson(res, result.created ? 201 : 200, result.object)
    }
    case 'DELETE': {
      if (p.name) return sendJson(res, 200, deps.writer.delete({ ...write, name: p.name }))
      // deletecollection: every object the selectors match, answered as a List of them.
      const matches = selectorMatcher(r.query)
      const items = deps.store
        .list(p.type, p.namespace)
        .filter(matches)
        .map((o) =>
          deps.writer.delete({
            ...write,
            namespace: o.metadata.namespace,
            name: o.metadata.name,
            body: ''
          })
        )
      return sendJson(res, 200, {
        kind: p.type.listKind,
        apiVersion: groupVersion(p.type.group, p.type.version),
        metadata: { resourceVersion: deps.store.resourceVersion },
        items
      })
    }
    default:
      throw noMethod()
  }
}

function discovery(
  deps: ServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  parts: string[]
): void {
  const { registry } = deps
  if (path === '/version' || path === '/version/')
    return sendJson(res, 200, versionInfo(deps.kubernetesVersion))
  if (path === '/api' || path === '/apis' || path === '/api/' || path === '/apis/') {
    const format = negotiateDiscovery(req.headers.accept)
    if (format === 'none') {
      throw new KubeError(
        406,
        'NotAcceptable',
        'only the following media types are accepted: application/json'
      )
    }
    const { body, contentType } = groupDiscovery(
      registry,
      parts[0] === 'api',
      format,
      deps.serverAddress()
    )
    return sendJson(res, 200, body, contentType)
  }
  if (parts[0] === 'api' && parts.length === 2) {
    const list = resourceList(registry, '', parts[1])
    if (list) return sendJson(res, 200, list)
  }
  if (parts[0] === 'apis' && parts.length === 2) {
    const group = apiGroup(registry, parts[1])
    if (group) return sendJson(res, 200, group)
  }
  if (parts[0] === 'apis' && parts.length === 3) {
    const list = resourceList(registry, parts[1], parts[2])
    if (list) return sendJson(res, 200, list)
  }
  if (path === '/openapi/v2') {
    // An empty protobuf Document: kubectl accepts it and skips client-side schema validation.
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': 0 })
    res.end()
    return
  }
  if (path === '/openapi/v3' || path === '/openapi/v3/')
    return sendJson(res, 200, openapiIndex(registry))
  if (parts[0] === 'openapi' && parts[1] === 'v3') {
    const doc = openapiGroupVersion(registry, parts.slice(2).join('/'))
    if (doc) return sendJson(res, 200, doc)
  }
  throw notServed()
}
