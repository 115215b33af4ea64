/**
 * The pod network a run configures, read from EC2 in one parallel batch: the pod subnets and
 * security groups checked against the cluster's VPC, the instance types for max pods, and the
 * node-group readiness reads. The ENIConfigs are built from it.
 */
import * as core from '@actions/core'
import type { AwsClients } from './aws/clients.js'
import type { ClusterInfo } from './aws/cluster.js'
import { type ClusterRolePolicies, readClusterRolePolicies } from './aws/cluster-role.js'
import { describeInstanceTypes } from './aws/instance-types.js'
import { type ZoneSubnet, resolveSecurityGroups, resolveSubnets } from './aws/network.js'
import { type OptionalRead, type PodSubnetUsage, readPodSubnetUsage } from './aws/pod-subnets.js'
import { buildEniConfigs } from './cni/eniconfig.js'
import type { InstanceNetworkInfo } from './cni/max-pods.js'
import type { ActionInputs } from './inputs.js'
import type { EniConfigSet } from './run-facts.js'

/** What resolveNetwork read. */
export interface PodNetwork {
  /** One pod subnet per zone, with the zone's name and ID and the subnet's CIDR. */
  zones: ZoneSubnet[]
  /** The security groups the ENIConfigs name: the input's, or the cluster security group. */
  securityGroups: string[]
  instanceTypes: InstanceNetworkInfo[]
  /** The pod subnets' network interfaces and CIDR reservations. */
  podSubnetUsage: OptionalRead<PodSubnetUsage[]>
  /** The cluster role's policies; undefined when not read (ENABLE_POD_ENI false, or no IAM client). */
  clusterRole: OptionalRead<ClusterRolePolicies> | undefined
}

/**
 * Subnets and, when given, security groups, checked against the cluster's VPC, the instance
 * types for max-pods, and the node-group readiness reads (the pod subnets' network interfaces and
 * CIDR reservations; the cluster role's policies unless ENABLE_POD_ENI is set false): one
 * parallel batch of EC2 (and IAM) calls.
 */
export async function resolveNetwork(
  ec2: AwsClients['ec2'],
  inputs: ActionInputs,
  cluster: ClusterInfo,
  iam?: AwsClients['iam']
): Promise<PodNetwork> {
  const podEniOff = inputs.settings.env.ENABLE_POD_ENI === 'false'
  const [zones, securityGroups, instanceTypes, podSubnetUsage, clusterRole] = await Promise.all([
    resolveSubnets(ec2, inputs.subnets, cluster.vpcId),
    inputs.securityGroups
      ? resolveSecurityGroups(ec2, inputs.securityGroups, cluster.vpcId)
      : [cluster.clusterSecurityGroupId],
    describeInstanceTypes(ec2, inputs.instanceTypes),
    readPodSubnetUsage(
      ec2,
      inputs.subnets.map((s) => s.subnetId)
    ),
    iam && !podEniOff ? readClusterRolePolicies(iam, cluster.roleArn) : undefined
  ])
  return { zones, securityGroups, instanceTypes, podSubnetUsage, clusterRole }
}

/** Logs what resolveNetwork found (when its group is open, not when it finished). */
export function logNetwork(network: PodNetwork): PodNetwork {
  for (const z of network.zones) core.info(`${z.zone} (${z.zoneId}): ${z.subnetId} ${z.cidr}`)
  core.info(`Security groups: ${network.securityGroups.join(', ')}`)
  for (const t of network.instanceTypes) {
    core.info(
      `${t.instanceType}: ${t.vcpus} vCPUs, ${t.maxEnis} ENIs of ${t.ipv4PerEni} IPv4, ${t.hypervisor || 'bare metal'}`
    )
  }
  return network
}

/** One ENIConfig per zone, named by zone or zone ID, and how the `eni-configs` output lists them. */
export function buildEniConfigSet(network: PodNetwork, inputs: ActionInputs): EniConfigSet {
  const objects = buildEniConfigs(network.zones, network.securityGroups, inputs.eniConfigLabelDef)
  const outputs = objects.map((c) => {
    const zone = network.zones.find((z) => z.subnetId === c.spec.subnet)
    return {
      name: c.metadata.name,
      zone: zone?.zone ?? '',
      zoneId: zone?.zoneId ?? '',
      subnet: c.spec.subnet,
      securityGroups: [...network.securityGroups]
    }
  })
  return { objects, outputs }
}
