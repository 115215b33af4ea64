/**
 * A run that fails after its first write still reports: the outputs it knows, a job summary that
 * lists each object as changed, unchanged or not reached, and an error that says what state the
 * cluster was left in and that a rerun completes it.
 */
import { errorMessage } from './errors.js'
import type { RunFacts } from './run-facts.js'
import { setPartialOutputs } from './outputs.js'
import { isAwsNodeDaemonSet } from './cni/aws-node.js'
import { ENI_CONFIG } from './cni/eniconfig.js'
import { customNetworkingOn } from './cni/partial.js'
import { type WriteProgress, describePartialRun } from './progress.js'
import { nodeFromObject, nodesToRecycle } from './recycle.js'
import { writePartialSummary } from './summary.js'

/** kubectl failed to install after the cluster part of the run had finished. */
export class KubectlInstallError extends Error {
  constructor(cause: unknown) {
    super(errorMessage(cause), { cause })
    this.name = 'KubectlInstallError'
  }
}

/** Sets the known outputs, writes the summary and returns the run's error message. */
export async function reportPartialRun(
  f: RunFacts,
  progress: WriteProgress,
  changeTime: Date,
  error: unknown
): Promise<string> {
  const rows = progress.list()
  const cause = errorMessage(error)
  const message =
    error instanceof KubectlInstallError
      ? `The cluster is done: ${progress.changed ? 'every change was applied' : 'it needed no change'} ` +
        `and the job summary lists each object. kubectl is not: ${cause}\nA rerun installs kubectl ` +
        'and changes nothing in the cluster.'
      : describePartialRun(cause, rows, {
          before: customNetworkingOn(f.live.awsNode),
          after: progress.customNetworkingAfter
        })
  const nodes = (f.live.nodes ?? []).map(nodeFromObject)
  setPartialOutputs({
    eniConfigs: f.eniConfigs.outputs,
    eniConfigLabelDef: f.inputs.eniConfigLabelDef,
    changed: progress.changed,
    nodesToRecycle: nodesToRecycle(nodes, {
      awsNodeBefore: f.live.awsNode,
      awsNodeAfter: [...progress.stored.values()].find(isAwsNodeDaemonSet),
      eniConfigsBefore: f.live.eniConfigs,
      eniConfigsAfter: [...progress.stored.values()].filter((o) => o.kind === ENI_CONFIG.kind),
      changeTime
    }),
    clusterSecurityGroupId: f.cluster.clusterSecurityGroupId,
    kubernetesVersion: f.cluster.version
  })
  await writePartialSummary({
    clusterName: f.inputs.clusterName,
    region: f.inputs.region,
    rows,
    removed: progress.removed,
    message
  })
  return message
}
