/**
 * Strategic merge patch (`application/strategic-merge-patch+json`): RFC 7386 plus merge-by-key for
 * the lists the aws-node manifest touches, and the directives kubectl emits. The real apiserver takes
 * merge keys from the Go struct tags; this table covers the pod-spec lists (plus finalizers as a
 * set), everything else is atomic. Results were cross-checked against `kubectl patch --local`,
 * which runs apimachinery's strategicpatch like the apiserver.
 */
import { PatchError, clone, deepEqual, isObject, type JsonObject } from './util.js'

/** Merge key per list field name (patchMergeKey in k8s.io/api). */
export const SMP_MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  imagePullSecrets: 'name',
  ports: 'containerPort',
  volumeMounts: 'mountPath'
}

/** Lists of scalars with patchStrategy merge (a union, not a replacement). */
const PRIMITIVE_MERGE = new Set(['finalizers'])

const ORDER = '$setElementOrder/'
const DELETE_FROM = '$deleteFromPrimitiveList/'
const DELETED = Symbol('deleted')

const badRequest = (message: string): PatchError => new PatchError(message, 400, 'BadRequest')

/** Removes every `$…` directive key, at any depth. */
export function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives)
  if (!isObject(value)) return value
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = stripDirectives(v)
  return out
}

/**
 * Merge key for a list, or undefined when the list is atomic. Service-style `ports` carry `port`
 * instead of `containerPort`; a `$setElementOrder` whose entries all name one key also marks a list
 * as merged by that key, since kubectl only sends that directive for merge lists.
 */
function mergeKey(field: string, lists: unknown[][]): string | undefined {
  const elements = lists.flat().filter(isObject)
  if (field === 'ports') {
    if (elements.some((e) => 'containerPort' in e)) return 'containerPort'
    return elements.some((e) => 'port' in e) ? 'port' : undefined
  }
  if (SMP_MERGE_KEYS[field]) return SMP_MERGE_KEYS[field]
  const order = lists[2]
  if (order.length === 0 || !order.every(isObject)) return undefined
  const keys = new Set(order.flatMap((e) => Object.keys(e as JsonObject)))
  return keys.size === 1 ? [...keys][0] : undefined
}

/**
 * Reorders `merged` per `$setElementOrder` like apimachinery's normalizeElementOrder: the listed
 * items follow the directive, the others keep their relative order and are interleaved by their
 * position in the live list.
 */
function reorder(merged: unknown[], order: unknown[], live: unknown[], key?: string): unknown[] {
  const id = (item: unknown): unknown => (key && isObject(item) ? item[key] : item)
  const find = (list: unknown[], item: unknown): number =>
    list.findIndex((x) => deepEqual(id(x), id(item)))
  const patched = merged
    .filter((item) => find(order, item) >= 0)
    .sort((a, b) => find(order, a) - find(order, b))
  const serverOnly = merged.filter((item) => find(order, item) < 0)
  const out: unknown[] = []
  let i = 0
  let j = 0
  while (i < serverOnly.length || j < patched.length) {
    if (j >= patched.length) out.push(serverOnly[i++])
    else if (i >= serverOnly.length) out.push(patched[j++])
    else {
      const li = find(live, serverOnly[i])
      const ri = find(live, patched[j])
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++])
      else out.push(patched[j++])
    }
  }
  return out
}

function mergeByKey(live: unknown[], patch: unknown[], key: string): unknown[] {
  const isReplace = (e: unknown): boolean => isObject(e) && e.$patch === 'replace'
  if (patch.some(isReplace)) return patch.filter((e) => !isReplace(e)).map(stripDirectives)
  const out = live.map((e) => clone(e))
  for (const element of patch) {
    if (!isObject(element) || element[key] === undefined) {
      throw new PatchError(
        `map: ${JSON.stringify(element)} does not contain declared merge key: ${key}`,
        422,
        'Invalid'
      )
    }
    const matches = (e: unknown): boolean => isObject(e) && deepEqual(e[key], element[key])
    if (element.$patch === 'delete') {
      // Like apimachinery, every element with that key goes, duplicates included.
      for (let i = out.length - 1; i >= 0; i--) if (matches(out[i])) out.splice(i, 1)
      continue
    }
    const index = out.findIndex(matches)
    const merged = mergeMap(index >= 0 ? out[index] : undefined, element)
    if (merged === DELETED) continue
    if (index >= 0) out[index] = merged
    else out.push(merged)
  }
  return out
}

