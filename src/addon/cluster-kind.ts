/**
 * Decides, before any write, how this run configures the cluster's VPC CNI: through the EKS
 * managed add-on (ADDON), through the self-managed aws-node (SETTINGS or VERSION), by creating the
 * add-on (CREATE_ADDON), or not at all (a refusal that says why and what works instead). Pure: it
 * reads facts the caller gathered (DescribeCluster, DescribeAddon, the live aws-node).
 */
import type { Cluster } from '@aws-sdk/client-eks'
import { dump } from 'js-yaml'
import { EKS_ADDON_MANAGER } from '../kube/ownership.js'
import { ADDON_SETTLING, ADDON_UPDATABLE, CLUSTER_SETTLING, VPC_CNI_ADDON } from './names.js'
import type { ModeInput } from './names.js'

/** What DescribeCluster says about the cluster's kind. */
export interface ClusterKindFacts {
  name: string
  status: string
  /** computeConfig.enabled: EKS Auto Mode. */
  autoMode: boolean
  /** kubernetesNetworkConfig.ipFamily: 'ipv4' or 'ipv6'. */
  ipFamily: string
}

/** The cluster-kind facts of a DescribeCluster answer. */
export function clusterKindFacts(cluster: Cluster, name: string): ClusterKindFacts {
  return {
    name: cluster.name ?? name,
    status: cluster.status ?? 'UNKNOWN',
    autoMode: cluster.computeConfig?.enabled === true,
    ipFamily: cluster.kubernetesNetworkConfig?.ipFamily ?? 'ipv4'
  }
}

/** What DescribeAddon(vpc-cni) says: absent means ResourceNotFoundException. */
export type AddonFacts = { present: false } | { present: true; status: string; version: string }

/** What the live DaemonSet kube-system/aws-node says. */
export interface AwsNodeFacts {
  exists: boolean
  /** Whether manager `eks` owns any of its fields (metadata.managedFields). */
  eksOwnsFields: boolean
}

/** The facts of the live aws-node DaemonSet (undefined when it does not exist). */
export function awsNodeFacts(
  daemonSet: { metadata?: { managedFields?: { manager?: string }[] } } | undefined
): AwsNodeFacts {
  return {
    exists: daemonSet !== undefined,
    eksOwnsFields: (daemonSet?.metadata?.managedFields ?? []).some(
      (f) => f.manager === EKS_ADDON_MANAGER
    )
  }
}

/** The inputs that steer the decision. */
export interface ModeRequest {
  mode: ModeInput
  takeOverAddonFields: boolean
  /** cni-version or manifest asks for a manifest change (self-managed VERSION mode). */
  versionChange: boolean
  /** For the Auto Mode refusal: the pod subnets and security groups the run was given. */
  subnetIds: readonly string[]
  securityGroupIds: readonly string[]
}

/** The one plain value every later step reads. */
export type ModeDecision =
  | { kind: 'ADDON'; addonVersion: string; addonStatus: string }
  | { kind: 'SETTINGS'; takeOverAddonFields: boolean }
  | { kind: 'VERSION'; takeOverAddonFields: boolean }
  | { kind: 'CREATE_ADDON'; replacesSelfManaged: boolean }
  /** The cluster or the add-on is still settling: wait for ACTIVE, read again, decide again. */
  | { kind: 'WAIT'; what: 'cluster' | 'addon'; status: string }
  | { kind: 'REFUSE'; message: string }

/** The VPC CNI's own words on IPv6 (ipamd's configuration check). */
export const IPV6_QUOTE =
  'IPv6 is supported only in Prefix Delegation mode. Security Group Per Pod and Custom ' +
  'Networking are not supported in IPv6 mode.'
export const IPV6_SOURCE =
  'https://github.com/aws/amazon-vpc-cni-k8s/blob/master/pkg/ipamd/ipamd.go'

const REFUSED_CLUSTER = ['FAILED', 'DELETING', 'PENDING']

/**
 * The refusals DescribeCluster alone decides (a status that is not ACTIVE, Auto Mode, IPv6), or
 * undefined. Called right after DescribeCluster, so such a cluster is refused before anything
 * else is read; decideMode asks it again.
 */
export function clusterRefusal(
  cluster: ClusterKindFacts,
  request: Pick<ModeRequest, 'subnetIds' | 'securityGroupIds'>
): string | undefined {
  const name = `EKS cluster '${cluster.name}'`
  if ((CLUSTER_SETTLING as readonly string[]).includes(cluster.status)) return undefined
  if (cluster.status !== 'ACTIVE') {
    const why = REFUSED_CLUSTER.includes(cluster.status)
      ? `${name} is ${cluster.status}: its networking cannot be configured until it is ACTIVE.`
      : `${name} has status ${cluster.status}, not ACTIVE.`
    return `${why} Nothing was changed.`
  }
  if (cluster.autoMode) return autoModeMessage(name, request)
  if (cluster.ipFamily.toLowerCase() === 'ipv6') return ipv6Message(name)
  return undefined
}

