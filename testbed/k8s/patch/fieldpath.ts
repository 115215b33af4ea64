/**
 * Field paths in the apiserver's notation (structured-merge-diff `fieldpath.Path.String()`), e.g.
 * `.spec.template.spec.containers[name="aws-node"].env[name="WARM_ENI_TARGET"].value`, and the
 * leaf view of an object that server-side apply and ownership tracking work on.
 */
import { clone, deepEqual, isObject, type JsonObject } from './util.js'

/**
 * One step of a path: a map field, a list-map element identified by its key fields, or an item of
 * a set (a list of scalars merged as a set, such as `metadata.finalizers`).
 */
export type Segment = { field: string } | { key: JsonObject } | { value: unknown }

/** A terminal value (scalar, atomic list, empty map) and where it sits. */
export interface Leaf {
  segs: Segment[]
  value: unknown
}

const NAME_KEYED = new Set([
  'containers',
  'initContainers',
  'ephemeralContainers',
  'env',
  'volumes',
  'imagePullSecrets'
])

/** Key fields that the apiserver defaults, so a missing one still identifies the element. */
const KEY_DEFAULTS: Readonly<Record<string, unknown>> = { protocol: 'TCP' }

/**
 * Key fields of the list at `fields` (the map field names leading to it), or undefined when the
 * list is atomic. A list whose elements lack the key fields is treated as atomic too.
 */
export function listMapKeys(fields: string[], list: unknown[]): string[] | undefined {
  const field = fields[fields.length - 1]
  const at = fields.join('.')
  let keys: string[] | undefined
  if (NAME_KEYED.has(field)) keys = ['name']
  else if (field === 'volumeMounts') keys = ['mountPath']
  else if (field === 'ports') {
    const hasContainerPort = list.some((e) => isObject(e) && 'containerPort' in e)
    keys = hasContainerPort ? ['containerPort', 'protocol'] : ['port', 'protocol']
  } else if (at === 'spec.versions') keys = ['name']
  else if (at === 'status.conditions') keys = ['type']
  if (!keys) return undefined
  const complete = list.every(
    (e) => isObject(e) && keys.every((k) => e[k] !== undefined || k in KEY_DEFAULTS)
  )
  return complete ? keys : undefined
}

/** The identifying key of a list-map element, with defaulted key fields filled in. */
export function elementKey(element: JsonObject, keys: string[]): JsonObject {
  const key: JsonObject = {}
  for (const k of [...keys].sort()) key[k] = element[k] ?? KEY_DEFAULTS[k]
  return key
}

/** True when a list element carries the given key. */
export function matchesKey(element: unknown, key: JsonObject): boolean {
  return (
    isObject(element) &&
    Object.keys(key).every((k) => deepEqual(element[k] ?? KEY_DEFAULTS[k], key[k]))
  )
}

/** Renders a path the way the apiserver prints it in conflicts and `details.causes[].field`. */
export function formatPath(segs: Segment[]): string {
  return segs
    .map((s) => {
      if ('field' in s) return `.${s.field}`
      if ('value' in s) return `[=${JSON.stringify(s.value)}]`
      const parts = Object.keys(s.key)
        .sort()
        .map((k) => `${k}=${JSON.stringify(s.key[k])}`)
      return `[${parts.join(',')}]`
    })
    .join('')
}

/** Maps whose keys are free-form (and may contain dots); the rest of the path is one key. */
const FREE_FORM = new Set([
  'labels',
  'annotations',
  'matchLabels',
  'nodeSelector',
  'data',
  'stringData',
  'binaryData'
])

/**
 * Parses a path printed by {@link formatPath}. The notation does not escape dots, so below a
 * free-form map (labels, annotations, ...) the remainder is taken as a single key.
 */
export function parsePath(path: string): Segment[] {
  const segs: Segment[] = []
  let i = 0
  while (i < path.length) {
    if (path[i] === '.') {
      const prev = segs[segs.length - 1]
      let end: number
      if (prev && 'field' in prev && FREE_FORM.has(prev.field)) end = path.length
      else {
        end = i + 1
        while (end < path.length && path[end] !== '.' && path[end] !== '[') end++
      }
      segs.push({ field: path.slice(i + 1, end) })
      i = end
    } else if (path.startsWith('[=', i)) {
      const end = path.lastIndexOf(']')
      segs.push({ value: JSON.parse(path.slice(i + 2, end)) })
      i = end + 1
    } else if (path[i] === '[') {
      const key: JsonObject = {}
      i++
      while (i < path.length && path[i] !== ']') {
        const eq = path.indexOf('=', i)
        const name = path.slice(i, eq)
        let end = eq + 1
        if (path[end] === '"') {
          end++
          while (end < path.length && path[end] !== '"') end += path[end] === '\\' ? 2 : 1
          end++
        } else while (end < path.length && path[end] !== ',' && path[end] !== ']') end++
        key[name] = JSON.parse(path.slice(eq + 1, end))
        i = path[end] === ',' ? end + 1 : end
      }
      segs.push({ key })
      i++
    } else throw new Error(`cannot parse field path ${path}`)
  }
  return segs
}

/** Workload kinds whose `spec.selector` (a LabelSelector) is an atomic struct. */
const ATOMIC_SELECTOR = new Set(['DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet', 'Job'])

/** A node of an object's field tree: a leaf (owned as a whole) or a map or list holding leaves. */
export interface FieldNode extends Leaf {
  leaf: boolean
}

