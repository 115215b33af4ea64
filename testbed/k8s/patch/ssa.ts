/**
 * Server-side apply (`application/apply-patch+yaml`): merge the applied configuration into the live
 * object by list-map keys, detect conflicts with other managers' fields, move ownership on force,
 * and remove fields the applier stopped applying that nobody else owns.
 */
import {
  collectLeaves,
  collectNodes,
  elementKey,
  formatPath,
  listMapKeys,
  removeLeaves,
  type Leaf,
  type Segment
} from './fieldpath.js'
import { conflictError, type Conflict } from './conflict.js'
import { findEntry, identity, reorderLike, type Ownership } from './ownership.js'
import { PatchError, clone, deepEqual, isObject, type JsonObject } from './util.js'

/** The merged object and the ownership after an apply. */
export interface ApplyResult {
  object: Record<string, unknown>
  ownership: Ownership
}

/** Metadata fields an apply configuration may set; the server owns the rest. */
const APPLIED_METADATA = [
  'name',
  'namespace',
  'labels',
  'annotations',
  'finalizers',
  'ownerReferences'
]

function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls)
  if (!isObject(value)) return value
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = dropNulls(v)
  return out
}

/**
 * Rejects list-maps with a repeated key, as the apiserver does when it builds the typed patch
 * (`duplicate entries for key [name="X"]`, 422).
 */
function checkDuplicates(config: JsonObject): void {
  const walk = (value: unknown, segs: Segment[], fields: string[]): void => {
    if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, [...segs, { field: k }], [...fields, k])
      return
    }
    if (!Array.isArray(value)) return
    const keys = value.length > 0 ? listMapKeys(fields, value) : undefined
    if (!keys) return
    const seen = new Set<string>()
    for (const el of value) {
      const key = elementKey(el as JsonObject, keys)
      const id = formatPath([{ key }])
      if (seen.has(id)) {
        const gvk = `${String(config.apiVersion)}, Kind=${String(config.kind)}`
        throw new PatchError(
          `failed to create typed patch object (${gvk}): ${formatPath(segs)}: duplicate entries for key ${id}`,
          422,
          'Invalid'
        )
      }
      seen.add(id)
      walk(el, [...segs, { key }], fields)
    }
  }
  walk(config, [], [])
}

/**
 * The part of the configuration that apply acts on: no server-owned metadata, and no status, or
 * through the status subresource only status.
 */
function normalizeConfig(config: JsonObject, subresource?: string): JsonObject {
  const out = dropNulls(config) as JsonObject
  checkDuplicates(out)
  if (subresource === 'status') {
    for (const k of Object.keys(out))
      if (!['apiVersion', 'kind', 'metadata', 'status'].includes(k)) delete out[k]
    if (isObject(out.metadata)) {
      const meta: JsonObject = {}
      for (const k of ['name', 'namespace'])
        if (out.metadata[k] !== undefined) meta[k] = out.metadata[k]
      out.metadata = meta
    }
    return out
  }
  delete out.status
  if (isObject(out.metadata)) {
    const meta: JsonObject = {}
    for (const k of APPLIED_METADATA) if (out.metadata[k] !== undefined) meta[k] = out.metadata[k]
    out.metadata = meta
  }
  return out
}

/**
 * Merges a list-map the way structured-merge-diff's `visitListItems` does: shared items follow the
 * applied order, live-only items keep their place, new items come where the config puts them.
 */
function mergeListMap(
  live: unknown[],
  cfg: unknown[],
  keys: string[],
  fields: string[]
): unknown[] {
  const id = (e: unknown): string => JSON.stringify(elementKey(e as JsonObject, keys))
  const lid = live.map(id)
  const rid = cfg.map(id)
  const lIndex = new Map(lid.map((k, i) => [k, i]))
  const rSet = new Set(rid)
  const sharedOrder = rid.filter((k) => lIndex.has(k))
  let nextShared = sharedOrder.shift()
  const merged = new Set<string>()
  const out: unknown[] = []
  let l = 0
  let r = 0
  while (l < lid.length || r < rid.length) {
    if (l < lid.length && r < rid.length) {
      if (lid[l] === rid[r]) {
        merged.add(lid[l])
        out.push(mergeApplied(live[l], cfg[r], fields))
        l++
        r++
        nextShared = sharedOrder.shift()
        continue
      }
      // A shared item that is not next in the applied order: come back to it later.
      if (rSet.has(lid[l]) && nextShared !== undefined && nextShared !== lid[l]) {
        l++
        continue
      }
    }
    if (l < lid.length) {
      if (!rSet.has(lid[l])) {
        out.push(clone(live[l++]))
        continue
      }
      if (merged.has(lid[l])) {
        l++
        continue
      }
    }
    if (r < rid.length) {
      const pe = rid[r]
      merged.add(pe)
      const li = lIndex.get(pe)
      out.push(mergeApplied(li === undefined ? undefined : live[li], cfg[r], fields))
      r++
      if (nextShared === pe) nextShared = sharedOrder.shift()
    }
  }
  return out
}