/** Decides the mode. Order: cluster status, Auto Mode, IPv6, then who owns aws-node. */
export function decideMode(
  cluster: ClusterKindFacts,
  addon: AddonFacts,
  awsNode: AwsNodeFacts,
  request: ModeRequest
): ModeDecision {
  const name = `EKS cluster '${cluster.name}'`
  if ((CLUSTER_SETTLING as readonly string[]).includes(cluster.status))
    return { kind: 'WAIT', what: 'cluster', status: cluster.status }
  const refusal = clusterRefusal(cluster, request)
  if (refusal) return { kind: 'REFUSE', message: refusal }

  const selfManaged = (takeOver: boolean): ModeDecision =>
    request.versionChange
      ? { kind: 'VERSION', takeOverAddonFields: takeOver }
      : { kind: 'SETTINGS', takeOverAddonFields: takeOver }

  if (addon.present) {
    if (request.mode === 'self-managed') {
      return request.takeOverAddonFields
        ? selfManaged(true)
        : { kind: 'REFUSE', message: takeOverMessage(name, addon.version) }
    }
    if ((ADDON_SETTLING as readonly string[]).includes(addon.status))
      return { kind: 'WAIT', what: 'addon', status: addon.status }
    if (!(ADDON_UPDATABLE as readonly string[]).includes(addon.status)) {
      return {
        kind: 'REFUSE',
        message:
          `The ${VPC_CNI_ADDON} add-on of ${name} is ${addon.status}; EKS accepts no update in ` +
          'that state. Check `aws eks describe-addon` for its health issues. Nothing was changed.'
      }
    }
    return { kind: 'ADDON', addonVersion: addon.version, addonStatus: addon.status }
  }

  if (awsNode.exists && awsNode.eksOwnsFields) {
    // The add-on was deleted with --preserve: EKS's fields stay, but no add-on API answers for them.
    if (request.mode === 'addon') return { kind: 'CREATE_ADDON', replacesSelfManaged: true }
    if (request.mode === 'self-managed' && request.takeOverAddonFields) return selfManaged(true)
    return {
      kind: 'REFUSE',
      message:
        `${name} has no ${VPC_CNI_ADDON} add-on, but field manager '${EKS_ADDON_MANAGER}' still ` +
        'owns fields of DaemonSet kube-system/aws-node (an add-on deleted with --preserve). Set ' +
        'mode: addon to create the add-on again, or mode: self-managed with take-over-addon-fields: ' +
        'true to manage aws-node yourself. Nothing was changed.'
    }
  }
  if (awsNode.exists) {
    if (request.mode === 'addon') return { kind: 'CREATE_ADDON', replacesSelfManaged: true }
    return selfManaged(false)
  }
  if (request.mode === 'addon') return { kind: 'CREATE_ADDON', replacesSelfManaged: false }
  // cni-version or manifest in auto mode names what to install: that manifest, self-managed.
  if (request.mode === 'self-managed' || request.versionChange)
    return { kind: 'VERSION', takeOverAddonFields: false }
  return {
    kind: 'REFUSE',
    message:
      `${name} has no VPC CNI: no ${VPC_CNI_ADDON} add-on and no DaemonSet kube-system/aws-node ` +
      '(a cluster created with bootstrapSelfManagedAddons: false). Set mode: addon to create the ' +
      'EKS managed add-on with these settings, or set cni-version (with mode: self-managed or ' +
      "auto) to apply that version's manifest. Nothing was changed."
  }
}

function autoModeMessage(
  name: string,
  request: Pick<ModeRequest, 'subnetIds' | 'securityGroupIds'>
): string {
  const terms = (ids: readonly string[]): { id: string }[] => ids.map((id) => ({ id }))
  const nodeClass = dump(
    {
      apiVersion: 'eks.amazonaws.com/v1',
      kind: 'NodeClass',
      spec: {
        podSubnetSelectorTerms: terms(request.subnetIds),
        podSecurityGroupSelectorTerms: terms(request.securityGroupIds)
      }
    },
    { lineWidth: -1 }
  )
  const sgNote =
    request.securityGroupIds.length === 0
      ? '# podSecurityGroupSelectorTerms must name security groups too: set security-groups.\n'
      : ''
  return (
    `${name} runs EKS Auto Mode (computeConfig.enabled). Auto Mode nodes do not run the VPC CNI ` +
    'add-on (aws-node), so its ENIConfigs and custom-networking settings have no effect there. ' +
    'To place pods in these subnets and security groups, add these fields to the spec of your ' +
    'NodeClass (next to its role, subnetSelectorTerms and securityGroupSelectorTerms) and use ' +
    `that NodeClass in a NodePool:\n${sgNote}${nodeClass}Nothing was changed.`
  )
}

function ipv6Message(name: string): string {
  return (
    `${name} uses the IPv6 family (kubernetesNetworkConfig.ipFamily: ipv6). Custom networking ` +
    `with ENIConfigs is an IPv4 feature; the VPC CNI says: "${IPV6_QUOTE}" (${IPV6_SOURCE}). ` +
    'The IP family is fixed when a cluster is created. Nothing was changed.'
  )
}

function takeOverMessage(name: string, version: string): string {
  return (
    `mode is self-managed, but ${name} runs the EKS managed add-on ${VPC_CNI_ADDON} ` +
    `${version}, whose fields on aws-node belong to field manager '${EKS_ADDON_MANAGER}'. If this ` +
    "action took them, EKS's next update of the add-on (a version upgrade, or any update-addon) " +
    'would either set them back to the add-on configuration (resolveConflicts OVERWRITE) or fail ' +
    'with "Conflicts found when trying to apply. Will not continue due to resolve conflicts mode" ' +
    '(NONE); only PRESERVE keeps them. Use mode: auto or addon to set them through the add-on configurationValues, or set ' +
    'take-over-addon-fields: true to take them anyway. Nothing was changed.'
  )
}
