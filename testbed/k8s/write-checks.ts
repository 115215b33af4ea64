/**
 * Validation and error wording shared by the write verbs: the real server's messages for
 * conflicts, invalid patch options, identity mismatches and missing namespaces.
 */
import { PatchError } from './engine.js'
import { groupVersion, qualifiedResource, type ResourceType } from './kinds.js'
import type { ResourcePath } from './resources.js'
import type { Store } from './store.js'
import { isMap, KubeError, type JsonMap, type KubeObject, type StatusDetails } from './types.js'

export function dryRun(q: URLSearchParams): boolean {
  return q.getAll('dryRun').length > 0
}

/** FieldManagerMaxLength of apimachinery's validation. */
const FIELD_MANAGER_MAX_BYTES = 128

/**
 * The field manager of a non-apply write: the `fieldManager` query parameter, or what the real
 * server derives from the User-Agent (`prefixFromUserAgent`): the part before the first `/`
 * (`kubectl/v1.31.0 …` → `kubectl`), without unprintable characters, cut at 128 bytes.
 */
export function managerOf(req: { query: URLSearchParams; userAgent: string }): string {
  const explicit = req.query.get('fieldManager')
  if (explicit) return explicit
  let out = ''
  for (const ch of req.userAgent.split('/')[0]) {
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) continue
    if (Buffer.byteLength(out + ch) > FIELD_MANAGER_MAX_BYTES) break
    out += ch
  }
  return out
}

export function invalidPatchOptions(field: string, reason: string, detail: string): KubeError {
  return new KubeError(
    422,
    'Invalid',
    `PatchOptions.meta.k8s.io "" is invalid: ${field}: ${detail}`,
    {
      group: 'meta.k8s.io',
      kind: 'PatchOptions',
      causes: [{ reason, message: detail, field }]
    }
  )
}

/** Status details naming an object; the core group is omitted, as the real server's omitempty does. */
export function detailsFor(type: ResourceType, name: string): StatusDetails {
  return type.group === ''
    ? { name, kind: type.resource }
    : { name, group: type.group, kind: type.resource }
}

export function conflict(type: ResourceType, name: string): KubeError {
  const message = `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`
  return new KubeError(409, 'Conflict', message, detailsFor(type, name))
}

export function fromPatchError(e: unknown, type: ResourceType, name: string): never {
  if (e instanceof PatchError) {
    const details: StatusDetails = { ...detailsFor(type, name), causes: e.causes }
    throw new KubeError(e.status, e.reason, e.message, details)
  }
  throw e
}

/** Creating in a missing namespace is a 404 for the namespace. */
export function requireNamespace(store: Store, p: ResourcePath, nsType: ResourceType): void {
  if (!p.type.namespaced || p.namespace === undefined) return
  if (!store.peek(nsType, undefined, p.namespace)) {
    throw new KubeError(404, 'NotFound', `namespaces "${p.namespace}" not found`, {
      name: p.namespace,
      kind: 'namespaces'
    })
  }
}

/** Checks the body's apiVersion/kind against the URL, as the real decoder does. */
export function checkIdentity(type: ResourceType, body: JsonMap): void {
  const gv = groupVersion(type.group, type.version)
  if (body.apiVersion !== undefined && body.apiVersion !== gv) {
    const msg = `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${gv})`
    throw new KubeError(400, 'BadRequest', msg)
  }
  if (body.kind !== undefined && body.kind !== type.kind) {
    const msg = `the kind in the data (${String(body.kind)}) does not match the expected kind (${type.kind})`
    throw new KubeError(400, 'BadRequest', msg)
  }
}

export function asObject(body: JsonMap): KubeObject {
  if (!isMap(body.metadata)) body.metadata = {}
  return body as unknown as KubeObject
}
