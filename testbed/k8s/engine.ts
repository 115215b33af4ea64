/** The patch engines (testbed/k8s/patch, pure functions over JSON) as the emulator uses them. */
export {
  jsonPatch,
  mergePatch,
  PatchError,
  recordUpdate,
  serverSideApply,
  strategicMergePatch,
  type Ownership
} from './patch/index.js'