/**
 * Merges a list field. Merge lists end up in `$setElementOrder` order, or else in the patch's own
 * order: apimachinery's normalizeElementOrder puts patch items the live list cannot place (new
 * ones) first, so `env: [{name: NEW}]` alone prepends NEW, as on a real apiserver.
 */
function mergeList(
  field: string,
  liveValue: unknown,
  patch: unknown[],
  parent: JsonObject
): unknown {
  const live = Array.isArray(liveValue) ? liveValue : []
  const rawOrder = parent[ORDER + field]
  const given = Array.isArray(rawOrder) ? rawOrder : []
  const key = mergeKey(field, [live, patch, given])
  let out: unknown[]
  if (key) out = mergeByKey(live, patch, key)
  else if (
    (PRIMITIVE_MERGE.has(field) || given.length > 0 || DELETE_FROM + field in parent) &&
    !patch.some((e) => isObject(e) || Array.isArray(e))
  ) {
    out = [...live]
    for (const v of patch) if (!out.some((x) => deepEqual(x, v))) out.push(v)
  } else return stripDirectives(patch)
  const order = Array.isArray(rawOrder) ? rawOrder : patch.filter((e) => !isObject(e) || !e.$patch)
  return reorder(out, order, live, key)
}

function mergeMap(liveValue: unknown, patch: JsonObject): JsonObject | typeof DELETED {
  const directive = patch.$patch
  if (directive === 'delete') return DELETED
  if (directive === 'replace') return stripDirectives(patch) as JsonObject
  if (directive !== undefined && directive !== 'merge') {
    throw badRequest(`unknown patch type: ${String(directive)}`)
  }
  const out: JsonObject = isObject(liveValue) ? clone(liveValue) : {}
  for (const [k, values] of Object.entries(patch)) {
    if (!k.startsWith(DELETE_FROM)) continue
    if (!Array.isArray(values)) throw badRequest(`invalid value for ${k}: must be a list`)
    const field = k.slice(DELETE_FROM.length)
    const list = out[field]
    if (Array.isArray(list)) out[field] = list.filter((x) => !values.some((v) => deepEqual(x, v)))
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue
    if (v === null) delete out[k]
    else if (isObject(v)) {
      const merged = mergeMap(out[k], v)
      if (merged === DELETED) delete out[k]
      else out[k] = merged
    } else if (Array.isArray(v)) out[k] = mergeList(k, out[k], v, patch)
    else out[k] = v
  }
  for (const [k, order] of Object.entries(patch)) {
    if (!k.startsWith(ORDER)) continue
    if (!Array.isArray(order)) throw badRequest(`invalid value for ${k}: must be a list`)
    const field = k.slice(ORDER.length)
    const list = out[field]
    // Lists present in the patch were already ordered by mergeList.
    if (!(field in patch) && Array.isArray(list)) {
      out[field] = reorder(list, order, list, mergeKey(field, [list, [], order]))
    }
  }
  if ('$retainKeys' in patch) {
    const retain = patch.$retainKeys
    if (!Array.isArray(retain) || !retain.every((x) => typeof x === 'string')) {
      throw badRequest('$retainKeys must be a list of strings')
    }
    for (const k of Object.keys(patch)) {
      if (!k.startsWith('$') && patch[k] !== null && !retain.includes(k)) {
        throw new PatchError(`The patch content doesn't match retainKeys list`, 422, 'Invalid')
      }
    }
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k]
  }
  return out
}

/**
 * Applies a strategic merge patch. Lists in {@link SMP_MERGE_KEYS} merge by key, `finalizers`
 * merge as a set, every other list is replaced. Honors `$setElementOrder/<list>`, `$patch: delete|replace|merge` on maps and list
 * elements, `$retainKeys` and `$deleteFromPrimitiveList/<list>`; no `$…` key survives in the
 * result. A non-object patch is a 400 BadRequest. Neither argument is mutated.
 */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) throw badRequest('strategic merge patch must be a JSON object')
  const merged = mergeMap(isObject(target) ? target : {}, patch)
  return merged === DELETED ? {} : stripDirectives(merged)
}
