/**
 * What an add-on run reports: the job summary section (markdown) and the values of the `mode` and
 * `addon-version` outputs. Pure; every value from the cluster or the inputs is escaped.
 */
import type { ActionResult } from '../outputs.js'
import { code } from '../report/markdown.js'
import type { ModeDecision } from './cluster-kind.js'
import { VPC_CNI_ADDON, type ResolveConflicts } from './names.js'
import type { ValueChange } from './values.js'

/** How the add-on write ended. */
export type AddonOutcome =
  /** desired values equal the current ones and no version change: no call was made */
  | { kind: 'unchanged' }
  /** dry run: nothing was sent; `wouldChange` says whether a real run would call EKS */
  | { kind: 'dry-run'; wouldChange: boolean }
  | { kind: 'updated'; updateId: string }
  | { kind: 'created' }
  /** the update ended Failed: EKS's errors, verbatim */
  | { kind: 'failed'; updateId: string; errors: readonly string[] }

export interface AddonReport {
  clusterName: string
  /** The add-on version after the run (or that a dry run would ask for). */
  addonVersion: string
  /** The version before the run, when it differs; undefined for a created add-on. */
  previousVersion?: string
  resolveConflicts: ResolveConflicts
  changes: readonly ValueChange[]
  outcome: AddonOutcome
  /** The version's schema has no eniConfig: the ENIConfigs were applied directly. */
  eniConfigsApplied?: boolean
}

/**
 * The result fields behind the `mode` (addon | self-managed) and `addon-version` outputs, to spread
 * into the run's ActionResult.
 */
export function modeOutputs(
  decision: ModeDecision,
  addonVersion: string | undefined
): Required<Pick<ActionResult, 'mode' | 'addonVersion'>> {
  const addon = decision.kind === 'ADDON' || decision.kind === 'CREATE_ADDON'
  return {
    mode: addon ? 'addon' : 'self-managed',
    addonVersion: addon ? (addonVersion ?? '') : ''
  }
}

/**
 * Log lines for a dry run (and the real run's log): one `key: before → after` per change, with
 * `(not set)` and `(removed)` for keys that appear or go.
 */
export function changeLines(changes: readonly ValueChange[]): string[] {
  if (changes.length === 0) return ['configurationValues: no change']
  return changes.map(
    (c) => `configurationValues ${c.key}: ${c.before ?? '(not set)'} → ${c.after ?? '(removed)'}`
  )
}

/** The job summary section of the add-on path. */
export function addonSummaryMarkdown(r: AddonReport): string {
  const version =
    r.previousVersion !== undefined && r.previousVersion !== r.addonVersion
      ? `${code(r.addonVersion)} (was ${code(r.previousVersion)})`
      : code(r.addonVersion)
  const lines = [
    `### EKS add-on ${code(VPC_CNI_ADDON)}`,
    '',
    `Cluster ${code(r.clusterName)}, add-on ${code(VPC_CNI_ADDON)} ${version}: ${outcomeText(r)}`
  ]
  if (r.eniConfigsApplied) {
    lines.push(
      '',
      "This add-on version's configuration schema has no `eniConfig`, so the ENIConfigs were applied directly."
    )
  }
  if (r.outcome.kind === 'failed' && r.outcome.errors.length > 0) {
    lines.push('', 'EKS reported:', '')
    for (const error of r.outcome.errors) lines.push(`- ${code(error)}`)
  }
  if (r.changes.length > 0) {
    lines.push(
      '',
      '| configurationValues key | Before | After |',
      '| --- | --- | --- |',
      ...r.changes.map(
        (c) =>
          `| ${code(c.key)} | ${c.before === undefined ? '— (not set)' : code(c.before)} | ` +
          `${c.after === undefined ? '— (removed)' : code(c.after)} |`
      )
    )
  }
  return `${lines.join('\n')}\n`
}

function outcomeText(r: AddonReport): string {
  const via = `resolve-conflicts ${code(r.resolveConflicts)}`
  const n = r.changes.length
  const keys = `${n} configurationValues key${n === 1 ? '' : 's'}`
  switch (r.outcome.kind) {
    case 'unchanged':
      return 'the configurationValues already hold these settings; no update was made.'
    case 'dry-run':
      return r.outcome.wouldChange
        ? `**dry run**: nothing was sent; a real run would change ${keys} through UpdateAddon (${via}).`
        : '**dry run**: nothing was sent; a real run would change nothing.'
    case 'updated':
      return `updated ${keys} through UpdateAddon, update ${code(r.outcome.updateId)} (${via}).`
    case 'created':
      return `created through CreateAddon with ${keys} (${via}).`
    case 'failed':
      return `update ${code(r.outcome.updateId)} **failed** (${via}); the add-on keeps its previous configuration.`
  }
}
