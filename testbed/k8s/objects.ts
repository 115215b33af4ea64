/**
 * The part of every write the server owns, not the client: system metadata (uid, creationTimestamp,
 * resourceVersion, generation), defaulting, keeping status out of main-resource writes, and the
 * no-op rule (a write that changes neither the object nor its ownership changes nothing at all).
 */
import { randomUUID } from 'node:crypto'
import type { Ownership } from './engine.js'
import { groupVersion, type ResourceType } from './kinds.js'
import type { Store } from './store.js'
import { deepCopy, deepEqual, isMap, rfc3339, type JsonMap, type KubeObject } from './types.js'

/** Metadata the client may not set (or that only clutters patch engines). */
const SYSTEM_META = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields']

/** The object without server noise, as patch engines should see it. */
export function forPatching(object: KubeObject): KubeObject {
  const copy = deepCopy(object)
  delete copy.metadata.managedFields
  delete copy.metadata.resourceVersion
  return copy
}

/**
 * The object as field ownership sees it: without server-owned metadata, and without status for
 * main-resource writes of kinds whose status only the /status subresource (a controller) writes.
 */
export function ownedView(
  object: KubeObject,
  type: ResourceType,
  subresource?: string
): KubeObject {
  const copy = forPatching(object)
  for (const k of [...SYSTEM_META, 'deletionTimestamp']) delete copy.metadata[k]
  if (type.statusSubresource && subresource !== 'status') delete copy.status
  return copy
}

/** Everything but metadata and status: what a generation bump is about. */
function specPart(object: KubeObject): JsonMap {
  const rest: JsonMap = { ...object }
  delete rest.metadata
  delete rest.status
  delete rest.apiVersion
  delete rest.kind
  return rest
}

/** apps/v1 DaemonSet defaults the API server applies on every write (rollout status needs the strategy). */
function defaultDaemonSet(object: KubeObject): void {
  const spec: JsonMap = isMap(object.spec) ? object.spec : (object.spec = {})
  const strategy: JsonMap = isMap(spec.updateStrategy) ? spec.updateStrategy : {}
  spec.updateStrategy = strategy
  if (strategy.type === undefined) strategy.type = 'RollingUpdate'
  if (strategy.type === 'RollingUpdate') {
    const ru: JsonMap = isMap(strategy.rollingUpdate) ? strategy.rollingUpdate : {}
    strategy.rollingUpdate = ru
    if (ru.maxUnavailable === undefined) ru.maxUnavailable = 1
    if (ru.maxSurge === undefined) ru.maxSurge = 0
  }
  if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10
}

function applyDefaults(type: ResourceType, object: KubeObject): void {
  if (type.group === 'apps' && type.resource === 'daemonsets') defaultDaemonSet(object)
  if (type.group === 'apiextensions.k8s.io' && isMap(object.spec)) {
    const names = object.spec.names
    if (isMap(names) && names.listKind === undefined) names.listKind = `${String(names.kind)}List`
  }
}

export interface WriteTarget {
  type: ResourceType
  namespace?: string
  name: string
  live: KubeObject | undefined
  /** 'status' for the /status subresource: only status changes. */
  subresource?: string
}

/**
 * Turns what a client asked for into what would be stored: URL identity and system metadata win,
 * status stays as stored for main-resource writes of kinds with a status subresource.
 */
export function prepareWrite(target: WriteTarget, requested: KubeObject): KubeObject {
  const { type, live } = target
  let next: KubeObject
  if (target.subresource === 'status' && live) {
    next = deepCopy(live)
    if (requested.status !== undefined) next.status = deepCopy(requested.status)
    else delete next.status
  } else {
    next = deepCopy(requested)
    next.metadata = isMap(next.metadata) ? next.metadata : { name: target.name }
    for (const k of SYSTEM_META) delete next.metadata[k]
    if (type.statusSubresource) {
      if (live?.status !== undefined) next.status = deepCopy(live.status)
      else if (live) delete next.status
      else next.status = {}
    }
  }
  next.apiVersion = groupVersion(type.group, type.version)
  next.kind = type.kind
  next.metadata.name = target.name
  if (type.namespaced) next.metadata.namespace = target.namespace
  else delete next.metadata.namespace
  if (live) {
    next.metadata.uid = live.metadata.uid
    next.metadata.creationTimestamp = live.metadata.creationTimestamp
    if (live.metadata.deletionTimestamp)
      next.metadata.deletionTimestamp = live.metadata.deletionTimestamp
  } else {
    next.metadata.uid = randomUUID()
    next.metadata.creationTimestamp = rfc3339()
  }
  applyDefaults(type, next)
  if (type.tracksGeneration) {
    const gen = live?.metadata.generation ?? 0
    next.metadata.generation = !live || !deepEqual(specPart(live), specPart(next)) ? gen + 1 : gen
  }
  return next
}

/** Ownership equal apart from timestamps: a no-op apply must not count as a change. */
function sameOwnership(a: Ownership, b: Ownership): boolean {
  const strip = (o: Ownership): JsonMap =>
    Object.fromEntries(Object.entries(o).map(([m, e]) => [m, { ...e, time: '' }]))
  return deepEqual(strip(a), strip(b))
}

export interface CommitResult {
  object: KubeObject
  created: boolean
  changed: boolean
}

/**
 * Stores a prepared object unless it is a no-op or a dry run. A dry run returns what would be
 * stored (the resourceVersion stays the live one), nothing is stored and no event is sent.
 */
export function commit(
  store: Store,
  target: WriteTarget,
  next: KubeObject,
  ownership: Ownership,
  dryRun: boolean
): CommitResult {
  const { type, live } = target
  const oldOwnership = store.ownership(type, target.namespace, target.name)
  if (live) {
    const before = { ...forPatching(live), apiVersion: next.apiVersion }
    const after = forPatching(next)
    if (deepEqual(before, after) && sameOwnership(oldOwnership, ownership)) {
      return { object: withVersion(live, type), created: false, changed: false }
    }
  }
  if (dryRun) {
    const echo = deepCopy(next)
    if (live) echo.metadata.resourceVersion = live.metadata.resourceVersion
    return { object: echo, created: !live, changed: true }
  }
  return { object: store.put(type, next, ownership), created: !live, changed: true }
}

function withVersion(object: KubeObject, type: ResourceType): KubeObject {
  const copy = deepCopy(object)
  copy.apiVersion = groupVersion(type.group, type.version)
  return copy
}
