/**
 * ENIConfig objects, one per zone, and the names they are known by. The VPC CNI picks the
 * ENIConfig whose name equals the value of the node label named by ENI_CONFIG_LABEL_DEF, so the
 * name is the zone name, or the zone ID when that label is `topology.k8s.aws/zone-id` (zone names
 * differ between accounts, IDs do not).
 */
import type { KubernetesObject } from '@kubernetes/client-node'
import type { ZoneSubnet } from '../aws/network.js'

/** The ENIConfig custom resource: its API group, version, kind, plural and CRD name. */
export const ENI_CONFIG = {
  group: 'crd.k8s.amazonaws.com',
  version: 'v1alpha1',
  apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
  kind: 'ENIConfig',
  plural: 'eniconfigs',
  crdName: 'eniconfigs.crd.k8s.amazonaws.com'
} as const

/** The well-known node label whose value is the zone name (the action's default label). */
export const ZONE_LABEL = 'topology.kubernetes.io/zone'
/** The zone label nodes carried before Kubernetes 1.17; some still do. */
export const LEGACY_ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone'
/** The node label whose value is the zone ID. */
export const ZONE_ID_LABEL = 'topology.k8s.aws/zone-id'

/** An ENIConfig as applied to the cluster. */
export interface EniConfigObject extends KubernetesObject {
  apiVersion: typeof ENI_CONFIG.apiVersion
  kind: typeof ENI_CONFIG.kind
  metadata: { name: string }
  spec: { subnet: string; securityGroups?: string[] }
}

/**
 * One ENIConfig per zone, sorted by name. `zones` holds one subnet per zone, as resolveSubnets
 * (aws/network.ts) returns them. `securityGroups` is omitted when empty: the CNI then uses the
 * node's primary ENI security groups.
 */
export function buildEniConfigs(
  zones: readonly Pick<ZoneSubnet, 'zone' | 'zoneId' | 'subnetId'>[],
  securityGroups: readonly string[],
  labelDef: string
): EniConfigObject[] {
  const byZoneId = labelDef === ZONE_ID_LABEL
  const configs = zones.map((z): EniConfigObject => ({
    apiVersion: ENI_CONFIG.apiVersion,
    kind: ENI_CONFIG.kind,
    metadata: { name: byZoneId ? z.zoneId : z.zone },
    spec: {
      subnet: z.subnetId,
      ...(securityGroups.length > 0 ? { securityGroups: [...securityGroups] } : {})
    }
  }))
  return configs.sort((a, b) =>
    a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0
  )
}
