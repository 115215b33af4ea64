/**
 * The part of every write the server owns, not the client: system metadata (uid, creationTimestamp,
 * resourceVersion, generation), defaulting, keeping status out of main-resource writes, and the
 * no-op rule (a write that changes neither the object nor its ownership changes nothing at all).
 */
import { randomUUID } from 'node:crypto'
import { fromManagedFields, recordUpdate, toManagedFields, type Ownership } from './engine.js'
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
    // The answer shows the managedFields the write would leave, as the real server's does.
    const managedFields = toManagedFields(ownership)
    if (managedFields.length > 0) echo.metadata.managedFields = managedFields
    return { object: echo, created: !live, changed: true }
  }
  return { object: store.put(type, next, ownership), created: !live, changed: true }
}

function withVersion(object: KubeObject, type: ResourceType): KubeObject {
  const copy = deepCopy(object)
  copy.apiVersion = groupVersion(type.group, type.version)
  return copy
}

/**
 * Paths a write cannot touch, so ownership of them stays as it is: status during a main-resource
 * write of a kind with a status subresource, everything but status during a status write.
 */
export function outsideWrite(
  type: ResourceType,
  subresource?: string
): ((path: string) => boolean) | undefined {
  const isStatus = (p: string): boolean => p === '.status' || p.startsWith('.status.')
  if (subresource === 'status') return (p) => !isStatus(p)
  return type.statusSubresource ? isStatus : undefined
}

/** An empty list, or a list of one empty entry: the client asks to clear managedFields. */
function isReset(requested: unknown): boolean {
  if (!Array.isArray(requested)) return false
  return (
    requested.length === 0 ||
    (requested.length === 1 && isMap(requested[0]) && Object.keys(requested[0]).length === 0)
  )
}

/**
 * The ownership a non-apply write starts from, as the apiserver decides it: managedFields sent in
 * the request replace the stored ones (kubectl's CSA→SSA migration relies on it), an empty list
 * (or one empty entry) clears them, and a request without them, with undecodable ones, or through
 * a subresource keeps the stored ones, so clients unaware of the field cannot wipe it.
 */
export function startingOwnership(
  stored: Ownership,
  requested: unknown,
  subresource?: string
): Ownership {
  if (subresource || requested === undefined || requested === null) return stored
  if (isReset(requested)) return {}
  if (deepEqual(requested, toManagedFields(stored))) return stored
  const decoded = fromManagedFields(requested)
  return Object.keys(decoded).length > 0 ? decoded : stored
}

/**
 * Stores a write made inside the control plane (a controller, or the installer a seed stands for)
 * as an Update by `manager`, through the status subresource when `subresource` is 'status'.
 * `next` is the whole object, with the stored system metadata.
 */
export function systemWrite(
  store: Store,
  type: ResourceType,
  next: KubeObject,
  manager: string,
  subresource?: 'status'
): KubeObject {
  const { namespace, name } = next.metadata
  const live = store.peek(type, namespace, name)
  const ownership = recordUpdate({
    before: live ? ownedView(live, type, subresource) : undefined,
    after: ownedView(next, type, subresource),
    manager,
    ownership: store.ownership(type, namespace, name),
    apiVersion: groupVersion(type.group, type.version),
    now: rfc3339(),
    subresource,
    keep: outsideWrite(type, subresource)
  })
  return store.put(type, next, ownership)
}

/**
 * Creates an object the way a control-plane component does (POST by `manager`), then, when it has
 * a status and its kind a status subresource, writes that status as the same or another manager.
 */
export function systemCreate(
  store: Store,
  type: ResourceType,
  object: KubeObject,
  manager: string,
  statusManager = manager
): KubeObject {
  const target = {
    type,
    namespace: object.metadata.namespace,
    name: object.metadata.name,
    live: undefined
  }
  const prepared = prepareWrite(target, object)
  const ownership = recordUpdate({
    before: undefined,
    after: ownedView(prepared, type),
    manager,
    ownership: {},
    apiVersion: groupVersion(type.group, type.version),
    now: rfc3339(),
    keep: outsideWrite(type)
  })
  const created = commit(store, target, prepared, ownership, false).object
  if (!type.statusSubresource || !isMap(object.status) || !Object.keys(object.status).length)
    return created
  const withStatus = deepCopy(store.peek(type, target.namespace, target.name) as KubeObject)
  withStatus.status = deepCopy(object.status)
  return systemWrite(store, type, withStatus, statusManager, 'status')
}
