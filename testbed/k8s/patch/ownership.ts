/**
 * Field ownership per object: Update entries recorded for non-apply writes (a later server-side
 * apply conflicts with them the way the real apiserver does), entry identities (manager,
 * operation, subresource), and the rendering to and from `metadata.managedFields` (FieldsV1).
 */
import { collectNodes, formatPath, parsePath, type Segment } from './fieldpath.js'
import { deepEqual, isObject, type JsonObject } from './util.js'

/** One manager's entry: how it last wrote, and the paths it owns (leaves and the maps it created). */
export interface OwnershipEntry {
  operation: 'Apply' | 'Update'
  apiVersion: string
  paths: string[]
  time: string
  /** The manager's name when the key is not just the name (subresource or second operation). */
  manager?: string
  /** 'status' for an entry written through the /status subresource. */
  subresource?: string
}

/**
 * Field ownership per object: entry key → entry, one entry per manager, operation and
 * subresource as the apiserver keeps them. The key is the manager's name, `<manager>/<subresource>`
 * for subresource writes, and `… (Apply)` / `… (Update)` for a manager's second operation.
 */
export type Ownership = Record<string, OwnershipEntry>

const sorted = (paths: Iterable<string>): string[] => [...new Set(paths)].sort()

/** The key of a manager's entry in {@link Ownership}. */
export function entryKey(manager: string, subresource?: string): string {
  return subresource ? `${manager}/${subresource}` : manager
}

/**
 * The key of `manager`'s entry for one operation (and subresource): the apiserver keeps an Apply
 * and an Update entry of one manager apart. A new entry gets the manager's name as key when free.
 */
export function findEntry(
  ownership: Ownership,
  manager: string,
  operation: OwnershipEntry['operation'],
  subresource?: string
): string {
  for (const [key, entry] of Object.entries(ownership)) {
    if (
      managerName(key, entry) === manager &&
      entry.operation === operation &&
      (entry.subresource ?? '') === (subresource ?? '')
    )
      return key
  }
  const base = entryKey(manager, subresource)
  return base in ownership ? `${base} (${operation})` : base
}

/** What an entry stored under `key` must say about its manager beyond the key. */
export function identity(
  key: string,
  manager: string,
  subresource?: string
): Pick<OwnershipEntry, 'manager' | 'subresource'> {
  return {
    ...(key !== manager ? { manager } : {}),
    ...(subresource ? { subresource } : {})
  }
}

/** The manager an entry belongs to. */
export function managerName(key: string, entry: OwnershipEntry): string {
  return entry.manager ?? key
}

/**
 * Maps and lists the Go types of built-in kinds always serialize (non-pointer structs and lists
 * without omitempty), so they are never "added" and an updater never owns them as a whole. Paths
 * are field names from the root, list-map keys left out.
 */
const ALWAYS_PRESENT = new Set([
  'metadata',
  'spec',
  'status',
  'roleRef',
  'spec.template',
  'spec.template.metadata',
  'spec.template.spec',
  'spec.template.spec.containers',
  'spec.template.spec.containers.resources',
  'spec.template.spec.initContainers.resources',
  'spec.updateStrategy',
  'spec.strategy',
  'spec.containers',
  'spec.containers.resources',
  'spec.initContainers.resources',
  'spec.names',
  'status.acceptedNames',
  'status.nodeInfo',
  'status.daemonEndpoints',
  'status.daemonEndpoints.kubeletEndpoint'
])

/** Built-in kinds are typed structs on the server; custom resources are plain maps. */
function isBuiltin(obj: Record<string, unknown>): boolean {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : 'v1'
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : ''
  return group === '' || !group.includes('.') || group.endsWith('.k8s.io')
}

function alwaysPresent(segs: Segment[]): boolean {
  const fields = segs.filter((s): s is { field: string } => 'field' in s).map((s) => s.field)
  return ALWAYS_PRESENT.has(fields.join('.'))
}

/**
 * Records a non-apply write (POST, PUT, JSON/merge/strategic patch): `manager` takes every leaf it
 * added or changed and every map or list it created (operation `Update`), other managers lose
 * those leaves, and paths the write removed are dropped from everyone. Paths for which `keep` is true
 * are outside the write (status during a main-resource write) and stay as they are. Entries whose
 * set did not change are passed through untouched, so a no-op write yields a deep-equal result.
 */
