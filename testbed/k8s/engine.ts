/** The patch engines (testbed/k8s/patch, pure functions over JSON) as the emulator uses them. */
export {
  ApplyConflict,
  conflictError,
  conflictsNotLastApplied,
  UPGRADED_MANAGER,
  jsonPatch,
  mergePatch,
  PatchError,
  fromManagedFields,
  recordUpdate,
  toManagedFields,
  serverSideApply,
  strategicMergePatch,
  type Ownership
} from './patch/index.js'
