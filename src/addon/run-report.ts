/**
 * The add-on path's view of the run for the reports: the objects EKS changed (read back after the
 * update), the dry run's plan, and the outputs and job summary with the add-on section.
 */
import type { AppliedObject } from '../kube/apply.js'
import { type KubernetesObject, refKey, refOf } from '../kube/client.js'
import type { LiveState } from '../kube/live.js'
import { type ObjectPlan, planChanges } from '../plan.js'
import type { RunFacts } from '../run-facts.js'
import { type Outcome, type RunReport, buildReport } from '../run-report.js'
import type { ModeDecision } from './cluster-kind.js'
import { addonSummaryMarkdown, modeOutputs } from './report.js'
import type { AddonWritten } from './run.js'

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
 * Before → after of a dry run on the add-on path: aws-node as it runs against aws-node with the
 * settings merged, and the ENIConfigs sent directly against their live versions.
 */
export function addonDryRunPlan(f: RunFacts, written: AddonWritten): ObjectPlan[] {
  return planChanges([
    ...f.manifest.objects.map((after) => ({
      live: f.live.awsNode as KubernetesObject | undefined,
      after
    })),
    ...written.direct.map((d) => ({ live: f.live.objects.get(d.key), after: d.object }))
  ])
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
): RunReport {
  const report = buildReport(f, o)
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
