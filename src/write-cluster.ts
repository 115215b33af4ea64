/**
 * The writes of a self-managed run in the order that never strands a node (or, in a dry run, the
 * same requests sent with dryRun=All), the ENIConfig apply the add-on path shares, and the wait
 * for aws-node's rollout after either path.
 */
import * as core from '@actions/core'
import type { EniConfigObject } from './cni/eniconfig.js'
import { customNetworkingOn, envRemovalPatch } from './cni/partial.js'
import type { CniSettings } from './cni/aws-node.js'
import {
  type AppliedObject,
  applyEniConfigs,
  applyManifest,
  changeOf,
  isCrd
} from './kube/apply.js'
import { type KubeClient, refKey, refOf } from './kube/client.js'
import type { LiveState } from './kube/live.js'
import { type WaitOptions, waitForCrdsEstablished, waitForRollout } from './kube/wait.js'
import { withPlannedChanges } from './plan.js'
import type { WriteProgress } from './progress.js'
import { ENI_CONFIG_CRD, type WritePlan, plannedKeys } from './write-plan.js'
import { background } from './errors.js'

/** What the writes of a run returned. */
export interface Written {
  applied: AppliedObject[]
  /** aws-node as the last write returned it. */
  awsNode: AppliedObject
}

/**
 * The writes in the order that never strands a node: 1 the CRDs (and, for a version change, the
 * manifest's other objects), 2 CRDs Established, 3 ENIConfigs, 4 aws-node and the removal of the
 * variables another manager set. A step waits only for the steps it needs (see writeOrder), so
 * custom networking reaches aws-node only after every ENIConfig is stored. `progress` learns each
 * result as it arrives; a failure rejects only after every write in flight has settled.
 */
export async function writeCluster(
  kube: KubeClient,
  plan: WritePlan,
  eniConfigs: readonly EniConfigObject[],
  live: LiveState,
  settings: CniSettings,
  waitOptions: WaitOptions,
  dryRun: boolean,
  progress: WriteProgress
): Promise<Written> {
  progress.expect(plannedKeys(plan, eniConfigs))
  const first = settle(async () => {
    if (plan.first.length === 0) return []
    progress.sending(plan.first.map((o) => refKey(refOf(o))))
    const onApplied = (a: AppliedObject) => progress.record([a])
    const sent = await applyManifest(kube, plan.first, live, { dryRun, onApplied })
    // A dry run's log lines say what the plan says.
    const applied = logApplied(dryRun ? withPlannedChanges(sent, live.objects) : sent)
    // Always awaited, even with wait: false: ENIConfigs are refused until their CRD is served.
    if (!dryRun) {
      const crds = applied.filter((a) => isCrd(a.object)).map((a) => a.object)
      await waitForCrdsEstablished(kube, crds, waitOptions)
    }
    return applied
  })
  const eni = settle(async () => {
    if (plan.order.eniConfigsAfterCrds) await first
    progress.sending(eniConfigs.map((o) => refKey(refOf(o))))
    return applyEniConfigSet(kube, [...eniConfigs], live, dryRun, (a) => progress.record([a]))
  })
  const ds = settle(async () => {
    if (plan.order.awsNodeAfterEniConfigs) await Promise.all([first, eni])
    return applyAwsNode(kube, plan, live, settings, dryRun, progress)
  })
  const results = await Promise.allSettled([first, eni, ds])
  const failure = results.find((r) => r.status === 'rejected')
  if (failure) throw failure.reason
  return { applied: [...(await first), ...(await eni), await ds], awsNode: await ds }
}

/** Step 4: aws-node, then the explicit removal of variables an input set to '' that are still there. */
async function applyAwsNode(
  kube: KubeClient,
  plan: WritePlan,
  live: LiveState,
  settings: CniSettings,
  dryRun: boolean,
  progress: WriteProgress
): Promise<AppliedObject> {
  const { object, fieldManager } = plan.awsNode
  const ref = refOf(object)
  const key = refKey(ref)
  const before = live.versions.get(key)
  progress.sending([key])
  if (plan.handover) {
    const { object: whole, fieldManager: manager } = plan.handover
    await kube.apply(whole, { dryRun, fieldManager: manager })
  }
  let stored = await kube.apply(object, { dryRun, fieldManager })
  let change = changeOf(before, stored)
  progress.record([{ key, change, object: stored }])
  progress.customNetworkingAfter = customNetworkingOn(stored)
  // Releasing a variable removes it only when no other manager owns it; what is left goes
  // explicitly. A dry run checks the removal against the stored object, as the real run would.
  const removal = envRemovalPatch(dryRun ? (live.awsNode ?? stored) : stored, settings)
  if (removal.ops.length > 0) {
    stored = await kube.jsonPatch(ref, removal.ops, { dryRun })
    change = before ? 'configured' : change
    progress.customNetworkingAfter = customNetworkingOn(stored)
  }
  // Reported by what was there before the run, whether the release or the patch removed it.
  const names = live.awsNode
    ? envRemovalPatch(live.awsNode, settings).removed.map((r) => `${r.container} ${r.name}`)
    : []
  if (names.length > 0) {
    progress.removed.push(...names)
    core.info(`${dryRun ? 'Would remove' : 'Removed'} from aws-node: ${names.join(', ')}`)
  }
  progress.record([{ key, change, object: stored }])
  const sent: AppliedObject = { ref, key, change, object: stored }
  const [applied] = dryRun && names.length === 0 ? withPlannedChanges([sent], live.objects) : [sent]
  logApplied([applied])
  return applied
}

/** Starts `fn` now; the promise is marked handled, so waiting on it later is safe. */
function settle<T>(fn: () => Promise<T>): Promise<T> {
  return background(fn())
}

/**
 * Applies the ENIConfigs, all at once. A dry run on a cluster without the ENIConfig CRD cannot
 * send them (the kind is not served until a real run creates it), so they count as created.
 */
export async function applyEniConfigSet(
  kube: KubeClient,
  objects: EniConfigObject[],
  live: LiveState,
  dryRun: boolean,
  onApplied?: (applied: AppliedObject) => void
): Promise<AppliedObject[]> {
  if (dryRun && live.versions.get(ENI_CONFIG_CRD) === undefined) {
    core.info('The ENIConfig kind is not served yet, so the ENIConfigs are not sent')
    return logApplied(
      objects.map((object) => {
        const ref = refOf(object)
        return { ref, key: refKey(ref), change: 'created' as const, object }
      })
    )
  }
  const sent = await applyEniConfigs(kube, objects, live, { dryRun, onApplied })
  return logApplied(dryRun ? withPlannedChanges(sent, live.objects) : sent)
}

/** Waits for aws-node's rollout unless `wait` is false; returns one line for the summary. */
export async function awaitAwsNode(
  kube: KubeClient,
  awsNode: AppliedObject | undefined,
  wait: boolean,
  options: WaitOptions,
  dryRun: boolean
): Promise<string> {
  let line = dryRun
    ? 'Dry run: nothing was changed, so no rollout was awaited.'
    : awsNode === undefined
      ? 'aws-node does not exist, so no rollout was awaited.'
      : 'The aws-node rollout was not awaited (wait: false).'
  if (wait && !dryRun && awsNode) {
    const s = await waitForRollout(kube, awsNode.object, options)
    line = `aws-node rolled out: ${s.updated} of ${s.desired} pods updated and available.`
  }
  core.info(line)
  return line
}

function logApplied(applied: AppliedObject[]): AppliedObject[] {
  for (const a of applied) core.info(`${a.key} ${a.change}`)
  return applied
}
