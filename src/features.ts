/**
 * What the action reports beyond applying the manifest (issue 4): the settings linter, max pods per
 * instance type, the nodes to replace and the dry-run plan, wired from the pure modules that do the
 * work. Nothing here sends a request: every input was read in the existing parallel batches.
 */
import * as core from '@actions/core'
import type { ClusterInfo } from './aws/cluster.js'
import { awsNodeEnv, isAwsNodeDaemonSet } from './cni/aws-node.js'
import type { EniConfigObject } from './cni/eniconfig.js'
import type { InstanceNetworkInfo } from './cni/max-pods.js'
import { Inputs } from './constants.js'
import type { ActionInputs } from './inputs.js'
import type { AppliedObject } from './kube/apply.js'
import { type KubernetesObject, refKey, refOf } from './kube/client.js'
import type { LiveState } from './kube/live.js'
import { type LintFinding, lintSettings } from './lint.js'
import { maxPodsMarkdown, maxPodsOutput, maxPodsTable } from './max-pods-report.js'
import type { ActionResult, EniConfigOutput } from './outputs.js'
import { type ObjectPlan, planChanged, planChanges, planMarkdown } from './plan.js'
import { type RecycleEntry, nodeFromObject, nodesToRecycle, recycleMarkdown } from './recycle.js'
import type { ChangeRow, SummaryDetails } from './summary.js'

/** What the run knows once the cluster, EC2 and the manifest have been read. */
export interface RunFacts {
  inputs: ActionInputs
  cluster: ClusterInfo
  live: LiveState
  /** The manifest after the aws-node edit. */
  manifest: { objects: KubernetesObject[]; images: string[]; cniVersion: string }
  instanceTypes: InstanceNetworkInfo[]
  eniConfigs: { objects: EniConfigObject[]; outputs: EniConfigOutput[] }
}

/**
 * Lints the settings the run ends up with (aws-node's env after the edit, not the inputs) and
 * reports each warning as an annotation (notices go to the log and the summary only). With
 * fail-on-warnings the warnings stop the run here, before anything in the cluster changes.
 */
export function checkSettings(f: RunFacts): LintFinding[] {
  const { env, initEnv } = appliedEnv(f.manifest.objects)
  const nodes = (f.live.nodes ?? []).map(nodeFromObject)
  const findings = lintSettings({
    env,
    initEnv,
    nodes: nodes.map((n) => ({ name: n.name, zone: n.zone, zoneId: n.zoneId ?? '' })),
    eniConfigNames: [
      ...new Set([
        ...f.eniConfigs.objects.map((c) => c.metadata.name),
        ...f.live.eniConfigs.map((c) => c.metadata?.name ?? '')
      ])
    ],
    labelDef: f.inputs.eniConfigLabelDef,
    instanceTypes: f.instanceTypes.map((t) => ({
      instanceType: t.instanceType,
      hypervisor: t.hypervisor
    }))
  })
  const warnings = findings.filter((x) => x.severity !== 'notice')
  for (const x of warnings) core.warning(`${x.message} See ${x.link}`, { title: x.title })
  for (const x of findings) if (x.severity === 'notice') core.info(`Notice: ${x.message}`)
  core.info(
    findings.length === 0
      ? 'No findings'
      : `${warnings.length} warning(s), ${findings.length - warnings.length} notice(s)`
  )
  if (warnings.length > 0 && f.inputs.failOnWarnings) {
    throw new Error(
      `${Inputs.FailOnWarnings} is true and the settings linter found ${warnings.length} ` +
        `problem(s); nothing was changed:\n- ${warnings.map((x) => x.title).join('\n- ')}`
    )
  }
  return findings
}

/** Before → after for every object a run would apply, from the reads already made. */
export function dryRunPlan(f: RunFacts): ObjectPlan[] {
  const desired = [...f.manifest.objects, ...f.eniConfigs.objects]
  return planChanges(
    desired.map((object) => ({ live: f.live.objects.get(refKey(refOf(object))), desired: object }))
  )
}

/** What applying did, and the time the change started taking effect. */
export interface Outcome {
  applied: AppliedObject[]
  /** Set with dry-run only. */
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
}

/**
 * The outputs and the job summary of a run. The nodes to replace also get a warning annotation,
 * since a changed cluster with old nodes is only half configured.
 */
export function buildReport(
  f: RunFacts,
  o: Outcome
): { result: ActionResult; summary: SummaryDetails } {
  const changed = o.plans
    ? planChanged(o.plans) || (o.removed ?? []).length > 0
    : o.applied.some((a) => a.change !== 'unchanged') || (o.removed ?? []).length > 0
  const { env } = appliedEnv(f.manifest.objects)
  const settings = {
    customNetworking: isTrue(env.AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG),
    prefixDelegation: isTrue(env.ENABLE_PREFIX_DELEGATION)
  }
  const maxEni = /^\d+$/.test(env.MAX_ENI ?? '') ? Number(env.MAX_ENI) : undefined
  const rows = maxPodsTable(f.instanceTypes, {
    ...settings,
    cniVersion: f.manifest.cniVersion,
    ...(maxEni !== undefined ? { maxEni } : {})
  })
  const nodes = (f.live.nodes ?? []).map(nodeFromObject)
  const recycle = nodesToRecycle(nodes, o.changeTime, changed)
  warnAboutOldNodes(recycle, o.plans !== undefined)
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
  const sections = [
    o.plans ? planMarkdown(o.plans) : '',
    writeModelMarkdown(o, o.plans !== undefined),
    lintMarkdown(o.findings),
    maxPodsMarkdown(rows, settings),
    f.live.nodes ? recycleMarkdown(recycle) : ''
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
  return { result, summary }
}

function warnAboutOldNodes(entries: RecycleEntry[], dryRun: boolean): void {
  if (entries.length === 0) return
  const names = entries.map((e) => e.name)
  const shown =
    names.slice(0, 10).join(', ') + (names.length > 10 ? ` and ${names.length - 10} more` : '')
  // A notice, not a warning: replacing nodes is the expected next step, not a fault of the inputs.
  core.notice(
    `${entries.length} node(s) existed before ${dryRun ? 'the change a real run would make' : "this run's change"} ` +
      `and keep the old networking until they are replaced: ${shown}. ` +
      'Custom networking and --max-pods take effect only on nodes created after the change; ' +
      'the nodes-to-recycle output and the job summary list them.',
    { title: 'Nodes to replace' }
  )
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
        `- ${x.severity === 'notice' ? 'Notice: ' : ''}**${x.title}**: ${x.message} ([docs](${x.link}))`
    ),
    ''
  ].join('\n')
}

/** aws-node's env and init env in the edited manifest: the settings actually applied. */
function appliedEnv(objects: KubernetesObject[]) {
  const ds = objects.find(isAwsNodeDaemonSet)
  return ds ? awsNodeEnv(ds) : { env: {} as Record<string, string>, initEnv: {}, images: [] }
}

/** Go's strconv.ParseBool true set, which is how ipamd reads its booleans. */
function isTrue(value: string | undefined): boolean {
  return value !== undefined && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value.trim())
}
