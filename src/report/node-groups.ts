/**
 * Will the node groups created next get pod IPs? Puts together, from what the run has already read,
 * the pod-subnet capacity rows and the security-groups-for-pods check. Pure; the caller prints.
 */
import type { ClusterRolePolicies } from '../aws/cluster-role.js'
import type { ZoneSubnet } from '../aws/network.js'
import { envInteger, isTrue } from '../cni/aws-node.js'
import type { OptionalRead, PodSubnetUsage } from '../aws/pod-subnets.js'
import { Inputs } from '../constants.js'
import type { LintFinding } from '../lint.js'
import type { MaxPodsRow } from '../max-pods-report.js'
import {
  type CapacityRow,
  type ExpectedNodes,
  capacityRows,
  plannedNodes,
  worstNodeNeed
} from './capacity.js'
import { capacityFindings } from './capacity-report.js'
import { podEniCheck } from './pod-eni.js'
import { countFreeBlocks, suggestPrefixReservation } from './subnet-blocks.js'

/** What the check reads. */
export interface NodeGroupFacts {
  /** aws-node's env after the edit: the settings the new nodes get. */
  env: Record<string, string>
  zones: readonly ZoneSubnet[]
  usage?: OptionalRead<PodSubnetUsage[]>
  clusterRole?: OptionalRead<ClusterRolePolicies>
  clusterRoleArn?: string
  /** The max-pods rows of `instance-types`. */
  maxPods: readonly MaxPodsRow[]
  instanceTypes: readonly { instanceType: string; hypervisor: string }[]
  expectedNodes: ExpectedNodes
  /** Zone labels of today's nodes. */
  nodeZones: readonly string[]
  region: string
}

/** The check's result. */
export interface NodeGroupReport {
  rows: CapacityRow[]
  findings: LintFinding[]
  notices: string[]
}

/**
 * The check, from the facts.
 *
 * @throws Error when `expected-nodes` names a zone that has no pod subnet (a typo would otherwise
 * silently fall back to the default)
 */
export function nodeGroupReport(f: NodeGroupFacts): NodeGroupReport {
  const unknown = Object.keys(f.expectedNodes.byZone).filter(
    (k) => !f.zones.some((z) => z.zone === k || z.zoneId === k)
  )
  if (unknown.length > 0) {
    throw new Error(
      `Input '${Inputs.ExpectedNodes}' names ${unknown.join(', ')}, where no pod subnet is; ` +
        `the pod subnets are in ${f.zones.map((z) => `${z.zone} (${z.zoneId})`).join(', ')}`
    )
  }
  const notices: string[] = []
  let rows: CapacityRow[] = []
  if (f.usage && !f.usage.ok) {
    notices.push(
      f.usage.denied
        ? `Pod-subnet capacity not checked: the credentials may not call ${f.usage.permission} ` +
            '(optional; grant it to have the check).'
        : `Pod-subnet capacity not checked: ${f.usage.permission} failed: ${f.usage.message}`
    )
  } else if (f.usage?.ok) {
    const settings = {
      prefixDelegation: isTrue(f.env.ENABLE_PREFIX_DELEGATION),
      customNetworking: isTrue(f.env.AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG),
      warmPrefixTarget: envInteger(f.env.WARM_PREFIX_TARGET),
      warmIpTarget: envInteger(f.env.WARM_IP_TARGET),
      minimumIpTarget: envInteger(f.env.MINIMUM_IP_TARGET),
      warmEniTarget: envInteger(f.env.WARM_ENI_TARGET)
    }
    const need = worstNodeNeed(settings, f.maxPods)
    const usage = f.usage.value
    const subnets = f.zones.map((z) => {
      const u = usage.find((x) => x.subnetId === z.subnetId) ?? {
        usedIps: [],
        usedPrefixes: [],
        reservations: []
      }
      const occupancy = { cidr: z.cidr, ...u }
      const { nodes } = plannedNodes(z, f.expectedNodes, f.nodeZones)
      return {
        subnetId: z.subnetId,
        zone: z.zone,
        zoneId: z.zoneId,
        cidr: z.cidr,
        freeIps: z.availableIps ?? 0,
        freeBlocks: countFreeBlocks(occupancy).freeBlocks,
        prefixReservations: u.reservations.filter((r) => r.type === 'prefix').map((r) => r.cidr),
        suggestedReservation: suggestPrefixReservation(occupancy, (need?.prefixes ?? 1) * nodes)
      }
    })
    rows = capacityRows(subnets, need, f.expectedNodes, f.nodeZones)
  }
  const podEni = podEniCheck({
    podEni: isTrue(f.env.ENABLE_POD_ENI),
    role: f.clusterRole,
    clusterRoleArn: f.clusterRoleArn,
    instanceTypes: f.instanceTypes
  })
  if (podEni.notice) notices.push(podEni.notice)
  return {
    rows,
    findings: [...capacityFindings(rows, f.region), ...podEni.findings],
    notices
  }
}
