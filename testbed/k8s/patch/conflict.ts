/** The 409 an apply gets when it would change fields other managers own. */
import { managerName, type OwnershipEntry } from './ownership.js'
import { PatchError } from './util.js'

/** One field another manager owns that the apply would change. */
export interface Conflict {
  manager: string
  entry: OwnershipEntry
  path: string
}

/**
 * How the apiserver names a manager (`printManager`): a subresource entry says so, and Update
 * entries add their apiVersion.
 */
function printManager(key: string, entry: OwnershipEntry): string {
  let quoted = JSON.stringify(managerName(key, entry))
  if (entry.subresource) quoted += ` with subresource ${JSON.stringify(entry.subresource)}`
  return entry.operation === 'Update' ? `${quoted} using ${entry.apiVersion}` : quoted
}

/** An apply's 409, carrying the conflicts it reports. */
export class ApplyConflict extends PatchError {
  constructor(
    readonly conflicts: Conflict[],
    message: string,
    causes: PatchError['causes']
  ) {
    super(message, 409, 'Conflict', causes)
  }
}

/** The 409 the apiserver answers (`NewConflictError` in k8s.io/apimachinery managedfields). */
export function conflictError(conflicts: Conflict[]): ApplyConflict {
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
  const sorted = [...conflicts].sort((a, b) => cmp(a.manager, b.manager) || cmp(a.path, b.path))
  const causes = sorted.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.manager, c.entry)}`,
    field: c.path
  }))
  let message: string
  if (sorted.length === 1) {
    const [c] = sorted
    message = `Apply failed with 1 conflict: conflict with ${printManager(c.manager, c.entry)}: ${c.path}`
  } else {
    const lines: string[] = []
    let current: string | undefined
    for (const c of sorted) {
      if (c.manager !== current) lines.push(`conflicts with ${printManager(c.manager, c.entry)}:`)
      current = c.manager
      lines.push(`- ${c.path}`)
    }
    message = `Apply failed with ${sorted.length} conflicts: ${lines.join('\n')}`
  }
  return new ApplyConflict(sorted, message, causes)
}
