/** The add-on API's records and requests. */
import type { ConfigValues } from './addon-config.js'
import type { AddonManager } from './addon-manager.js'

export interface ClusterFacts {
  kubernetesVersion: string
  ipFamily: 'ipv4' | 'ipv6'
}

export interface AddonStoreOptions {
  region: string
  accountId: () => string
  /** The cluster's facts, or undefined when there is no such cluster. */
  cluster: (name: string) => ClusterFacts | undefined
  manager: () => AddonManager
  /** Path of the upstream manifest for a tag such as `v1.19.6`. */
  manifestPath: (tag: string) => string
  /** How long a create, update or delete stays in progress. */
  delayMs: number
}

export interface Addon {
  addonName: string
  clusterName: string
  status: string
  addonVersion: string
  addonArn: string
  createdAt: number
  modifiedAt: number
  serviceAccountRoleArn?: string
  tags: Record<string, string>
  configurationValues?: string
  values: ConfigValues
  issues: { code: string; message: string; resourceIds: string[] }[]
  /** ENIConfig names the add-on created. */
  eniConfigs: string[]
}

export interface Update {
  clusterName: string
  addonName: string
  body: {
    id: string
    status: string
    type: string
    params: { type: string; value: string }[]
    createdAt: number
    errors: { errorCode: string; errorMessage: string; resourceIds: string[] }[]
  }
}

export interface AddonRequest {
  addonName?: string
  addonVersion?: string
  configurationValues?: string
  resolveConflicts?: string
  serviceAccountRoleArn?: string
  tags?: Record<string, string>
}
