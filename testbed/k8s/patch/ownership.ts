/**
 * Field ownership for non-apply writes, and its rendering as `metadata.managedFields`. A later
 * server-side apply needs these `Update` entries to conflict the way the real apiserver does.
 */
import { collectLeaves, formatPath, parsePath, type Segment } from './fieldpath.js'
import { deepEqual, isObject, type JsonObject } from './util.js'

/** One manager's entry: how it last wrote, and the leaf paths it owns. */
export interface OwnershipEntry {
  operation: 'Apply' | 'Update'
  apiVersion: string
  paths: string[]
  time: string
}

/** Field ownership per object: manager → owned leaf paths. */
export type Ownership = Record<string, OwnershipEntry>

const sorted = (paths: Iterable<string>): string[] => [...new Set(paths)].sort()

/**
 * Records a non-apply write (POST, PUT, JSON/merge/strategic patch): `manager` takes every leaf it
 * added or changed (operation `Update`), other managers lose those leaves, and leaves that vanished
 * are dropped from everyone. Entries whose set did not change are passed through untouched, so a
 * no-op write yields a deep-equal result.
 */
export function recordUpdate(args: {
  before: Record<string, unknown> | undefined
  after: Record<string, unknown>
  manager: string
  ownership: Ownership
  apiVersion: string
  now: string
}): Ownership {
  const { manager, ownership, apiVersion, now } = args
  const before = collectLeaves(args.before ?? {})
  const after = collectLeaves(args.after)
  const changed = new Set<string>()
  for (const [path, leaf] of after) {
    const old = before.get(path)
    if (!old || !deepEqual(old.value, leaf.value)) changed.add(path)
  }
  const out: Ownership = {}
  for (const [name, entry] of Object.entries(ownership)) {
    if (name === manager) continue
    const paths = entry.paths.filter((p) => after.has(p) && !changed.has(p))
    if (paths.length > 0) out[name] = { ...entry, paths }
  }
  const old = ownership[manager]
  const kept = old ? old.paths.filter((p) => after.has(p)) : []
  if (changed.size > 0) {
    out[manager] = {
      operation: 'Update',
      apiVersion,
      paths: sorted([...kept, ...changed]),
      time: now
    }
  } else if (old && kept.length > 0) {
    // Nothing written: the entry (and its time) stays as it was.
    out[manager] = { ...old, paths: kept }
  }
  return reorderLike(out, ownership)
}

/** Keeps managers in their previous order (new ones last), so no-op results compare equal. */
export function reorderLike(entries: Ownership, previous: Ownership): Ownership {
  const out: Ownership = {}
  for (const name of Object.keys(previous)) if (entries[name]) out[name] = entries[name]
  for (const name of Object.keys(entries)) if (!out[name]) out[name] = entries[name]
  return out
}

/**
 * Renders ownership as `metadata.managedFields` entries in the FieldsV1 format, e.g.
 * `{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"aws-node\"}":{".":{},…}}}}}}`.
 * A list element gets `"."` when the manager owns its key fields (it created the element). Entries
 * are sorted like the apiserver's `sortEncodedManagedFields`: operation, time, manager, apiVersion.
 */
export function toManagedFields(ownership: Ownership): unknown[] {
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
  const entries = Object.entries(ownership).sort(
    ([m1, a], [m2, b]) =>
      cmp(a.operation, b.operation) ||
      cmp(a.time, b.time) ||
      cmp(m1, m2) ||
      cmp(a.apiVersion, b.apiVersion)
  )
  return entries.map(([manager, entry]) => {
    const tree: JsonObject = {}
    for (const path of entry.paths) {
      let node = tree
      const segs = parsePath(path)
      segs.forEach((s, i) => {
        let name: string
        if ('field' in s) name = `f:${s.field}`
        else {
          const key: JsonObject = {}
          for (const k of Object.keys(s.key).sort()) key[k] = s.key[k]
          name = `k:${JSON.stringify(key)}`
        }
        node[name] ??= {}
        node = node[name] as JsonObject
        const next = segs[i + 1]
        if ('key' in s && next && 'field' in next && next.field in s.key) node['.'] = {}
      })
    }
    return {
      manager,
      operation: entry.operation,
      apiVersion: entry.apiVersion,
      time: entry.time,
      fieldsType: 'FieldsV1',
      fieldsV1: sortTree(tree)
    }
  })
}

/** FieldsV1 keys are sorted like the apiserver serializes them (`.` first, then f:, k:). */
function sortTree(tree: JsonObject): JsonObject {
  const out: JsonObject = {}
  for (const k of Object.keys(tree).sort()) out[k] = sortTree(tree[k] as JsonObject)
  return out
}

/**
 * Reads `metadata.managedFields` back into ownership, for writes that set it directly (kubectl's
 * CSA→SSA migration sends a JSON patch replacing `/metadata/managedFields`). Entries without a
 * manager or with a malformed FieldsV1 tree are skipped; `v:`/`i:` elements are not modelled.
 */
export function fromManagedFields(managedFields: unknown): Ownership {
  const out: Ownership = {}
  if (!Array.isArray(managedFields)) return out
  for (const raw of managedFields) {
    if (!isObject(raw) || typeof raw.manager !== 'string' || !isObject(raw.fieldsV1)) continue
    const paths: string[] = []
    const walk = (node: JsonObject, segs: Segment[]): void => {
      const children = Object.keys(node).filter((k) => k !== '.')
      if (children.length === 0 && segs.length > 0 && !('key' in segs[segs.length - 1])) {
        paths.push(formatPath(segs))
      }
      for (const k of children) {
        const child = node[k]
        if (!isObject(child)) continue
        if (k.startsWith('f:')) walk(child, [...segs, { field: k.slice(2) }])
        else if (k.startsWith('k:')) {
          try {
            const key: unknown = JSON.parse(k.slice(2))
            if (isObject(key)) walk(child, [...segs, { key }])
          } catch {
            // A malformed key cannot be addressed; its subtree is not owned.
          }
        }
      }
    }
    walk(raw.fieldsV1, [])
    const entry: OwnershipEntry = {
      operation: raw.operation === 'Apply' ? 'Apply' : 'Update',
      apiVersion: typeof raw.apiVersion === 'string' ? raw.apiVersion : '',
      paths: sorted(paths),
      time: typeof raw.time === 'string' ? raw.time : ''
    }
    // One manager may have both an Apply and an Update entry; ownership keys by manager, so the
    // sets are united and the Apply entry (which drives field removal) wins.
    const seen = out[raw.manager]
    if (seen) {
      const main = seen.operation === 'Apply' ? seen : entry
      entry.paths = sorted([...seen.paths, ...entry.paths])
      out[raw.manager] = { ...main, paths: entry.paths }
    } else out[raw.manager] = entry
  }
  return out
}
