/**
 * Reading `metadata.managedFields`: which field manager owns which field, and when it last changed
 * something. FieldsV1 encodes a set of field paths as a tree: `f:<name>` is a field, `k:<json>` a
 * list element by its merge key (`k:{"name":"aws-node"}`), `v:<json>` a set element, `i:<n>` a
 * list index, and `.` the element itself.
 */
import { asObject, isObject } from '../json.js'

/** One step of a field path. */
export type Segment =
  | { readonly field: string }
  | { readonly key: Readonly<Record<string, unknown>> }
  | { readonly value: unknown }
  | { readonly index: number }

export type FieldPath = readonly Segment[]

/** One managedFields entry, in plain form. */
export interface ManagedEntry {
  manager: string
  operation: string
  /** RFC 3339, '' when absent. */
  time: string
  /** 'status' and other subresources; '' for the main resource. */
  subresource: string
  /** The FieldsV1 tree. */
  fields: Record<string, unknown>
}

/** The managedFields entries of an object (plain JSON or a client-node model). */
export function managedEntries(object: unknown): ManagedEntry[] {
  const list = asObject(asObject(object).metadata).managedFields
  if (!Array.isArray(list)) return []
  return list.flatMap((raw): ManagedEntry[] => {
    const e = asObject(raw)
    if (typeof e.manager !== 'string') return []
    const time =
      e.time instanceof Date ? e.time.toISOString() : typeof e.time === 'string' ? e.time : ''
    return [
      {
        manager: e.manager,
        operation: typeof e.operation === 'string' ? e.operation : '',
        time,
        subresource: typeof e.subresource === 'string' ? e.subresource : '',
        fields: asObject(e.fieldsV1)
      }
    ]
  })
}

/**
 * True when the entry's set holds `path` itself or anything below it: owning the value of an env
 * entry (`…env[name="X"].value`) or the entry (`.`) both count for `…env[name="X"]`. A leaf the
 * entry owns above `path` (an atomic list or map) counts too.
 */
export function ownsPath(entry: ManagedEntry, path: FieldPath): boolean {
  let node: Record<string, unknown> = entry.fields
  for (const segment of path) {
    const child = childFor(node, segment)
    if (child === undefined) return false
    // An empty node is a leaf: the entry owns it whole, and so everything beneath it.
    if (Object.keys(child).length === 0) return true
    node = child
  }
  return true
}

/** The entries (main resource only) that own `path`, see {@link ownsPath}. */
export function ownersOf(entries: readonly ManagedEntry[], path: FieldPath): ManagedEntry[] {
  return entries.filter((e) => e.subresource === '' && ownsPath(e, path))
}

/**
 * Every leaf path in an entry's set, in FieldsV1 order. An element marked only with `.` (owned as
 * a whole, nothing inside) is a leaf too.
 */
export function ownedLeaves(entry: ManagedEntry): FieldPath[] {
  const out: FieldPath[] = []
  const walk = (node: Record<string, unknown>, path: Segment[]): void => {
    const children = Object.keys(node).filter((k) => k !== '.')
    if (children.length === 0 && path.length > 0) out.push(path)
    for (const k of children) {
      const segment = parseSegment(k)
      if (segment) walk(asObject(node[k]), [...path, segment])
    }
  }
  walk(entry.fields, [])
  return out
}

/** `.spec.template.spec.containers[name="aws-node"].env[name="X"].value`, as EKS quotes paths. */
export function formatPath(path: FieldPath): string {
  return path
    .map((s) => {
      if ('field' in s) return `.${s.field}`
      if ('index' in s) return `[${s.index}]`
      if ('value' in s) return `[=${JSON.stringify(s.value)}]`
      const keys = Object.keys(s.key).sort()
      return `[${keys.map((k) => `${k}=${JSON.stringify(s.key[k])}`).join(',')}]`
    })
    .join('')
}

export function sameSegment(a: Segment, b: Segment): boolean {
  if ('field' in a) return 'field' in b && a.field === b.field
  if ('index' in a) return 'index' in b && a.index === b.index
  if ('value' in a) return 'value' in b && deepEqual(a.value, b.value)
  return 'key' in b && deepEqual(a.key, b.key)
}

/** The latest of RFC 3339 times, '' for none. */
export function latest(times: Iterable<string>): string {
  let best = ''
  for (const t of times) if (t && (best === '' || Date.parse(t) > Date.parse(best))) best = t
  return best
}

function childFor(
  node: Record<string, unknown>,
  segment: Segment
): Record<string, unknown> | undefined {
  if ('field' in segment) {
    const child = node[`f:${segment.field}`]
    return child === undefined ? undefined : asObject(child)
  }
  if ('index' in segment) {
    const child = node[`i:${segment.index}`]
    return child === undefined ? undefined : asObject(child)
  }
  for (const k of Object.keys(node)) {
    const parsed = parseSegment(k)
    if (parsed && sameSegment(parsed, segment)) return asObject(node[k])
  }
  return undefined
}

function parseSegment(k: string): Segment | undefined {
  const body = k.slice(2)
  try {
    if (k.startsWith('f:')) return { field: body }
    if (k.startsWith('i:')) return { index: Number(body) }
    if (k.startsWith('v:')) return { value: JSON.parse(body) as unknown }
    if (k.startsWith('k:')) {
      const key: unknown = JSON.parse(body)
      return isObject(key) ? { key } : undefined
    }
  } catch {
    // A malformed key addresses nothing.
  }
  return undefined
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined)
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined)
  return (
    ka.length === kb.length &&
    ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  )
}
