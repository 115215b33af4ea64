/**
 * DescribeCluster fields moto 5.2.1 does not model, added as EKS returns them: the IP family and
 * load-balancing part of kubernetesNetworkConfig, Auto Mode's computeConfig and storageConfig,
 * accessConfig, upgradePolicy and health. While a cluster is CREATING, EKS has no endpoint and
 * no certificate yet, so those are left out.
 */
export interface ClusterKind {
  ipFamily: 'ipv4' | 'ipv6'
  autoMode: boolean
  /** Node role Auto Mode launches nodes with. */
  nodeRoleArn?: string
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The service CIDR EKS picks for an IPv6 cluster (a ULA /108). */
const SERVICE_IPV6_CIDR = 'fd2a:6d5c:8e1f::/108'

/** Rewrites a DescribeCluster response body; other bodies and unknown clusters pass unchanged. */
export function augmentCluster(
  body: string,
  kindOf: (name: string) => ClusterKind | undefined
): string {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return body
  }
  if (!isObj(parsed) || !isObj(parsed.cluster)) return body
  const cluster = parsed.cluster
  const kind = kindOf(String(cluster.name))
  if (!kind) return body
  const net: Obj = isObj(cluster.kubernetesNetworkConfig) ? cluster.kubernetesNetworkConfig : {}
  if (kind.ipFamily === 'ipv6') {
    delete net.serviceIpv4Cidr
    net.serviceIpv6Cidr = SERVICE_IPV6_CIDR
  }
  net.ipFamily = kind.ipFamily
  net.elasticLoadBalancing = { enabled: kind.autoMode }
  cluster.kubernetesNetworkConfig = net
  if (kind.autoMode) {
    cluster.computeConfig = {
      enabled: true,
      nodePools: ['general-purpose', 'system'],
      ...(kind.nodeRoleArn ? { nodeRoleArn: kind.nodeRoleArn } : {})
    }
    cluster.storageConfig = { blockStorage: { enabled: true } }
  }
  cluster.accessConfig ??= { authenticationMode: 'API_AND_CONFIG_MAP' }
  cluster.upgradePolicy ??= { supportType: 'EXTENDED' }
  cluster.health ??= { issues: [] }
  if (cluster.status === 'CREATING') {
    delete cluster.endpoint
    cluster.certificateAuthority = {}
  }
  return JSON.stringify(parsed)
}