export function recordUpdate(args: {
  before: Record<string, unknown> | undefined
  after: Record<string, unknown>
  manager: string
  ownership: Ownership
  apiVersion: string
  now: string
  subresource?: string
  keep?: (path: string) => boolean
}): Ownership {
  const { manager, ownership, apiVersion, now, subresource } = args
  const keep = args.keep ?? ((): boolean => false)
  const before = collectNodes(args.before ?? {})
  const after = collectNodes(args.after)
  const builtin = isBuiltin(args.after)
  const changed = new Set<string>()
  for (const [path, node] of after) {
    const old = before.get(path)
    if (node.leaf) {
      if (!old || !old.leaf || !deepEqual(old.value, node.value)) changed.add(path)
    } else if (!old && !(builtin && alwaysPresent(node.segs))) changed.add(path)
  }
  // Like structured-merge-diff, only what this write removed leaves the sets; a path that was
  // not in the object before (managedFields sent with the write may name one) stays.
  const removed = (p: string): boolean => !keep(p) && before.has(p) && !after.has(p)
  const key = findEntry(ownership, manager, 'Update', subresource)
  const out: Ownership = {}
  for (const [name, entry] of Object.entries(ownership)) {
    if (name === key) continue
    const paths = entry.paths.filter((p) => keep(p) || (!removed(p) && !changed.has(p)))
    if (paths.length > 0) out[name] = { ...entry, paths }
  }
  const old = ownership[key]
  const kept = old ? old.paths.filter((p) => !removed(p)) : []
  if (changed.size > 0) {
    out[key] = {
      operation: 'Update',
      apiVersion,
      paths: sorted([...kept, ...changed]),
      time: now,
      ...identity(key, manager, subresource)
    }
  } else if (old && kept.length > 0) {
    // Nothing written: the entry (and its time) stays as it was.
    out[key] = { ...old, paths: kept }
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

/** A FieldsV1 member name: `f:<field>`, `k:<key as JSON>` or `v:<value as JSON>`. */
function memberName(s: Segment): string {
  if ('field' in s) return `f:${s.field}`
  if ('value' in s) return `v:${JSON.stringify(s.value)}`
  const key: JsonObject = {}
  for (const k of Object.keys(s.key).sort()) key[k] = s.key[k]
  return `k:${JSON.stringify(key)}`
}

/**
 * Renders ownership as `metadata.managedFields` entries in the FieldsV1 format, e.g.
 * `{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"aws-node\"}":{".":{},…}}}}}}`.
 * A node gets `"."` when the manager owns the node itself and something below it: a map or list
 * it created, or a list element whose key fields it owns. Entries are sorted like the apiserver's
 * `sortEncodedManagedFields`: operation, time, manager, apiVersion, subresource.
 */
export function toManagedFields(ownership: Ownership): unknown[] {
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
  const entries = Object.entries(ownership)
    .map(([key, entry]) => ({ manager: managerName(key, entry), entry }))
    .sort(
      (a, b) =>
        cmp(a.entry.operation, b.entry.operation) ||
        cmp(a.entry.time, b.entry.time) ||
        cmp(a.manager, b.manager) ||
        cmp(a.entry.apiVersion, b.entry.apiVersion) ||
        cmp(a.entry.subresource ?? '', b.entry.subresource ?? '')
    )
  return entries.map(({ manager, entry }) => {
    const tree: JsonObject = {}
    const owned = new Set<JsonObject>()
    for (const path of entry.paths) {
      let node = tree
      const segs = parsePath(path)
      segs.forEach((s, i) => {
        const name = memberName(s)
        node[name] ??= {}
        node = node[name] as JsonObject
        const next = segs[i + 1]
        if ('key' in s && next && 'field' in next && next.field in s.key) owned.add(node)
      })
      owned.add(node)
    }
    // An empty manager (no fieldManager and no User-Agent) is omitted, as the apiserver does.
    const out: JsonObject = {
      ...(manager ? { manager } : {}),
      operation: entry.operation,
      apiVersion: entry.apiVersion,
      time: entry.time,
      fieldsType: 'FieldsV1',
      fieldsV1: sortTree(tree, owned)
    }
    if (entry.subresource) out.subresource = entry.subresource
    return out
  })
}

/** FieldsV1 keys are sorted like the apiserver serializes them (`.` first, then f:, k:, v:). */
function sortTree(tree: JsonObject, owned: Set<JsonObject>): JsonObject {
  const out: JsonObject = {}
  const keys = Object.keys(tree).sort()
  if (keys.length > 0 && owned.has(tree)) out['.'] = {}
  for (const k of keys) out[k] = sortTree(tree[k] as JsonObject, owned)
  return out
}

/**
 * Reads `metadata.managedFields` back into ownership, for writes that set it directly (kubectl's
 * CSA→SSA migration sends a JSON patch replacing `/metadata/managedFields`). Entries without a
 * FieldsV1 tree are skipped, malformed members inside one are ignored; `i:` (list index) members are not
 * modelled.
 */
export function fromManagedFields(managedFields: unknown): Ownership {
  const out: Ownership = {}
  if (!Array.isArray(managedFields)) return out
  for (const raw of managedFields) {
    if (!isObject(raw) || !isObject(raw.fieldsV1)) continue
    const manager = typeof raw.manager === 'string' ? raw.manager : ''
    const paths: string[] = []
    const walk = (node: JsonObject, segs: Segment[]): void => {
      const children = Object.keys(node).filter((k) => k !== '.')
      const last = segs[segs.length - 1]
      if (segs.length > 0 && (children.length === 0 || ('.' in node && !('key' in last)))) {
        paths.push(formatPath(segs))
      }
      for (const k of children) {
        const child = node[k]
        if (!isObject(child)) continue
        if (k.startsWith('f:')) walk(child, [...segs, { field: k.slice(2) }])
        else if (k.startsWith('k:') || k.startsWith('v:')) {
          try {
            const parsed: unknown = JSON.parse(k.slice(2))
            if (k.startsWith('v:')) walk(child, [...segs, { value: parsed }])
            else if (isObject(parsed)) walk(child, [...segs, { key: parsed }])
          } catch {
            // A malformed member cannot be addressed; its subtree is not owned.
          }
        }
      }
    }
    walk(raw.fieldsV1, [])
    const subresource =
      typeof raw.subresource === 'string' && raw.subresource ? raw.subresource : ''
    const operation = raw.operation === 'Apply' ? 'Apply' : 'Update'
    const key = findEntry(out, manager, operation, subresource)
    const seen = out[key]
    out[key] = {
      operation,
      apiVersion: typeof raw.apiVersion === 'string' ? raw.apiVersion : '',
      // Two entries with one identity (only in a hand-written list) are united.
      paths: sorted([...(seen?.paths ?? []), ...paths]),
      time: typeof raw.time === 'string' ? raw.time : '',
      ...identity(key, manager, subresource)
    }
  }
  return out
}
