/**
 * The names the add-on path shares with EKS: the managed add-on, its field manager, the keys of
 * its configurationValues, and the choices the new inputs offer. No other file spells them.
 */

/** The EKS managed add-on that installs the VPC CNI (aws-node). */
export const VPC_CNI_ADDON = 'vpc-cni'

/** Top-level keys of the vpc-cni configurationValues this action writes. */
export const CONFIG_KEYS = {
  env: 'env',
  init: 'init',
  initEnv: 'env',
  eniConfig: 'eniConfig'
} as const

/** How the action treats the cluster's CNI: the `mode` input. */
export const MODES = ['auto', 'addon', 'self-managed'] as const
export type ModeInput = (typeof MODES)[number]

/** UpdateAddon/CreateAddon resolveConflicts: the `resolve-conflicts` input. */
export const RESOLVE_CONFLICTS = ['OVERWRITE', 'PRESERVE', 'NONE'] as const
export type ResolveConflicts = (typeof RESOLVE_CONFLICTS)[number]

/** DescribeAddon statuses in which UpdateAddon is accepted (EKS refuses it while busy). */
export const ADDON_UPDATABLE = ['ACTIVE', 'DEGRADED', 'UPDATE_FAILED'] as const
/** DescribeAddon statuses that settle by themselves: wait for ACTIVE. */
export const ADDON_SETTLING = ['CREATING', 'UPDATING'] as const
/** DescribeCluster statuses that settle by themselves: wait for ACTIVE. */
export const CLUSTER_SETTLING = ['CREATING', 'UPDATING'] as const

/** The add-on version string, e.g. v1.19.6-eksbuild.2: upstream version plus EKS build number. */
export const ADDON_VERSION = /^v(\d+)\.(\d+)\.(\d+)-eksbuild\.(\d+)$/
