/**
 * The object store: one map keyed by group/resource/namespace/name (no version, so one object is
 * visible through every served version), a global resourceVersion counter, field ownership per
 * object (rendered into `metadata.managedFields` on every stored copy), and a bounded event log that watches replay from.
 */
import { toManagedFields, type Ownership } from './engine.js'
import { groupVersion, type ResourceType } from './kinds.js'
import { deepCopy, type KubeObject } from './types.js'

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED'

export interface StoreEvent {
  rv: number
  type: EventType
  group: string
  resource: string
  namespace?: string
  object: KubeObject
}

interface Entry {
  groupResource: string
  object: KubeObject
  ownership: Ownership
}

/** Watches replay at most this many events by default; an older resourceVersion gets 410 Gone. */
export const DEFAULT_WATCH_WINDOW = 2000

function key(group: string, resource: string, namespace: string | undefined, name: string): string {
  return `${group}|${resource}|${namespace ?? ''}|${name}`
}

export class Store {
  private rv = 0
  private readonly objects = new Map<string, Entry>()
  private readonly events: StoreEvent[] = []
  /** Highest resourceVersion that fell out of the event log. */
  private droppedRv = 0
  private readonly listeners = new Set<(event: StoreEvent) => void>()

  constructor(private readonly window = DEFAULT_WATCH_WINDOW) {}

  get resourceVersion(): string {
    return String(this.rv)
  }

  /** Stored object (shared reference: callers copy before handing it out). */
  peek(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(key(type.group, type.resource, ns(type, namespace), name))?.object
  }

  ownership(type: ResourceType, namespace: string | undefined, name: string): Ownership {
    return (
      this.objects.get(key(type.group, type.resource, ns(type, namespace), name))?.ownership ?? {}
    )
  }

  /** Copies of the stored objects of one resource, optionally in one namespace, sorted like etcd keys. */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    const out: KubeObject[] = []
    for (const entry of this.objects.values()) {
      const m = entry.object.metadata
      if (entry.groupResource !== `${type.group}|${type.resource}`) continue
      if (namespace !== undefined && type.namespaced && m.namespace !== namespace) continue
      out.push(asVersion(entry.object, type))
    }
    return out.sort((a, b) =>
      `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace ?? ''}/${b.metadata.name}`
      )
    )
  }

  /** Stores an object with a new resourceVersion and emits ADDED or MODIFIED. Returns a copy. */
  put(type: ResourceType, object: KubeObject, ownership: Ownership): KubeObject {
    const k = key(
      type.group,
      type.resource,
      ns(type, object.metadata.namespace),
      object.metadata.name
    )
    const existed = this.objects.has(k)
    const stored = deepCopy(object)
    stored.metadata.resourceVersion = String(++this.rv)
    // Every object carries its field ownership, rendered as the apiserver returns it.
    const managedFields = toManagedFields(ownership)
    if (managedFields.length > 0) stored.metadata.managedFields = managedFields
    else delete stored.metadata.managedFields
    this.objects.set(k, {
      groupResource: `${type.group}|${type.resource}`,
      object: stored,
      ownership: deepCopy(ownership)
    })
    this.emit(type, existed ? 'MODIFIED' : 'ADDED', stored)
    return asVersion(stored, type)
  }

  /** Removes an object; the DELETED event carries a fresh resourceVersion, like the real server. */
  remove(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const k = key(type.group, type.resource, ns(type, namespace), name)
    const entry = this.objects.get(k)
    if (!entry) return undefined
    this.objects.delete(k)
    const gone = deepCopy(entry.object)
    gone.metadata.resourceVersion = String(++this.rv)
    this.emit(type, 'DELETED', gone)
    return asVersion(gone, type)
  }

  /** Events after a resourceVersion, or 'expired' when the log no longer reaches back that far. */
  eventsSince(rv: number): StoreEvent[] | 'expired' {
    if (rv < this.droppedRv) return 'expired'
    return this.events.filter((e) => e.rv > rv)
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit(type: ResourceType, eventType: EventType, object: KubeObject): void {
    const event: StoreEvent = {
      rv: this.rv,
      type: eventType,
      group: type.group,
      resource: type.resource,
      namespace: object.metadata.namespace,
      object: deepCopy(object)
    }
    this.events.push(event)
    if (this.events.length > this.window) {
      const dropped = this.events.splice(0, this.events.length - this.window)
      this.droppedRv = dropped[dropped.length - 1].rv
    }
    for (const listener of [...this.listeners]) listener(event)
  }
}

function ns(type: ResourceType, namespace: string | undefined): string | undefined {
  return type.namespaced ? namespace : undefined
}

/** A copy of a stored object stamped with the apiVersion it is served as. */
export function asVersion(object: KubeObject, type: ResourceType): KubeObject {
  const copy = deepCopy(object)
  copy.apiVersion = groupVersion(type.group, type.version)
  return copy
}
