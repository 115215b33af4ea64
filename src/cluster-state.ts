/**
 * The cluster before the change, read in one parallel batch: aws-node, the ENIConfigs, the nodes
 * and the objects the run may write.
 */
import * as core from '@actions/core'
import { ENI_CONFIG } from './cni/eniconfig.js'
import type { WriteMode } from './cni/partial.js'
import { errorMessage } from './errors.js'
import type { KubeClient } from './kube/client.js'
import { type LiveState, STANDARD_REFS, readLiveState } from './kube/live.js'

/**
 * The cluster before the change: aws-node, ENIConfigs and nodes, and the objects the run may write:
 * the standard CNI objects for a version change, only the ENIConfig CRD for a settings-only run.
 */
export function readClusterState(kube: KubeClient, mode: WriteMode): Promise<LiveState> {
  const refs =
    mode === 'version'
      ? STANDARD_REFS
      : STANDARD_REFS.filter(
          (r) => r.kind === 'CustomResourceDefinition' && r.name === ENI_CONFIG.crdName
        )
  return readLiveState(kube, refs, (error) =>
    // The first line is enough: an access error's full explanation comes with the run's error.
    core.warning(
      `Could not list the cluster's nodes (${errorMessage(error).split('\n')[0]}): ` +
        'nodes-to-recycle and the per-zone check are skipped.'
    )
  )
}

/** Logs what readClusterState found. */
export function logClusterState(live: LiveState): LiveState {
  core.info(
    live.awsNode
      ? `aws-node runs VPC CNI ${live.runningCniVersion ?? '(version unknown)'}`
      : 'aws-node is not installed'
  )
  core.info(`${live.eniConfigs.length} ENIConfig(s) exist`)
  if (live.nodes) core.info(`${live.nodes.length} node(s)`)
  return live
}
