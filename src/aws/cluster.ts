/** EKS DescribeCluster: the facts about the cluster that every later step depends on. */
import { type Cluster, DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks'
import { errorMessage } from '../errors.js'
import type { EndpointAccess } from '../kube/errors.js'
import { awsErrorCode } from './retryable.js'

/** What the action needs from DescribeCluster. */
export interface ClusterInfo {
  name: string
  arn: string
  /** The API server URL, https://… */
  endpoint: string
  /** certificateAuthority.data: base64 PEM, as EKS returns it. */
  caData: string
  /** Kubernetes version, e.g. "1.31". */
  version: string
  status: string
  vpcId: string
  /** The EKS-created cluster security group; empty for clusters that predate it (before 1.14). */
  clusterSecurityGroupId: string
  platformVersion?: string
  /** The cluster IAM role (not the node role); what security groups for pods need policies on. */
  roleArn?: string
  /** Who can reach the endpoint, to explain an endpoint that does not answer. */
  endpointAccess: EndpointAccess
}

/** Statuses in which the API server answers; the same rule as `aws eks update-kubeconfig`. */
const USABLE_STATUSES = ['ACTIVE', 'UPDATING']

/**
 * EKS DescribeCluster (the client retries). Throws a clear error for an unknown cluster, for a
 * cluster that is not ACTIVE or UPDATING, and when the endpoint, CA or VPC is missing.
 */
export async function describeCluster(
  eks: Pick<EKSClient, 'send'>,
  name: string,
  region: string
): Promise<ClusterInfo> {
  return clusterInfoFrom(await describeClusterRaw(eks, name, region), name, region)
}

/**
 * EKS DescribeCluster (the client retries), as the SDK returns it, whatever the cluster's status: the
 * cluster-kind decision reads its status, computeConfig and kubernetesNetworkConfig, and a wait
 * for a CREATING cluster polls it. Throws a clear error for an unknown cluster.
 */
export async function describeClusterRaw(
  eks: Pick<EKSClient, 'send'>,
  name: string,
  region: string
): Promise<Cluster> {
  let response
  try {
    response = await eks.send(new DescribeClusterCommand({ name }))
  } catch (error) {
    throw explainDescribeFailure(error, name, region)
  }
  const cluster = response.cluster
  if (!cluster)
    throw new Error(`EKS DescribeCluster for '${name}' in ${region} returned no cluster`)
  return cluster
}

/**
 * The facts the action needs from a described cluster. Throws a clear error for a cluster that is
 * not ACTIVE or UPDATING, and when the endpoint, CA or VPC is missing.
 */
export function clusterInfoFrom(cluster: Cluster, name: string, region: string): ClusterInfo {
  const status = cluster.status ?? 'UNKNOWN'
  if (!USABLE_STATUSES.includes(status)) {
    throw new Error(
      `EKS cluster '${name}' in region ${region} is ${status}; it must be ACTIVE or UPDATING ` +
        'before its networking can be configured.'
    )
  }
  const endpoint = cluster.endpoint
  const caData = cluster.certificateAuthority?.data
  const vpcId = cluster.resourcesVpcConfig?.vpcId
  const missing = [
    endpoint ? undefined : 'endpoint',
    caData ? undefined : 'certificateAuthority.data',
    vpcId ? undefined : 'resourcesVpcConfig.vpcId'
  ].filter((field): field is string => field !== undefined)
  if (!endpoint || !caData || !vpcId) {
    throw new Error(
      `EKS cluster '${name}' in region ${region} has no ${missing.join(', ')} in DescribeCluster`
    )
  }
  return {
    name: cluster.name ?? name,
    arn: cluster.arn ?? '',
    endpoint,
    caData,
    version: cluster.version ?? '',
    status,
    vpcId,
    clusterSecurityGroupId: cluster.resourcesVpcConfig?.clusterSecurityGroupId ?? '',
    platformVersion: cluster.platformVersion,
    roleArn: cluster.roleArn,
    endpointAccess: {
      // EKS's defaults when a field is absent: public on, private off, open to every address.
      publicAccess: cluster.resourcesVpcConfig?.endpointPublicAccess ?? true,
      privateAccess: cluster.resourcesVpcConfig?.endpointPrivateAccess ?? false,
      publicAccessCidrs: cluster.resourcesVpcConfig?.publicAccessCidrs ?? ['0.0.0.0/0']
    }
  }
}

function explainDescribeFailure(error: unknown, name: string, region: string): Error {
  const code = awsErrorCode(error)
  if (code === 'ResourceNotFoundException') {
    return new Error(`EKS cluster '${name}' not found in region ${region}`, { cause: error })
  }
  if (code === 'AccessDeniedException' || code === 'AccessDenied') {
    return new Error(
      `Not allowed to describe EKS cluster '${name}' in region ${region}: the credentials need ` +
        `eks:DescribeCluster on it (${errorMessage(error)})`,
      { cause: error }
    )
  }
  return new Error(
    `Failed to describe EKS cluster '${name}' in region ${region}: ${errorMessage(error)}`,
    { cause: error }
  )
}
