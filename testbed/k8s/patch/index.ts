/**
 * Patch engines of the Kubernetes API emulator: pure functions over JSON values that the HTTP layer
 * calls per Content-Type (merge, JSON, strategic merge, server-side apply) plus field-ownership
 * bookkeeping for non-apply writes and its `managedFields` rendering.
 */
export { PatchError, type PatchCause } from './util.js'
export { mergePatch } from './merge.js'
export { jsonPatch } from './json-patch.js'
export { strategicMergePatch, SMP_MERGE_KEYS } from './strategic.js'
export { serverSideApply, type ApplyResult } from './ssa.js'
export {
  recordUpdate,
  entryKey,
  managerName,
  toManagedFields,
  fromManagedFields,
  type Ownership,
  type OwnershipEntry
} from './ownership.js'
export {
  formatPath,
  parsePath,
  collectLeaves,
  collectNodes,
  type Segment,
  type Leaf
} from './fieldpath.js'
export {
  conflictsNotLastApplied,
  LAST_APPLIED_ANNOTATION,
  UPGRADED_MANAGER
} from './last-applied.js'
export { ApplyConflict, conflictError } from './conflict.js'
