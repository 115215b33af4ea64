/**
 * The checks made before any write, from what the run has read: the settings linter with the
 * node-group readiness findings, and who owns the fields the run would change. Each reports its
 * findings as annotations and log lines, and stops the run (before the cluster changes) when the
 * inputs say a finding must.
 */
import * as core from '@actions/core'
import { Inputs } from './constants.js'
import { refKey, refOf } from './kube/client.js'
import { type OwnershipReport, addonError, analyzeOwnership } from './kube/ownership.js'
import { type LintFinding, lintSettings } from './lint.js'
import { nodeFromObject } from './recycle.js'
import { oneLine } from './report/markdown.js'
import { nodeGroupFindings } from './report/node-groups-run.js'
import { foreignTakeovers, takeoverWarning } from './report/ownership.js'
import { type RunFacts, appliedEnv } from './run-facts.js'

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
 * run (a warning with take-over-addon-fields); fields of another manager are taken over, with a
 * warning when that manager did not install the CNI. `dryRun` words the warning as what a real
 * run would do.
 */
export function checkOwnership(f: RunFacts, dryRun: boolean): OwnershipReport {
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
    core.warning(takeoverWarning(t, dryRun), { title: 'Fields set by another tool' })
  }
  if (report.takeovers.length === 0) core.info('No field of another manager changes')
  return report
}
