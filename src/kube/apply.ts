/**
 * Server-side apply of the edited manifest and of the ENIConfigs, each batch in parallel, and what
 * each apply changed: an object that did not exist was created; one whose resourceVersion moved was
 * configured; one whose resourceVersion stayed is unchanged (the API server keeps it when an apply
 * changes nothing, which is what makes a second run a no-op).
 */
import { type KubeClient, type KubernetesObject, type ObjectRef, refKey, refOf } from './client.js'
import type { LiveState, LiveVersion } from './live.js'

export type Change = 'created' | 'configured' | 'unchanged'

/** One applied object and what the apply did to it. */
export interface AppliedObject {
  readonly ref: ObjectRef
  /** "Kind/namespace/name". */
  readonly key: string
  readonly change: Change
  /** The object as the API server returned it. */
  readonly object: KubernetesObject
}

export interface ApplyOptions {
  /** Server-side dry run (dryRun=All): validated and diffed, nothing stored. */
  dryRun?: boolean
  /** Told of each object as soon as its apply returns, so a failing batch still reports the rest. */
  onApplied?: (applied: AppliedObject) => void
}

/** Whether an object is a CustomResourceDefinition. */
export function isCrd(object: KubernetesObject): boolean {
  return (
    object.kind === 'CustomResourceDefinition' &&
    object.apiVersion?.startsWith('apiextensions.k8s.io/') === true
  )
}

/**
 * Applies every object of the manifest at once: CRDs and the rest do not depend on each other (the
 * DaemonSet does not need the ENIConfig kind to be served; only ENIConfigs do, and they come after
 * the CRDs are Established). Results are in manifest order.
 */
export async function applyManifest(
  kube: KubeClient,
  objects: readonly KubernetesObject[],
  live: LiveState,
  options: ApplyOptions = {}
): Promise<AppliedObject[]> {
  // Resource paths of the manifest's own CRDs, so their custom resources need no discovery.
  kube.learnCrds(objects.filter(isCrd))
  return applyAll(kube, objects, live, options)
}

/** Applies the ENIConfigs, all at once. Call after their CRD is Established. */
export async function applyEniConfigs(
  kube: KubeClient,
  eniConfigs: readonly KubernetesObject[],
  live: LiveState,
  options: ApplyOptions = {}
): Promise<AppliedObject[]> {
  return applyAll(kube, eniConfigs, live, options)
}

/** True when any apply created or changed something. */
export function anyChange(applied: readonly AppliedObject[]): boolean {
  return applied.some((a) => a.change !== 'unchanged')
}

async function applyAll(
  kube: KubeClient,
  objects: readonly KubernetesObject[],
  live: LiveState,
  options: ApplyOptions
): Promise<AppliedObject[]> {
  return Promise.all(
    objects.map(async (object) => {
      const ref = refOf(object)
      const key = refKey(ref)
      const applied = await kube.apply(object, { dryRun: options.dryRun })
      const result = {
        ref,
        key,
        change: changeOf(live.versions.get(key), applied),
        object: applied
      }
      options.onApplied?.(result)
      return result
    })
  )
}

/** Compares the stamps read before the apply with the object the apply returned. */
export function changeOf(before: LiveVersion | undefined, after: KubernetesObject): Change {
  if (!before) return 'created'
  return before.resourceVersion === after.metadata?.resourceVersion ? 'unchanged' : 'configured'
}
