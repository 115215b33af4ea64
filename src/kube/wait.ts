/**
 * The two waits: until the manifest's CRDs are Established (custom resources of a CRD that is not
 * yet served are refused), and until aws-node has rolled out. Both first look at the object the
 * apply returned, so an unchanged cluster costs no extra request; then they poll with a growing
 * interval up to the deadline itself: the last sleep is cut short to end at the deadline, and the
 * object is read once more there before the wait gives up.
 */
import * as core from '@actions/core'
import { defaultSleep } from '../retry.js'
import {
  type KubeClient,
  type KubernetesObject,
  type V1CustomResourceDefinition,
  type V1DaemonSet,
  refKey,
  refOf
} from './client.js'

export interface WaitOptions {
  /** Give up at this time (ms since the epoch). */
  deadline: number
  /** The timeout-seconds behind the deadline, for messages. */
  timeoutSeconds: number
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  /** Called when the observed progress changes. */
  onProgress?: (message: string) => void
  /** What each wait waits for and how it ends; core.debug when step debug is on. */
  onDebug?: (message: string) => void
}

/**
 * Poll intervals: quick at first, then 2 s. A CRD is usually Established within milliseconds, and
 * on a cluster prepared before its node groups exist aws-node has no pods, so its rollout is
 * complete as soon as the controller has seen the new generation: the first look comes after
 * 25 ms, not after a fixed tenth of a second.
 */
const POLL_MS = [25, 100, 200, 400, 800, 1500, 2000]

/** Whether a CRD's status says Established=True. */
export function isEstablished(crd: KubernetesObject): boolean {
  const conditions = (crd as V1CustomResourceDefinition).status?.conditions ?? []
  return conditions.some((c) => c.type === 'Established' && c.status === 'True')
}

/** Waits until every CRD in `crds` (as returned by the apply) is Established. */
export async function waitForCrdsEstablished(
  kube: KubeClient,
  crds: readonly KubernetesObject[],
  options: WaitOptions
): Promise<void> {
  await Promise.all(
    crds.map((crd) =>
      poll(
        crd,
        (ref) => kube.read(refOf(ref)),
        isEstablished,
        (_last, waited) =>
          `CustomResourceDefinition ${crd.metadata?.name} is not Established after ${waited} ` +
          `(timeout-seconds: ${options.timeoutSeconds})`,
        { ...options, what: `CustomResourceDefinition ${crd.metadata?.name} to be Established` }
      )
    )
  )
}

/** The rollout counters of a DaemonSet. */
export interface RolloutStatus {
  generation: number
  observedGeneration: number
  desired: number
  updated: number
  available: number
}

/** Reads the rollout counters from a DaemonSet's status. */
export function rolloutStatus(ds: KubernetesObject): RolloutStatus {
  const d = ds as V1DaemonSet
  return {
    generation: d.metadata?.generation ?? 0,
    observedGeneration: d.status?.observedGeneration ?? 0,
    desired: d.status?.desiredNumberScheduled ?? 0,
    updated: d.status?.updatedNumberScheduled ?? 0,
    available: d.status?.numberAvailable ?? 0
  }
}

/** kubectl rollout status's rule: the controller saw this generation and every pod is new and available. */
export function isRolledOut(ds: KubernetesObject): boolean {
  const s = rolloutStatus(ds)
  return (
    s.observedGeneration >= s.generation && s.updated === s.desired && s.available === s.desired
  )
}

/**
 * Waits until the DaemonSet (as returned by the apply) has rolled out. On timeout the error gives
 * the counts and, where the cluster reports aws-node pods, the nodes still on the old version.
 */
export async function waitForRollout(
  kube: KubeClient,
  ds: KubernetesObject,
  options: WaitOptions
): Promise<RolloutStatus> {
  const ref = refOf(ds)
  let last = ''
  const done = await poll(
    ds,
    () => kube.read(ref),
    (current) => {
      const s = rolloutStatus(current)
      const line = `${refKey(ref)}: ${s.updated} of ${s.desired} pods updated, ${s.available} available`
      if (line !== last) options.onProgress?.(line)
      last = line
      return isRolledOut(current)
    },
    async (current, waited) => {
      const s = rolloutStatus(current ?? ds)
      const stale = await nodesNotUpdated(kube, current ?? ds).catch(() => [])
      return (
        `${refKey(ref)} did not roll out within timeout-seconds (${options.timeoutSeconds} s): ` +
        `${s.updated} of ${s.desired} pods updated, ${s.available} available, ` +
        `observed generation ${s.observedGeneration} of ${s.generation} after waiting ${waited}` +
        (stale.length > 0 ? `. Nodes not yet updated: ${stale.join(', ')}` : '')
      )
    },
    { ...options, what: `${refKey(ref)} to roll out` }
  )
  return rolloutStatus(done)
}

/** Nodes whose aws-node pod is not of the DaemonSet's current generation (empty if unknown). */
async function nodesNotUpdated(kube: KubeClient, ds: KubernetesObject): Promise<string[]> {
  const d = ds as V1DaemonSet
  const selector = Object.entries(d.spec?.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',')
  const generation = String(d.metadata?.generation ?? '')
  const pods = await kube.list<KubernetesObject & { spec?: { nodeName?: string } }>(
    'v1',
    'Pod',
    d.metadata?.namespace,
    selector
  )
  return pods
    .filter((p) => p.metadata?.labels?.['pod-template-generation'] !== generation)
    .map((p) => p.spec?.nodeName ?? p.metadata?.name ?? '?')
    .sort()
}

/**
 * Checks `first` (the apply's answer), then re-reads until `ok` or the deadline. Each sleep is the
 * next poll interval or the time left, whichever is shorter, so the last read happens at the
 * deadline, not one interval before it. The failure message is built from the last object seen
 * and the time actually waited.
 */
async function poll<T extends KubernetesObject>(
  first: T,
  read: (current: T) => Promise<T | undefined>,
  ok: (current: T) => boolean,
  failure: (last: T | undefined, waited: string) => string | Promise<string>,
  options: WaitOptions & { what: string }
): Promise<T> {
  const sleep = options.sleep ?? defaultSleep
  const now = options.now ?? Date.now
  const debug = options.onDebug ?? (core.isDebug() ? core.debug : undefined)
  const start = now()
  const waited = (): string => `${((now() - start) / 1000).toFixed(1)} s`
  let current: T | undefined = first
  for (let i = 0; ; i++) {
    if (current && ok(current)) {
      if (i > 0) debug?.(`wait: ${options.what}: done after ${waited()} and ${i} read(s)`)
      return current
    }
    const left = options.deadline - now()
    if (left <= 0) {
      debug?.(`wait: ${options.what}: deadline reached after ${waited()} and ${i} read(s)`)
      throw new Error(await failure(current, waited()))
    }
    if (i === 0) {
      debug?.(`wait: ${options.what}, up to ${(left / 1000).toFixed(1)} s (timeout-seconds)`)
    }
    await sleep(Math.min(POLL_MS[Math.min(i, POLL_MS.length - 1)], left))
    current = (await read(current ?? first)) ?? current
  }
}
