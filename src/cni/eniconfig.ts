/**
 * ENIConfig objects, one per zone. The VPC CNI picks the ENIConfig whose name equals the
 * value of the node label named by ENI_CONFIG_LABEL_DEF, so the name is the zone name, or the zone ID
 * when that label is `topology.k8s.aws/zone-id` (zone names differ between accounts, IDs do not).
 */
import type { KubernetesObject } from '@kubernetes/client-node'

/** The node label whose value is the zone ID. */
export const ZONE_ID_LABEL = 'topology.k8s.aws/zone-id'
/** API version of the ENIConfig custom resource. */
export const ENI_CONFIG_API_VERSION = 'crd.k8s.amazonaws.com/v1alpha1'

/** One pod subnet with the zone it lives in. */
export interface ZoneSubnet {
  zone: string
  zoneId: string
  subnetId: string
}

/** An ENIConfig as applied to the cluster. */
export interface EniConfigObject extends KubernetesObject {
  apiVersion: typeof ENI_CONFIG_API_VERSION
  kind: 'ENIConfig'
  metadata: { name: string }
  spec: { subnet: string; securityGroups?: string[] }
}

/**
 * One ENIConfig per zone, sorted by name. `securityGroups` is omitted when empty: the CNI then
 * uses the node's primary ENI security groups.
 *
 * @throws Error if two subnets map to the same ENIConfig name
 */
export function buildEniConfigs(
  zones: ZoneSubnet[],
  securityGroups: string[],
  labelDef: string
): EniConfigObject[] {
  const byZoneId = labelDef === ZONE_ID_LABEL
  const seen = new Map<string, string>()
  const configs = zones.map((z): EniConfigObject => {
    const name = byZoneId ? z.zoneId : z.zone
    const other = seen.get(name)
    if (other !== undefined) {
      throw new Error(
        `Subnets ${other} and ${z.subnetId} are both in zone ${name}; give one subnet per zone`
      )
    }
    seen.set(name, z.subnetId)
    return {
      apiVersion: ENI_CONFIG_API_VERSION,
      kind: 'ENIConfig',
      metadata: { name },
      spec: {
        subnet: z.subnetId,
        ...(securityGroups.length > 0 ? { securityGroups: [...securityGroups] } : {})
      }
    }
  })
  return configs.sort((a, b) =>
    a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0
  )
}
