/**
 * Resource endpoints: routing of /api/v1/... and /apis/<g>/<v>/... to a served type, and the read
 * verbs (get, list, watch). Writes live in writes.ts.
 */
import type { ServerResponse } from 'node:http'
import { sendJson } from './http.js'
import { groupVersion, qualifiedResource, type KindRegistry, type ResourceType } from './kinds.js'
import { selectorMatcher } from './selectors.js'
import type { Store } from './store.js'
import { KubeError, notServed, type KubeObject } from './types.js'
import { serveWatch } from './watch.js'

/** What a resource URL names. */
export interface ResourcePath {
  type: ResourceType
  namespace?: string
  name?: string
  subresource?: string
}

/**
 * Resolves `/api/v1/...` or `/apis/<g>/<v>/...` against the served types. Throws the real
 * server's 404 for anything not served (including a CRD kind that is not Established yet).
 */
export function resolvePath(registry: KindRegistry, path: string): ResourcePath {
  const parts = path.split('/').filter((p) => p !== '')
  let group: string
  let rest: string[]
  let version: string
  if (parts[0] === 'api' && parts.length >= 3)
    [group, version, rest] = ['', parts[1], parts.slice(2)]
  else if (parts[0] === 'apis' && parts.length >= 4) {
    ;[group, version, rest] = [parts[1], parts[2], parts.slice(3)]
  } else throw notServed()
  const decoded = rest.map((p) => decodeURIComponent(p))
  let namespace: string | undefined
  if (decoded[0] === 'namespaces' && decoded.length >= 3) {
    const inner = registry.byResource(group, version, decoded[2])
    // /api/v1/namespaces/<name>/status is the namespace's own subresource, not a resource in it.
    if (inner?.namespaced) {
      namespace = decoded[1]
      decoded.splice(0, 2)
    }
  }
  const type = registry.byResource(group, version, decoded[0])
  if (!type || decoded.length > 3) throw notServed()
  if (namespace !== undefined && !type.namespaced) throw notServed()
  // A namespaced object is only addressable inside its namespace.
  if (type.namespaced && namespace === undefined && decoded.length > 1) throw notServed()
  const [, name, subresource] = decoded
  if (subresource !== undefined && !(subresource === 'status' && type.statusSubresource)) {
    throw notServed()
  }
  return { type, namespace, name, subresource }
}

/** NotFound worded like the real server: `daemonsets.apps "aws-node" not found`. */
export function notFound(type: ResourceType, name: string): KubeError {
  return new KubeError(404, 'NotFound', `${qualifiedResource(type)} "${name}" not found`, {
    name,
    ...(type.group === '' ? {} : { group: type.group }),
    kind: type.resource
  })
}

export interface ReadContext {
  store: Store
  activeWatches: Set<ServerResponse>
}

export function getObject(store: Store, p: ResourcePath & { name: string }): KubeObject {
  const live = store.peek(p.type, p.namespace, p.name)
  if (!live) throw notFound(p.type, p.name)
  const copy = structuredClone(live)
  copy.apiVersion = groupVersion(p.type.group, p.type.version)
  return copy
}

/** GET on a collection: a List, or a watch stream with `watch=true`. */
export function listOrWatch(
  ctx: ReadContext,
  p: ResourcePath,
  query: URLSearchParams,
  res: ServerResponse
): void {
  const matches = selectorMatcher(query)
  const watch = query.get('watch')
  if (watch === 'true' || watch === '1') {
    serveWatch({
      store: ctx.store,
      type: p.type,
      namespace: p.namespace,
      matches,
      query,
      res,
      active: ctx.activeWatches
    })
    return
  }
  // limit/continue: everything fits in one page here, so no continue token is ever needed.
  const items = ctx.store.list(p.type, p.namespace).filter(matches)
  sendJson(res, 200, {
    kind: p.type.listKind,
    apiVersion: groupVersion(p.type.group, p.type.version),
    metadata: { resourceVersion: ctx.store.resourceVersion },
    items
  })
}
