/**
 * The test bed CLI's flags for the node-group checks, kept apart from cli.ts: which AWS managed
 * policies the cluster role gets, and which pod subnets are filled with scattered addresses.
 */
import type { PodSubnetFill } from './aws/moto.js'

export const NODEGROUP_HELP = `  --cluster-role-policies <names>  AWS managed policies on the cluster IAM role, comma-separated,
                          or "none" (default AmazonEKSClusterPolicy,AmazonEKSVPCResourceController)
  --fill-pod-subnet <zone>:<fraction>:<free>  fill that zone's pod subnet, e.g. a:0.2:3 (20 % of its
                          addresses, in every /28 block but 3); repeatable
`

export const NODEGROUP_CLI_OPTIONS = {
  'cluster-role-policies': { type: 'string' },
  'fill-pod-subnet': { type: 'string', multiple: true }
} as const

/** The test bed options these flags set; throws on invalid values. */
export function parseNodegroupFlags(values: {
  'cluster-role-policies'?: string
  'fill-pod-subnet'?: string[]
}): { clusterRolePolicies?: string[]; podSubnetFill?: PodSubnetFill[] } {
  const out: { clusterRolePolicies?: string[]; podSubnetFill?: PodSubnetFill[] } = {}
  const policies = values['cluster-role-policies']
  if (policies !== undefined) {
    const names = policies === 'none' ? [] : policies.split(',').map((p) => p.trim())
    if (names.some((n) => !/^[A-Za-z0-9_+=,.@-]+$/.test(n))) {
      throw new Error(`--cluster-role-policies must be policy names or "none", got "${policies}"`)
    }
    out.clusterRolePolicies = names
  }
  for (const fill of values['fill-pod-subnet'] ?? []) {
    const m = /^([a-z]):(0(?:\.\d+)?|1(?:\.0+)?):(\d+)$/.exec(fill)
    if (!m) throw new Error(`--fill-pod-subnet must look like a:0.2:3, got "${fill}"`)
    ;(out.podSubnetFill ??= []).push({
      zone: m[1],
      usedFraction: Number(m[2]),
      freeBlocks: Number(m[3])
    })
  }
  return out
}
