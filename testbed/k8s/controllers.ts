/**
 * The two controllers a fresh EKS control plane runs that kubectl visibly depends on: the CRD
 * controller (names accepted, Established, discovery registration, cleanup finalizer on delete) and
 * the DaemonSet controller (status rolled forward node by node after a generation change, which is
 * what `kubectl rollout status` watches). Both react to store events and write status only, so a
 * status write never bumps the generation.
 */
import type { KindRegistry, ResourceType } from './kinds.js'
import { typesFromCrd } from './kinds.js'
import { systemWrite } from './objects.js'
import { deleteDaemonSetPods, syncDaemonSetPods } from './pods.js'
import type { Store, StoreEvent } from './store.js'
import { deepEqual, isMap, rfc3339, type JsonMap, type KubeObject } from './types.js'

export type RolloutMode = 'instant' | 'staged' | 'stuck'

/** Time the CRD cleanup finalizer takes; kubectl's delete --wait watches until DELETED meanwhile. */
const CRD_CLEANUP_MS = 150
const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io'
/** The field managers the real controllers write status as (they run inside these binaries). */
const CRD_MANAGER = 'kube-apiserver'
export const DS_MANAGER = 'kube-controller-manager'

export interface ControllerSettings {
  crdEstablishDelayMs: number
  rollout: { mode: RolloutMode; stepMs: number }
}

export class Controllers {
  private readonly timers = new Set<NodeJS.Timeout>()
  /** CRD name → generation the controller last established. */
  private readonly crdSeen = new Map<string, number>()
  /** DaemonSet ns/name → generation whose rollout was started (or found complete). */
  private readonly dsSeen = new Map<string, number>()
  private readonly dsTimers = new Map<string, NodeJS.Timeout>()
  private unsubscribe: (() => void) | undefined

  constructor(
    private readonly store: Store,
    private readonly registry: KindRegistry,
    private readonly types: {
      crd: ResourceType
      ds: ResourceType
      node: ResourceType
      pod: ResourceType
    },
    readonly settings: ControllerSettings
  ) {}

  start(): void {
    this.unsubscribe = this.store.subscribe((e) => this.onEvent(e))
    for (const ds of this.store.list(this.types.ds)) this.reconcileDaemonSet(ds)
  }

  close(): void {
    this.unsubscribe?.()
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    this.dsTimers.clear()
  }

  /** Changes the rollout mode; rollouts in flight restart under the new mode. */
  setRollout(mode: RolloutMode, stepMs?: number): void {
    this.settings.rollout = { mode, stepMs: stepMs ?? this.settings.rollout.stepMs }
    for (const t of this.dsTimers.values()) this.cancel(t)
    this.dsTimers.clear()
    this.dsSeen.clear()
    for (const ds of this.store.list(this.types.ds)) this.reconcileDaemonSet(ds)
  }

