/**
 * How the run reports fields it takes over from other field managers: a summary section, and the
 * annotation text for a manager that is not the CNI's installer (it may set the field back).
 */
import type { OwnershipReport, Takeover } from '../kube/ownership.js'
import { code, listSome, oneLine, text } from './markdown.js'

/** Takeovers that deserve a warning: another tool set these fields and may revert them. */
export function foreignTakeovers(report: OwnershipReport): Takeover[] {
  return report.takeovers.filter((t) => !t.installer)
}

/** The warning annotation's text for one foreign takeover. */
export function takeoverWarning(t: Takeover, dryRun: boolean): string {
  return oneLine(
    `${t.object}: ${dryRun ? 'a real run would take' : 'this run takes'} ${listSome(t.fields)} ` +
      `over from field manager '${t.manager}', which did not install the VPC CNI. If that tool ` +
      '(GitOps, infrastructure as code, a script) applies them again, it sets them back; ' +
      'change them there too.'
  )
}

/** The summary section, or '' when the run takes no field from another manager. */
export function ownershipMarkdown(report: OwnershipReport, dryRun: boolean): string {
  if (report.takeovers.length === 0) return ''
  const installer = report.installer
  return [
    '### Field owners',
    '',
    `${dryRun ? 'A real run would take' : 'This run took'} these fields over from other field managers` +
      (installer ? ` (the VPC CNI was installed by ${code(installer)})` : '') +
      '. A manager that did not install the CNI may set them back on its next apply.',
    '',
    '| Object | Manager | Installed the CNI | Fields |',
    '|---|---|---|---|',
    ...report.takeovers.map(
      (t) =>
        `| ${text(t.object)} | ${code(t.manager)} | ${t.installer ? 'yes' : '**no**'} | ` +
        `${t.fields.map((f) => code(f)).join(', ')} |`
    ),
    ''
  ].join('\n')
}
