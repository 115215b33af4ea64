/**
 * The add-on path's view of the run for the reports: aws-node as the add-on leaves it, the objects
 * EKS changed (read back after the update), and the outputs and job summary with the add-on
 * section. Split from steps-addon.ts, which holds the reads and the write.
 */
import type { ModeDecision } from './addon/cluster-kind.js'
import type { AddonPlan } from './addon/plan.js'
import { addonSummaryMarkdown, modeOutputs } from './addon/report.js'
import { awsNodeEnv, editAwsNode } from './cni/aws-node.js'
import { type Outcome, type RunFacts, buildReport } from './features.js'
import type { ActionInputs } from './inputs.js'
import type { AppliedObject } from './kube/apply.js'
import { type KubernetesObject, refKey, refOf } from './kube/client.js'
import type { LiveState } from './kube/live.js'
import { planChanges } from './plan.js'
import type { AddonWritten } from './steps-addon.js'

/**
 * aws-node as the add-on leaves it, for the linter, max pods and the reports: the live DaemonSet
 * with the settings merged (nothing when aws-node does not exist yet).
 */
export function addonManifestFacts(
  inputs: ActionInputs,
  live: LiveState,
  plan: AddonPlan
): RunFacts['manifest'] {
  const objects = live.awsNode
    ? editAwsNode([live.awsNode as KubernetesObject], inputs.settings, undefined)
    : []
  const images = objects.length > 0 ? awsNodeEnv(objects[0]).images : []
  return { objects, images, cniVersion: plan.addonVersion.replace(/-eksbuild\.\d+$/, '') }
}

/**
 * The aws-node and ENIConfigs after the add-on write, as AppliedObjects for the report (the
 * nodes to recycle compare them with the state before): changed when their resourceVersion moved.
 */
export function addonApplied(
  before: LiveState,
  after: LiveState,
  direct: readonly AppliedObject[]
): AppliedObject[] {
  const objects: KubernetesObject[] = [
    ...(after.awsNode ? [after.awsNode as KubernetesObject] : []),
    ...after.eniConfigs
  ]
  const beforeByKey = new Map<string, KubernetesObject>(
    [...(before.awsNode ? [before.awsNode as KubernetesObject] : []), ...before.eniConfigs].map(
      (o) => [refKey(refOf(o)), o]
    )
  )
  const applied = objects.map((object): AppliedObject => {
    const ref = refOf(object)
    const key = refKey(ref)
    const old = beforeByKey.get(key)
    const change =
      old === undefined
        ? 'created'
        : old.metadata?.resourceVersion === object.metadata?.resourceVersion
          ? 'unchanged'
          : 'configured'
    return { ref, key, change, object }
  })
  const seen = new Set(applied.map((a) => a.key))
  return [...applied, ...direct.filter((a) => !seen.has(a.key))]
}

/**
 * The outputs and job summary of an add-on run: the self-managed report (max pods, nodes to
 * recycle, node groups, linter) with the add-on section first, `changed` from the add-on outcome,
 * and the `mode` and `addon-version` outputs.
 */
export function buildAddonReport(
  f: RunFacts,
  o: Outcome,
  a: { decision: ModeDecision; written: AddonWritten; previousVersion?: string }
) {
  const dryRun = f.inputs.dryRun
  const plans = dryRun
    ? planChanges([
        ...f.manifest.objects.map((after) => ({
          live: f.live.awsNode as KubernetesObject | undefined,
          after
        })),
        ...a.written.direct.map((d) => ({ live: f.live.objects.get(d.key), after: d.object }))
      ])
    : undefined
  const report = buildReport(f, { ...o, plans })
  const { outcome } = a.written
  const directChanged = a.written.direct.some((d) => d.change !== 'unchanged')
  report.result.changed =
    outcome.kind === 'updated' ||
    outcome.kind === 'created' ||
    (outcome.kind === 'dry-run' && outcome.wouldChange) ||
    directChanged
  Object.assign(report.result, modeOutputs(a.decision, a.written.plan.addonVersion))
  report.summary.sections.unshift(
    addonSummaryMarkdown({
      clusterName: f.inputs.clusterName,
      addonVersion: a.written.plan.addonVersion,
      previousVersion: a.previousVersion,
      resolveConflicts: f.inputs.resolveConflicts,
      changes: a.written.plan.changes,
      outcome,
      eniConfigsApplied: a.written.plan.applyEniConfigsDirectly
    })
  )
  return report
}