/**
 * Every node of an object that field ownership tracks, keyed by its printed path: leaves (scalars,
 * atomic lists and structs, empty maps, set items) and the maps and lists above them, but not
 * list-map elements (their key fields stand for them) and not the root. At the top level
 * `apiVersion`, `kind` and an empty `status` are skipped, and of `metadata` only labels,
 * annotations, finalizers (a set) and ownerReferences (a list-map by uid of atomic elements)
 * count, as in managedFields.
 */
export function collectNodes(obj: unknown): Map<string, FieldNode> {
  const out = new Map<string, FieldNode>()
  const add = (segs: Segment[], value: unknown, leaf: boolean): void => {
    out.set(formatPath(segs), { segs, value, leaf })
  }
  const atomicSelector = isObject(obj) && ATOMIC_SELECTOR.has(String(obj.kind))
  const walk = (value: unknown, segs: Segment[], fields: string[]): void => {
    const at = fields.join('.')
    if (atomicSelector && at === 'spec.selector') return add(segs, value, true)
    if (isObject(value)) {
      const entries = Object.entries(value)
      if (entries.length === 0) return add(segs, value, true)
      // A list-map element is not a node of its own: its key fields stand for it.
      if (!('key' in segs[segs.length - 1])) add(segs, value, false)
      for (const [k, v] of entries) walk(v, [...segs, { field: k }], [...fields, k])
    } else if (Array.isArray(value)) {
      if (at === 'metadata.finalizers' && value.length > 0) {
        add(segs, value, false)
        for (const v of value) add([...segs, { value: v }], v, true)
        return
      }
      if (at === 'metadata.ownerReferences' && value.length > 0 && value.every(isObject)) {
        add(segs, value, false)
        for (const el of value) add([...segs, { key: { uid: el.uid } }], el, true)
        return
      }
      const keys = value.length > 0 ? listMapKeys(fields, value) : undefined
      if (!keys) return add(segs, value, true)
      add(segs, value, false)
      for (const el of value)
        walk(el, [...segs, { key: elementKey(el as JsonObject, keys) }], fields)
    } else add(segs, value, true)
  }
  if (!isObject(obj)) return out
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue
    // The `status: {}` stamped on create is the server's, not a field anyone wrote.
    if (k === 'status' && isObject(v) && Object.keys(v).length === 0) continue
    if (k !== 'metadata') walk(v, [{ field: k }], [k])
    else if (isObject(v)) {
      const members = ['labels', 'annotations', 'finalizers', 'ownerReferences']
      const present = members.filter((m) => v[m] !== undefined)
      if (present.length > 0) add([{ field: k }], v, false)
      for (const m of present) walk(v[m], [{ field: k }, { field: m }], [k, m])
    }
  }
  return out
}

/** Every owned leaf of an object, keyed by its printed path (the leaves of {@link collectNodes}). */
export function collectLeaves(obj: unknown): Map<string, Leaf> {
  const out = new Map<string, Leaf>()
  for (const [path, node] of collectNodes(obj)) {
    if (node.leaf) out.set(path, { segs: node.segs, value: node.value })
  }
  return out
}

/** Follows a path; undefined when any step is missing. */
function locate(root: unknown, segs: Segment[]): unknown {
  let node = root
  for (const s of segs) {
    if ('field' in s) node = isObject(node) ? node[s.field] : undefined
    else if ('value' in s)
      node = Array.isArray(node) ? node.find((e) => deepEqual(e, s.value)) : undefined
    else node = Array.isArray(node) ? node.find((e) => matchesKey(e, s.key)) : undefined
    if (node === undefined) return undefined
  }
  return node
}

/** Detaches the node at `segs` from its parent. */
function detach(root: JsonObject, segs: Segment[]): void {
  const parent = locate(root, segs.slice(0, -1))
  const last = segs[segs.length - 1]
  if ('field' in last) {
    if (isObject(parent)) delete parent[last.field]
  } else if ('value' in last) {
    if (Array.isArray(parent)) {
      const index = parent.findIndex((e) => deepEqual(e, last.value))
      if (index >= 0) parent.splice(index, 1)
    }
  } else if (Array.isArray(parent)) {
    const index = parent.findIndex((e) => matchesKey(e, last.key))
    if (index >= 0) parent.splice(index, 1)
  }
}

const isEmpty = (v: unknown): boolean =>
  (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0)

/**
 * Removes leaves from a copy of `obj`. Key fields of a list-map element are only removed with the
 * whole element, which goes once nothing but its key fields is left. Maps and lists emptied by the
 * removal are pruned (top-level fields such as `spec` stay).
 */
export function removeLeaves(obj: JsonObject, leaves: Segment[][]): JsonObject {
  const out = clone(obj)
  const elements: Segment[][] = []
  for (const segs of leaves) {
    const last = segs[segs.length - 1]
    const parent = segs[segs.length - 2]
    if ('field' in last && parent && 'key' in parent && last.field in parent.key) {
      elements.push(segs.slice(0, -1))
    } else detach(out, segs)
  }
  for (const segs of elements) {
    const el = locate(out, segs)
    const last = segs[segs.length - 1]
    if (!('key' in last)) continue
    const key = last.key
    if (isObject(el) && Object.keys(el).every((k) => k in key)) detach(out, segs)
  }
  for (const segs of [...leaves].sort((a, b) => b.length - a.length)) {
    for (let depth = segs.length - 1; depth >= 2; depth--) {
      const prefix = segs.slice(0, depth)
      const node = locate(out, prefix)
      if (node === undefined) continue
      if (!isEmpty(node)) break
      detach(out, prefix)
    }
  }
  return out
}
