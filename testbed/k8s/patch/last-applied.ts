/**
 * The apiserver's upgrade path from client-side to server-side apply (its `lastAppliedManager`):
 * a server-side apply by manager `kubectl` whose conflicts all lie on fields that the live
 * object's last-applied-configuration annotation sets to their live values goes ahead as forced
 * (any other conflicts are reported alone), so the first `kubectl apply --server-side` after client-side applies does not stop on
 * `kubectl-client-side-apply`.
 */
import { collectLeaves } from './fieldpath.js'
import type { ApplyConflict, Conflict } from './conflict.js'
import { deepEqual, isObject } from './util.js'

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration'

/** The only manager the apiserver upgrades from client-side apply. */
export const UPGRADED_MANAGER = 'kubectl'

/**
 * The conflicts of a failed apply that the last-applied configuration of `live` does not cover:
 * those on fields it does not set, or that someone changed since. Empty means the apply may go
 * ahead as forced; otherwise the apply fails with these conflicts only.
 */
export function conflictsNotLastApplied(
  live: Record<string, unknown> | undefined,
  error: ApplyConflict
): Conflict[] {
  const meta = live && isObject(live.metadata) ? live.metadata : {}
  const raw = isObject(meta.annotations) ? meta.annotations[LAST_APPLIED_ANNOTATION] : undefined
  if (!live || typeof raw !== 'string' || raw === '') return error.conflicts
  let lastApplied: unknown
  try {
    lastApplied = JSON.parse(raw)
  } catch {
    return error.conflicts
  }
  const liveLeaves = collectLeaves(live)
  const allowed = new Set<string>()
  for (const [path, leaf] of collectLeaves(lastApplied)) {
    const now = liveLeaves.get(path)
    if (!now || deepEqual(now.value, leaf.value)) allowed.add(path)
  }
  return error.conflicts.filter((c) => !allowed.has(c.path))
}
