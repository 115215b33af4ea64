/**
 * The job summary: which ENIConfigs exist, which aws-node settings were applied, and what this run
 * changed, so a reviewer sees the outcome without opening the log.
 */
import * as core from '@actions/core'
import type { CniEnvSettings } from './inputs.js'
import type { ActionResult } from './outputs.js'

/** One applied object and what happened to it. */
export interface ChangeRow {
  key: string
  change: 'created' | 'configured' | 'unchanged'
}

export interface SummaryDetails {
  clusterName: string
  region: string
  result: ActionResult
  /** The settings the action was asked to apply. */
  settings: CniEnvSettings
  /** The aws-node DaemonSet's images after the edit. */
  images: string[]
  changes: ChangeRow[]
  /** One line on the rollout, or why it was not awaited. */
  rollout: string
}

/** Writes the job summary (a no-op outside a runner, where GITHUB_STEP_SUMMARY is unset). */
export async function writeSummary(d: SummaryDetails): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  const r = d.result
  const header = (cells: string[]) => cells.map((data) => ({ data, header: true }))
  const code = (s: string) => `<code>${escapeHtml(s)}</code>`
  const settings = [
    ...Object.entries(d.settings.env).map(([k, v]) => ['aws-node', code(k), code(v)]),
    ...Object.entries(d.settings.initEnv).map(([k, v]) => ['aws-vpc-cni-init', code(k), code(v)])
  ]
  await core.summary
    .addHeading(`VPC CNI custom networking: ${escapeHtml(d.clusterName)}`, 2)
    .addRaw(
      `Cluster ${code(d.clusterName)} in ${code(d.region)}, Kubernetes ${escapeHtml(r.kubernetesVersion)}, ` +
        `VPC CNI ${code(r.cniVersion)}. ${r.changed ? '<b>Changed</b>' : 'Nothing changed'}. ` +
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
    .addHeading('What changed', 3)
    .addTable([header(['Object', 'Result']), ...d.changes.map((c) => [code(c.key), c.change])])
    .addRaw(escapeHtml(d.rollout), true)
    .write()
}

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}
