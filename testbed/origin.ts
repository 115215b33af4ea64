/**
 * The settings the origin script (the Terraform bash script this action replaces) applies: the one list that the baseline, the
 * integration tests and the unit tests compare against.
 */

/** What the origin sets on container aws-node (values are strings, as env values must be). */
export const ORIGIN_NODE_ENV: Readonly<Record<string, string>> = {
  ENABLE_POD_ENI: 'true',
  AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true',
  ENI_CONFIG_LABEL_DEF: 'topology.kubernetes.io/zone',
  WARM_IP_TARGET: '1',
  MINIMUM_IP_TARGET: '30',
  WARM_PREFIX_TARGET: '1',
  ENABLE_PREFIX_DELEGATION: 'true',
  AWS_VPC_K8S_CNI_EXTERNALSNAT: 'true'
}

/** What the origin sets on init container aws-vpc-cni-init. */
export const ORIGIN_INIT_ENV: Readonly<Record<string, string>> = { DISABLE_TCP_EARLY_DEMUX: 'true' }
