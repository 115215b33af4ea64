/**
 * What the action reports beyond applying the manifest: the settings linter, max pods per
 * instance type, the nodes to replace and the dry-run plan, wired from the pure modules that do the
 * work. Nothing here sends a request: every input was read in the existing parallel batches.
 */
import * as core from '@actions/core'
import type { ClusterInfo } from './aws/cluster.js'
import type { ClusterRolePolicies } from './aws/cluster-role.js'
import type { ZoneSubnet } from './aws/network.js'
import type { OptionalRead, PodSubnetUsage } from './aws/pod-subnets.js'
import { awsNodeEnv, isAwsNodeDaemonSet } from './cni/aws-node.js'
import type { EniConfigObject } from './cni/eniconfig.js'
import type { InstanceNetworkInfo } from './cni/max-pods.js'
import { Inputs } from './constants.js'
import type { ActionInputs } from './inputs.js'
import type { AppliedObject } from './kube/apply.js'
import { type KubernetesObject, refKey, refOf } from './kube/client.js'
import type { LiveState } from './kube/live.js'
import { type OwnershipReport, addonError, analyzeOwnership } from './kube/ownership.js'
import { type LintFinding, lintSettings } from './lint.js'
import { maxPodsMarkdown, maxPodsOutput, maxPodsTable } from './max-pods-report.js'
import type { ActionResult, EniConfigOutput } from './outputs.js'
import { type ObjectPlan, planChanged, planChanges, planMarkdown } from './plan.js'
import { type RecycleEntry, nodeFromObject, nodesToRecycle } from './recycle.js'
import { listSome, oneLine, text } from './report/markdown.js'
import { nodeGroupFindings, nodeGroupSection } from './report/node-groups-run.js'
import { recycleMarkdown } from './report/nodes-to-replace.js'
import { foreignTakeovers, ownershipMarkdown, takeoverWarning } from './report/ownership.js'
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
  /** Node-group readiness reads (EC2 batch): the pod subnets, their occupants, the cluster role. */
  zones?: readonly ZoneSubnet[]
  podSubnetUsage?: OptionalRead<PodSubnetUsage[]>
  clusterRole?: OptionalRead<ClusterRolePolicies>
}

/**
 * Lints the settings the run ends up with (aws-node's env after the edit, not the inputs) and
 * reports each warning as an annotation (notices go to the log and the summary only). With
 * fail-on-warnings the warnings stop the run here, before anything in the cluster changes.
 */
export function checkSettings(f: RunFacts): LintFinding[] {
  const { env, initEnv } = appliedEnv(f.manifest.objects)
  const nodes = (f.live.nodes ?? []).map(nodeFromObject)
  const linted = lintSettings({
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
  // Node-group readiness: pod-subnet capacity and security groups for pods.
  const findings = [...linted, ...nodeGroupFindings(f)]
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

/**
 * Who owns the fields the run would change, before any write. A field of the EKS add-on stops the
 * run (a warning with take-over-addon-fields); fields of another manager are taken over, with a warning when that manager did not install
 * the CNI.
 */
export function checkOwnership(f: RunFacts): OwnershipReport {
  const desired = [...f.manifest.objects, ...f.eniConfigs.objects]
  const report = analyzeOwnership(
    desired.map((object) => ({ live: f.live.objects.get(refKey(refOf(object))), desired: object }))
  )
  const error = addonError(report, { name: f.inputs.clusterName, region: f.inputs.region })
  // take-over-addon-fields: the user chose to write over the add-on's fields (mode self-managed).
  if (error && !f.inputs.takeOverAddonFields) throw error
  if (error) {
    const fields = report.addon.flatMap((t) => t.fields.map((x) => `${t.object}: ${x}`))
    core.warning(
      oneLine(
        `take-over-addon-fields is true: this run takes ${fields.length} field(s) of the EKS ` +
          `add-on (${fields.join('; ')}). EKS's next update of the add-on sets them back ` +
          '(resolve conflicts OVERWRITE) or fails (NONE).'
      ),
      { title: 'Fields of the EKS add-on taken over' }
    )
  }
  for (const t of report.takeovers) {
    core.info(oneLine(`${t.object}: ${t.fields.join(', ')} owned by field manager '${t.manager}'`))
  }
  for (const t of foreignTakeovers(report)) {
    core.warning(takeoverWarning(t, f.inputs.dryRun), { title: 'Fields set by another tool' })
  }
  if (report.takeovers.length === 0) core.info('No field of another manager changes')
  return report
}

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
  /** What checkOwnership found; absent when it did not run. */
  ownership?: OwnershipReport
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
  const recycle = nodesToRecycle(nodes, {
    awsNodeBefore: f.live.awsNode,
    awsNodeAfter: o.applied.find((a) => isAwsNodeDaemonSet(a.object))?.object,
    eniConfigsBefore: f.live.eniConfigs,
    eniConfigsAfter: o.applied.filter((a) => a.object.kind === 'ENIConfig').map((a) => a.object),
    changeTime: o.changeTime
  })
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
  return { result, summary }
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

function warnAboutOldNodes(entries: RecycleEntry[], dryRun: boolean): void {
  if (entries.length === 0) return
  const names = entries.map((e) => e.name)
  // A notice, not a warning: replacing nodes is the expected next step, not a fault of the inputs.
  core.notice(
    oneLine(
      `${entries.length} node(s) started before ${dryRun ? 'the change a real run would make' : 'the last change that needs new nodes'} ` +
        `and keep the old networking until they are replaced: ${listSome(names, 10)}. ` +
        'Custom networking and --max-pods take effect only on nodes created after the change; ' +
        'the nodes-to-recycle output and the job summary list them.'
    ),
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
        `- ${x.severity === 'notice' ? 'Notice: ' : ''}**${text(x.title)}**: ${text(x.message)} ([docs](<${x.link}>))`
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
