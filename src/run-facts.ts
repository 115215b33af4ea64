/**
 * What a run knows once the cluster, EC2 and the manifest have been read, before any write: the
 * one value the checks before the writes, the reports after them and a failing run's report read.
 */
import type { ClusterInfo } from './aws/cluster.js'
import type { ClusterRolePolicies } from './aws/cluster-role.js'
import type { ZoneSubnet } from './aws/network.js'
import type { OptionalRead, PodSubnetUsage } from './aws/pod-subnets.js'
import { awsNodeEnv, isAwsNodeDaemonSet } from './cni/aws-node.js'
import type { EniConfigObject } from './cni/eniconfig.js'
import type { InstanceNetworkInfo } from './cni/max-pods.js'
import type { ActionInputs } from './inputs.js'
import type { KubernetesObject } from './kube/client.js'
import type { LiveState } from './kube/live.js'
import type { EniConfigOutput } from './outputs.js'

/** The CNI objects as the run leaves them (aws-node after the edit), its images and version. */
export interface ManifestFacts {
  objects: KubernetesObject[]
  images: string[]
  cniVersion: string
}

/** The ENIConfigs the run writes, and how the `eni-configs` output lists them. */
export interface EniConfigSet {
  objects: EniConfigObject[]
  outputs: EniConfigOutput[]
}

export interface RunFacts {
  inputs: ActionInputs
  cluster: ClusterInfo
  live: LiveState
  manifest: ManifestFacts
  instanceTypes: InstanceNetworkInfo[]
  eniConfigs: EniConfigSet
  /** Node-group readiness reads (EC2 batch): the pod subnets, their occupants, the cluster role. */
  zones?: readonly ZoneSubnet[]
  podSubnetUsage?: OptionalRead<PodSubnetUsage[]>
  clusterRole?: OptionalRead<ClusterRolePolicies>
}

/** aws-node's env and init env in the edited manifest: the settings actually applied. */
export function appliedEnv(objects: readonly KubernetesObject[]): {
  env: Record<string, string>
  initEnv: Record<string, string>
} {
  const ds = objects.find(isAwsNodeDaemonSet)
  return ds ? awsNodeEnv(ds) : { env: {}, initEnv: {} }
}