  private later(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t)
      fn()
    }, ms)
    this.timers.add(t)
    return t
  }

  private cancel(t: NodeJS.Timeout): void {
    clearTimeout(t)
    this.timers.delete(t)
  }

  private onEvent(e: StoreEvent): void {
    if (e.type === 'DELETED') {
      // A re-created object starts at generation 1 again and must be handled afresh.
      if (e.group === this.types.ds.group && e.resource === this.types.ds.resource) {
        const key = `${e.object.metadata.namespace}/${e.object.metadata.name}`
        const running = this.dsTimers.get(key)
        if (running) this.cancel(running)
        this.dsTimers.delete(key)
        this.dsSeen.delete(key)
        deleteDaemonSetPods(this.store, this.types.pod, e.object)
      }
      return
    }
    if (e.group === this.types.crd.group && e.resource === this.types.crd.resource) {
      this.reconcileCrd(e.object)
    } else if (e.group === this.types.ds.group && e.resource === this.types.ds.resource) {
      this.reconcileDaemonSet(e.object)
    }
  }

  // ---- CRDs ----

  private reconcileCrd(crd: KubeObject): void {
    const name = crd.metadata.name
    const gen = crd.metadata.generation ?? 1
    if (crd.metadata.deletionTimestamp || this.crdSeen.get(name) === gen) return
    const first = !this.crdSeen.has(name)
    this.crdSeen.set(name, gen)
    // Even with no delay, establishing is asynchronous: the create response is not yet Established.
    this.later(first ? this.settings.crdEstablishDelayMs : 0, () => this.establish(name))
  }

  /** Sets the status a real CRD gets once its names are accepted, and serves its kinds. */
  establish(name: string): void {
    const live = this.store.peek(this.types.crd, undefined, name)
    if (!live || live.metadata.deletionTimestamp) return
    const next = structuredClone(live)
    const spec = isMap(next.spec) ? next.spec : {}
    const names: JsonMap = isMap(spec.names) ? { ...spec.names } : {}
    if (names.singular === undefined) names.singular = String(names.kind ?? '').toLowerCase()
    if (names.listKind === undefined) names.listKind = `${String(names.kind)}List`
    const old: JsonMap = isMap(live.status) ? live.status : {}
    const oldConditions = Array.isArray(old.conditions) ? old.conditions.filter(isMap) : []
    const since = (type: string): string =>
      String(oldConditions.find((c) => c.type === type)?.lastTransitionTime ?? rfc3339())
    const versions = Array.isArray(spec.versions) ? spec.versions.filter(isMap) : []
    const stored = new Set(Array.isArray(old.storedVersions) ? old.storedVersions.map(String) : [])
    for (const v of versions) if (v.storage === true) stored.add(String(v.name))
    next.status = {
      conditions: [
        {
          type: 'NamesAccepted',
          status: 'True',
          lastTransitionTime: since('NamesAccepted'),
          reason: 'NoConflicts',
          message: 'no conflicts found'
        },
        {
          type: 'Established',
          status: 'True',
          lastTransitionTime: since('Established'),
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted'
        }
      ],
      acceptedNames: names,
      storedVersions: [...stored]
    }
    // Serve the kinds before the status event, so a client that saw Established finds them.
    this.registry.registerCrd(name, typesFromCrd(next))
    if (!deepEqual(next.status, live.status)) {
      systemWrite(this.store, this.types.crd, next, CRD_MANAGER, 'status')
    }
  }

  /**
   * DELETE of a CRD: mark it Terminating with the cleanup finalizer, delete its custom resources,
   * then the CRD itself. Until then its kinds stay served, so deletes of CRs later in the same
   * `kubectl delete -f` still succeed.
   */
  deleteCrd(live: KubeObject): KubeObject {
    if (live.metadata.deletionTimestamp) return structuredClone(live)
    const next = structuredClone(live)
    next.metadata.deletionTimestamp = rfc3339()
    next.metadata.finalizers = [
      ...new Set([...(next.metadata.finalizers ?? []), CLEANUP_FINALIZER])
    ]
    const status: JsonMap = isMap(next.status) ? next.status : {}
    const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isMap) : []
    status.conditions = [
      ...conditions.filter((c) => c.type !== 'Terminating'),
      {
        type: 'Terminating',
        status: 'True',
        lastTransitionTime: rfc3339(),
        reason: 'InstanceDeletionInProgress',
        message: 'CustomResource deletion is in progress'
      }
    ]
    next.status = status
    const out = systemWrite(this.store, this.types.crd, next, CRD_MANAGER, 'status')
    this.later(CRD_CLEANUP_MS, () => this.finishCrdDeletion(live))
    return out
  }

  private finishCrdDeletion(crd: KubeObject): void {
    const seen = new Set<string>()
    for (const t of typesFromCrd(crd)) {
      if (seen.has(t.resource)) continue
      seen.add(t.resource)
      for (const o of this.store.list(t))
        this.store.remove(t, o.metadata.namespace, o.metadata.name)
    }
    this.registry.unregisterCrd(crd.metadata.name)
    this.crdSeen.delete(crd.metadata.name)
    this.store.remove(this.types.crd, undefined, crd.metadata.name)
  }

  // ---- DaemonSets ----

  private nodeCount(): number {
    return this.store.list(this.types.node).length
  }

  private reconcileDaemonSet(ds: KubeObject): void {
    const key = `${ds.metadata.namespace}/${ds.metadata.name}`
    const gen = ds.metadata.generation ?? 1
    if (ds.metadata.deletionTimestamp || this.dsSeen.get(key) === gen) return
    this.dsSeen.set(key, gen)
    const n = this.nodeCount()
    if (isComplete(ds, n)) {
      // Already rolled out (seeded as EKS installed it): it still needs its pods.
      this.later(0, () => {
        const live = this.store.peek(this.types.ds, ds.metadata.namespace, ds.metadata.name)
        if (live?.metadata.generation === gen) syncDaemonSetPods(this.store, this.types, live, n)
      })
      return
    }
    const running = this.dsTimers.get(key)
    if (running) this.cancel(running)
    const { mode, stepMs } = this.settings.rollout
    const old: JsonMap = isMap(ds.status) ? ds.status : {}
    const fresh = !old.numberAvailable
    const steps = rolloutSteps(n, gen, fresh)
    // instant: only the final state; stuck: observed and one node updated, then nothing more.
    const plan = mode === 'instant' ? steps.slice(-1) : mode === 'stuck' ? steps.slice(0, 2) : steps
    const run = (i: number): void => {
      this.dsTimers.delete(key)
      if (!this.writeStatus(ds, gen, plan[i])) return
      if (i + 1 < plan.length)
        this.dsTimers.set(
          key,
          this.later(stepMs, () => run(i + 1))
        )
    }
    this.dsTimers.set(
      key,
      this.later(0, () => run(0))
    )
  }

  /** Writes one rollout step unless a newer generation has arrived. */
  private writeStatus(ds: KubeObject, gen: number, status: JsonMap): boolean {
    const { namespace, name } = ds.metadata
    const live = this.store.peek(this.types.ds, namespace, name)
    if (!live || live.metadata.generation !== gen) return false
    if (deepEqual(live.status, status)) return true
    const next = structuredClone(live)
    next.status = status
    const stored = systemWrite(this.store, this.types.ds, next, DS_MANAGER, 'status')
    syncDaemonSetPods(this.store, this.types, stored, Number(status.updatedNumberScheduled ?? 0))
    return true
  }
}

/** The status of a DaemonSet fully rolled out to n nodes at generation gen. */
export function completeDaemonSetStatus(n: number, gen: number): JsonMap {
  return rolloutSteps(n, gen, false).slice(-1)[0]
}

function isComplete(ds: KubeObject, n: number): boolean {
  return deepEqual(ds.status, completeDaemonSetStatus(n, ds.metadata.generation ?? 1))
}

/**
 * Status after each step: observed with nothing updated, then one more node updated per step
 * (one node unavailable at a time, as maxUnavailable 1 allows), then all available.
 */
function rolloutSteps(n: number, gen: number, fresh: boolean): JsonMap[] {
  const step = (updated: number, available: number): JsonMap => {
    const s: JsonMap = {
      currentNumberScheduled: n,
      desiredNumberScheduled: n,
      numberMisscheduled: 0,
      numberReady: available,
      observedGeneration: gen,
      updatedNumberScheduled: updated
    }
    if (available > 0) s.numberAvailable = available
    if (available < n) s.numberUnavailable = n - available
    return s
  }
  const steps = [step(0, fresh ? 0 : n)]
  for (let i = 1; i <= n; i++) steps.push(step(i, fresh ? i - 1 : n - 1))
  steps.push(step(n, n))
  return steps
}
