/**
 * The job summary: which ENIConfigs exist, which aws-node settings were applied, and what this run
 * changed, so a reviewer sees the outcome without opening the log.
 */
import * as core from '@actions/core'
import { AWS_NODE, AWS_NODE_INIT_CONTAINER, type CniSettings } from './cni/aws-node.js'
import { errorMessage, hintOf } from './errors.js'
import type { Change } from './kube/apply.js'
import type { ActionResult } from './outputs.js'
import { escapeHtml, htmlCode } from './report/markdown.js'

/** One applied object and what happened to it. */
export interface ChangeRow {
  key: string
  change: Change
}

export interface SummaryDetails {
  clusterName: string
  region: string
  result: ActionResult
  /** The settings the action was asked to apply. */
  settings: CniSettings
  /** The aws-node DaemonSet's images after the edit. */
  images: string[]
  changes: ChangeRow[]
  /** One line on the rollout, or why it was not awaited. */
  rollout: string
  /** Nothing was changed: `changes` is empty and `result.changed` is what a real run would do. */
  dryRun: boolean
  /** More markdown sections (plan, settings check, max pods, nodes to replace), in order. */
  sections: string[]
}

/** Writes the job summary (a no-op outside a runner, where GITHUB_STEP_SUMMARY is unset). */
export async function writeSummary(d: SummaryDetails): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  const r = d.result
  const code = htmlCode
  const settings = [
    ...Object.entries(d.settings.env).map(([k, v]) => [AWS_NODE, code(k), code(v)]),
    ...Object.entries(d.settings.initEnv).map(([k, v]) => [
      AWS_NODE_INIT_CONTAINER,
      code(k),
      code(v)
    ])
  ]
  const outcome = d.dryRun
    ? `<b>Dry run</b>: nothing was changed; a real run would ${r.changed ? '<b>change</b> the cluster' : 'change nothing'}`
    : r.changed
      ? '<b>Changed</b>'
      : 'Nothing changed'
  const summary = core.summary
    .addHeading(`VPC CNI custom networking: ${escapeHtml(d.clusterName)}`, 2)
    .addRaw(
      `Cluster ${code(d.clusterName)} in ${code(d.region)}, Kubernetes ${escapeHtml(r.kubernetesVersion)}, ` +
        `VPC CNI ${code(r.cniVersion)}. ${outcome}. ` +
        `ENIConfigs are selected by node label ${code(r.eniConfigLabelDef)}.`,
      true
    )
    .addHeading('ENIConfigs', 3)
    .addTable([
      header(['Name', 'Zone', 'Zone ID', 'Subnet', 'Security groups']),
      ...r.eniConfigs.map((e) => [
        code(e.name),
        escapeHtml(e.zone),
        escapeHtml(e.zoneId),
        code(e.subnet),
        e.securityGroups.map(code).join(' ')
      ])
    ])
    .addHeading('Settings applied', 3)
    .addTable([header(['Container', 'Variable', 'Value']), ...settings])
    .addRaw('Images:', true)
    .addList(d.images.map(code))
  if (!d.dryRun) {
    summary
      .addHeading('What changed', 3)
      .addTable([header(['Object', 'Result']), ...d.changes.map((c) => [code(c.key), c.change])])
  }
  summary.addRaw(escapeHtml(d.rollout), true)
  // The sections are markdown from the report modules; the summary file takes both.
  for (const section of d.sections) summary.addEOL().addRaw(section, true)
  await summary.write()
}

/** A table's header row. */
function header(cells: string[]): { data: string; header: true }[] {
  return cells.map((data) => ({ data, header: true }))
}

/**
 * After a failure, the explanation of an authorization error (trust policy, access entry) goes to
 * the job summary too, where it is easier to read than in the annotation. Never throws.
 */
export async function writeFailureSummary(error: unknown): Promise<void> {
  const hint = hintOf(error)
  if (!hint || !process.env.GITHUB_STEP_SUMMARY) return
  try {
    await core.summary.addRaw(hint.markdown, true).write()
  } catch (e) {
    core.warning(`Could not write the job summary: ${errorMessage(e)}`)
  }
}

/** What a failed run left behind: each object it meant to write, and what happened to it. */
export interface PartialRunDetails {
  clusterName: string
  region: string
  rows: { key: string; outcome: string }[]
  /** Variables removed from aws-node, as "container NAME". */
  removed: string[]
  /** The run's error, which says what state the cluster is in. */
  message: string
}

/** The job summary of a run that failed after its first write. Never throws. */
export async function writePartialSummary(d: PartialRunDetails): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  const code = htmlCode
  try {
    const summary = core.summary
      .addHeading(`VPC CNI custom networking: ${escapeHtml(d.clusterName)} (failed)`, 2)
      .addRaw(
        `Cluster ${code(d.clusterName)} in ${code(d.region)}. The run failed after it started ` +
          'writing; a rerun with the same inputs completes it.',
        true
      )
      .addHeading('What changed', 3)
      .addTable([
        header(['Object', 'Result']),
        ...d.rows.map((r) => [
          code(r.key),
          r.outcome === 'failed' ? 'sent, no answer' : escapeHtml(r.outcome)
        ])
      ])
    if (d.removed.length > 0)
      summary.addRaw('Removed from aws-node:', true).addList(d.removed.map(code))
    await summary.addCodeBlock(d.message).write()
  } catch (e) {
    core.warning(`Could not write the job summary: ${errorMessage(e)}`)
  }
}
