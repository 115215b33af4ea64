/**
 * What the test bed does for the kind of cluster it starts (the EKS managed add-on, Auto Mode,
 * IPv6, a cluster still CREATING): the add-on API the proxy serves, the DescribeCluster fields it
 * adds, which CNI manifest (if any) is preinstalled self-managed, and, once the cluster exists,
 * the add-on created through the manager and the status timeline.
 */
import { augmentCluster, type ClusterKind } from './addon-cluster.js'
import { addonRoutes, type LocalReply } from './addon-api.js'
import { AddonManager, type KubeTarget } from './addon-manager.js'
import { ipv6Manifest, preinstallAddon } from './addon-preinstall.js'
import { AddonStore } from './addons.js'

export interface ClusterKindOptions {
  region: string
  clusterName: string
  kubernetesVersion: string
  /** The VPC CNI version preinstalled, or null for none. */
  cniVersion: string | null
  cniMode?: 'self-managed' | 'addon'
  addonConfigurationValues?: string
  autoMode?: boolean
  ipFamily?: 'ipv4' | 'ipv6'
  clusterStatus?: 'ACTIVE' | 'CREATING'
  clusterActiveAfterMs?: number
  addonUpdateDelayMs?: number
  /** Path of the upstream manifest of a VPC CNI tag in this region. */
  manifestPath: (tag: string) => string
}

export interface ClusterKindSetup {
  addons: AddonStore
  /** The manifest to preinstall self-managed (written into `dir` when it needs changes), or null. */
  selfManagedManifest(dir: string): string | null
  intercept: (
    method: string,
    path: string,
    query: URLSearchParams,
    body: string
  ) => LocalReply | undefined
  rewrite: (operation: string, body: string) => string
  /** Once moto has the cluster and the API server runs: the add-on, the CREATING timeline. */
  afterSeed(ctx: {
    accountId: string
    kube: KubeTarget
    setClusterStatus: (status: string) => Promise<void>
  }): Promise<void>
  close(): void
}

export function clusterKindSetup(o: ClusterKindOptions): ClusterKindSetup {
  const cniMode = o.cniMode ?? 'self-managed'
  const autoMode = o.autoMode ?? false
  const ipFamily = o.ipFamily ?? 'ipv4'
  if (cniMode === 'addon' && (o.cniVersion === null || autoMode))
    throw new Error("cniMode 'addon' needs a cniVersion and a cluster without Auto Mode")
  let accountId = ''
  let manager: AddonManager | undefined
  let timer: NodeJS.Timeout | undefined
  const addons = new AddonStore({
    region: o.region,
    accountId: () => accountId,
    cluster: (name) =>
      name === o.clusterName ? { kubernetesVersion: o.kubernetesVersion, ipFamily } : undefined,
    manager: () => {
      if (!manager) throw new Error('the Kubernetes API server is not up yet')
      return manager
    },
    manifestPath: o.manifestPath,
    delayMs: o.addonUpdateDelayMs ?? 1000
  })
  const kindOf = (name: string): ClusterKind | undefined =>
    name === o.clusterName
      ? { ipFamily, autoMode, nodeRoleArn: `arn:aws:iam::${accountId}:role/eks-auto-node-role` }
      : undefined

  return {
    addons,
    selfManagedManifest(dir) {
      if (cniMode !== 'self-managed' || autoMode || o.cniVersion === null) return null
      const path = o.manifestPath(o.cniVersion)
      return ipFamily === 'ipv6' ? ipv6Manifest(path, dir) : path
    },
    intercept: addonRoutes(addons),
    rewrite: (op, body) => (op === 'eks:DescribeCluster' ? augmentCluster(body, kindOf) : body),
    async afterSeed(ctx) {
      accountId = ctx.accountId
      manager = new AddonManager(ctx.kube)
      if (cniMode === 'addon') {
        await preinstallAddon(
          addons,
          o.clusterName,
          `${o.cniVersion}-eksbuild.1`,
          o.addonConfigurationValues
        )
      }
      if (o.clusterStatus === 'CREATING') {
        await ctx.setClusterStatus('CREATING')
        timer = setTimeout(() => {
          ctx.setClusterStatus('ACTIVE').catch(() => undefined)
        }, o.clusterActiveAfterMs ?? 3000)
      }
    },
    close() {
      if (timer) clearTimeout(timer)
      addons.changes.close()
    }
  }
}
