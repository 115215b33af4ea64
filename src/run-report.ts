/**
 * The outputs and the job summary of a run, built from what it read (RunFacts) and what its writes
 * returned (Outcome): max pods per instance type, the nodes to replace, the node-group readiness
 * table, the linter's findings, the field owners and, in a dry run, the plan. Pure: the
 * annotations it finds are returned for the pipeline to emit.
 */
import { isAwsNodeDaemonSet } from './cni/aws-node.js'
import { maxPodsEnvSettings } from './cni/max-pods.js'
import { ENI_CONFIG } from './cni/eniconfig.js'
import type { AppliedObject } from './kube/apply.js'
import type { OwnershipReport } from './kube/ownership.js'
import type { LintFinding } from './lint.js'
import { maxPodsMarkdown, maxPodsOutput, maxPodsTable } from './max-pods-report.js'
import type { ActionResult } from './outputs.js'
import { type ObjectPlan, planChanged, planChanges, planMarkdown } from './plan.js'
import { type RecycleEntry, nodeFromObject, nodesToRecycle } from './recycle.js'
import { listSome, oneLine, text } from './report/markdown.js'
import { nodeGroupSection } from './report/node-groups-run.js'
import { recycleMarkdown } from './report/nodes-to-replace.js'
import { ownershipMarkdown } from './report/ownership.js'
import { type RunFacts, appliedEnv } from './run-facts.js'
import type { ChangeRow, SummaryDetails } from './summary.js'

/**
 * Before → after for every object a dry run sent: the live object against the server's dry-run
 * answer (or, for an ENIConfig whose kind is not served yet, the object as it would be created).
 */
export function dryRunPlan(f: RunFacts, applied: readonly AppliedObject[]): ObjectPlan[] {
  return planChanges(applied.map((a) => ({ live: f.live.objects.get(a.key), after: a.object })))
}

/** What applying did, and the time the change started taking effect. */
export interface Outcome {
  applied: AppliedObject[]
  /** The dry run's plan: set in a dry run only, which is how the report tells one. */
  plans?: ObjectPlan[]
  rollout: string
  changeTime: Date
  kubectlPath: string
  kubeconfig?: string
  findings: LintFinding[]
  /** Variables removed from aws-node, as "container NAME". */
  removed?: string[]
  /** Fields of aws-node a version change reset (images, arguments, dropped variables). */
  resets?: { field: string; before: string | undefined; after: string | undefined }[]
  /** What checkOwnership found; absent when it did not run. */
  ownership?: OwnershipReport
}

/** An annotation the pipeline emits with the report. */
export interface Annotation {
  level: 'notice'
  title: string
  message: string
}

/** The outputs, the job summary and the annotations of a run. */
export interface RunReport {
  result: ActionResult
  summary: SummaryDetails
  annotations: Annotation[]
}

/**
 * The outputs and the job summary of a run. The nodes to replace also get a notice annotation,
 * since a changed cluster with old nodes is only half configured.
 */