/** Applied configuration over live: maps merge, list-maps merge by key, the rest replaces. */
function mergeApplied(live: unknown, cfg: unknown, fields: string[]): unknown {
  if (isObject(cfg)) {
    const out: JsonObject = isObject(live) ? clone(live) : {}
    for (const [k, v] of Object.entries(cfg)) out[k] = mergeApplied(out[k], v, [...fields, k])
    return out
  }
  if (Array.isArray(cfg)) {
    const keys = listMapKeys(fields, cfg)
    if (keys && Array.isArray(live) && listMapKeys(fields, live)) {
      return mergeListMap(live, cfg, keys, fields)
    }
  }
  return clone(cfg)
}

/**
 * An owned empty map or list that the apply only added members to: structured-merge-diff sees no
 * change to the owned node itself, so this is not a conflict.
 */
function filledIn(before: Leaf, path: string, merged: Map<string, Leaf>): boolean {
  const v = before.value
  const empty = (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0)
  if (!empty) return false
  for (const p of merged.keys())
    if (p.startsWith(`${path}.`) || p.startsWith(`${path}[`)) return true
  return false
}

const samePaths = (a: string[], b: string[]): boolean => deepEqual(a, b)

/**
 * Server-side apply of `config` by `manager`. `live` undefined means create. A leaf that another
 * manager owns and that the apply would change is a conflict: without `force` the whole apply fails
 * with the apiserver's 409 (`Apply failed with N conflict(s)…`, causes `FieldManagerConflict`); with
 * `force` the applier takes it over. Leaves the manager applied before, no longer applies and nobody
 * else owns are removed. Status and server-owned metadata in `config` are ignored. Entries whose
 * set and object are unchanged keep their `time`, so a no-op apply returns deep-equal results.
 */
export function serverSideApply(args: {
  live: Record<string, unknown> | undefined
  config: Record<string, unknown>
  manager: string
  force: boolean
  ownership: Ownership
  apiVersion: string
  now: string
  /** 'status' for an apply through the status subresource: it applies status only. */
  subresource?: string
}): ApplyResult {
  const { live, manager, force, ownership, apiVersion, now, subresource } = args
  const config = normalizeConfig(args.config, subresource)
  const base: JsonObject = live ? clone(live) : {}
  const merged = mergeApplied(base, config, []) as JsonObject
  const configLeaves = collectLeaves(config)
  const liveLeaves = collectLeaves(base)
  const mergedLeaves = collectLeaves(merged)

  // The applier's own Apply entry; its Update entries, if any, are other managers here.
  const key = findEntry(ownership, manager, 'Apply', subresource)
  const conflicts: Conflict[] = []
  for (const [name, entry] of Object.entries(ownership)) {
    if (name === key) continue
    for (const path of entry.paths) {
      const before = liveLeaves.get(path)
      const after = mergedLeaves.get(path)
      if (before && (!after || !deepEqual(before.value, after.value))) {
        if (!after && filledIn(before, path, mergedLeaves)) continue
        conflicts.push({ manager: name, entry, path })
      }
    }
  }
  if (conflicts.length > 0 && !force) throw conflictError(conflicts)

  const lost = new Set(conflicts.map((c) => `${c.manager}\n${c.path}`))
  const others = new Map<string, string[]>()
  for (const [name, entry] of Object.entries(ownership)) {
    if (name === key) continue
    others.set(
      name,
      entry.paths.filter((p) => !lost.has(`${name}\n${p}`))
    )
  }
  const ownedByOthers = new Set([...others.values()].flat())

  const previous = ownership[key]
  const previouslyApplied = previous?.operation === 'Apply' ? previous.paths : []
  const dropped = previouslyApplied
    .filter((p) => !configLeaves.has(p) && !ownedByOthers.has(p))
    .map((p) => mergedLeaves.get(p))
    .filter((leaf): leaf is Leaf => leaf !== undefined)
    .map((leaf): Segment[] => leaf.segs)
  const object = dropped.length > 0 ? removeLeaves(merged, dropped) : merged
  const finalLeaves = dropped.length > 0 ? collectLeaves(object) : mergedLeaves
  const finalNodes = collectNodes(object)
  const liveNodes = collectNodes(base)
  // Only what the apply removed leaves the other sets (structured-merge-diff's Removed).
  const removed = (p: string): boolean => liveNodes.has(p) && !finalNodes.has(p)

  const out: Ownership = {}
  for (const [name, paths] of others) {
    const entry = ownership[name]
    const kept = paths.filter((p) => !removed(p))
    if (kept.length === 0) continue
    out[name] = { ...entry, paths: kept }
  }
  const paths = [...configLeaves.keys()].filter((p) => finalLeaves.has(p)).sort()
  const unchanged =
    previous?.operation === 'Apply' &&
    previous.apiVersion === apiVersion &&
    samePaths(previous.paths, paths) &&
    deepEqual(object, base)
  // An apply that ends up owning nothing leaves no entry, like the apiserver's empty-set pruning.
  if (paths.length > 0) {
    out[key] = unchanged
      ? { ...previous, paths: [...previous.paths] }
      : { operation: 'Apply', apiVersion, paths, time: now, ...identity(key, manager, subresource) }
  }
  return { object, ownership: reorderLike(out, ownership) }
}