export function buildReport(f: RunFacts, o: Outcome): RunReport {
  const changed = o.plans
    ? planChanged(o.plans) || (o.removed ?? []).length > 0
    : o.applied.some((a) => a.change !== 'unchanged') || (o.removed ?? []).length > 0
  const { env } = appliedEnv(f.manifest.objects)
  const settings = maxPodsEnvSettings(env)
  const rows = maxPodsTable(f.instanceTypes, { ...settings, cniVersion: f.manifest.cniVersion })
  const nodes = (f.live.nodes ?? []).map(nodeFromObject)
  const recycle = nodesToRecycle(nodes, {
    awsNodeBefore: f.live.awsNode,
    awsNodeAfter: o.applied.find((a) => isAwsNodeDaemonSet(a.object))?.object,
    eniConfigsBefore: f.live.eniConfigs,
    eniConfigsAfter: o.applied
      .filter((a) => a.object.kind === ENI_CONFIG.kind)
      .map((a) => a.object),
    changeTime: o.changeTime
  })
  const result: ActionResult = {
    eniConfigs: f.eniConfigs.outputs,
    eniConfigLabelDef: f.inputs.eniConfigLabelDef,
    cniVersion: f.manifest.cniVersion,
    changed,
    kubectlPath: o.kubectlPath,
    kubeconfig: o.kubeconfig,
    clusterSecurityGroupId: f.cluster.clusterSecurityGroupId,
    kubernetesVersion: f.cluster.version,
    maxPods: maxPodsOutput(rows),
    nodesToRecycle: recycle
  }
  const nodeGroups = nodeGroupSection(f)
  result.podSubnetCapacity = nodeGroups.output
  const sections = [
    o.plans ? planMarkdown(o.plans) : appliedMarkdown(f, o.applied),
    writeModelMarkdown(o, o.plans !== undefined),
    lintMarkdown(o.findings),
    o.ownership ? ownershipMarkdown(o.ownership, o.plans !== undefined) : '',
    nodeGroups.markdown,
    maxPodsMarkdown(rows, settings),
    f.live.nodes
      ? recycleMarkdown(recycle, { clusterName: f.inputs.clusterName, region: f.inputs.region })
      : ''
  ].filter((s) => s !== '')
  const summary: SummaryDetails = {
    clusterName: f.inputs.clusterName,
    region: f.inputs.region,
    result,
    settings: f.inputs.settings,
    images: f.manifest.images,
    changes: o.plans ? [] : o.applied.map((a): ChangeRow => ({ key: a.key, change: a.change })),
    rollout: o.rollout,
    dryRun: o.plans !== undefined,
    sections
  }
  const oldNodes = oldNodesNotice(recycle, o.plans !== undefined)
  return { result, summary, annotations: oldNodes ? [oldNodes] : [] }
}

/**
 * What a real run changed, field by field: each object as read before against the server's answer
 * to the write, so fields a version change reset are listed too. '' when nothing changed.
 */
function appliedMarkdown(f: RunFacts, applied: readonly AppliedObject[]): string {
  if (!applied.some((a) => a.change !== 'unchanged')) return ''
  const plans = planChanges(
    applied.map((a) => ({ live: f.live.objects.get(a.key), after: a.object }))
  )
  return planMarkdown(plans, 'result')
}

function oldNodesNotice(entries: RecycleEntry[], dryRun: boolean): Annotation | undefined {
  if (entries.length === 0) return undefined
  const names = entries.map((e) => e.name)
  // A notice, not a warning: replacing nodes is the expected next step, not a fault of the inputs.
  return {
    level: 'notice',
    title: 'Nodes to replace',
    message: oneLine(
      `${entries.length} node(s) started before ${dryRun ? 'the change a real run would make' : 'the last change that needs new nodes'} ` +
        `and keep the old networking until they are replaced: ${listSome(names, 10)}. ` +
        'Custom networking and --max-pods take effect only on nodes created after the change; ' +
        'the nodes-to-recycle output and the job summary list them.'
    )
  }
}

/** The variables removed and the fields a version change reset (or, in a dry run, would). */
function writeModelMarkdown(o: Outcome, dryRun: boolean): string {
  const cell = (v: string | undefined) =>
    v === undefined ? '(unset)' : `\`${v.replace(/[`|]/g, '\\$&')}\``
  const lines: string[] = []
  if ((o.removed ?? []).length > 0) {
    lines.push(
      dryRun ? '### Would remove from aws-node' : '### Removed from aws-node',
      '',
      ...(o.removed ?? []).map((r) => `- ${cell(r)}`),
      ''
    )
  }
  if ((o.resets ?? []).length > 0) {
    lines.push(
      dryRun ? '### The version change would reset' : '### The version change reset',
      '',
      '| Field | Before | After |',
      '|---|---|---|',
      ...(o.resets ?? []).map((r) => `| ${r.field} | ${cell(r.before)} | ${cell(r.after)} |`),
      ''
    )
  }
  return lines.join('\n')
}

function lintMarkdown(findings: LintFinding[]): string {
  if (findings.length === 0) return ''
  return [
    '### Settings check',
    '',
    ...findings.map(
      (x) =>
        `- ${x.severity === 'notice' ? 'Notice: ' : ''}**${text(x.title)}**: ${text(x.message)} ([docs](<${x.link}>))`
    ),
    ''
  ].join('\n')
}
