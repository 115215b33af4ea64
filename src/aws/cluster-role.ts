/**
 * The managed policies attached to the cluster IAM role (DescribeCluster's roleArn, not the node
 * role), for the security-groups-for-pods check: ENABLE_POD_ENI=true needs
 * AmazonEKSVPCResourceController on that role
 * (https://docs.aws.amazon.com/eks/latest/userguide/security-groups-pods-deployment.html).
 */
import { type IAMClient, paginateListAttachedRolePolicies } from '@aws-sdk/client-iam'
import { type OptionalRead, optionalRead } from './pod-subnets.js'

/** The role's name and partition, read from its ARN (arn:PARTITION:iam::ACCOUNT:role/PATH/NAME). */
export function parseRoleArn(arn: string): { partition: string; name: string } | undefined {
  const m = /^arn:([a-z-]+):iam::\d{12}:role\/(?:[^/]+\/)*([\w+=,.@-]+)$/.exec(arn)
  return m ? { partition: m[1], name: m[2] } : undefined
}

/** The cluster role and the ARNs of its attached managed policies. */
export interface ClusterRolePolicies {
  roleArn: string
  roleName: string
  partition: string
  policyArns: string[]
}

/**
 * iam:ListAttachedRolePolicies on the role (paginated; the client retries); undefined for an
 * unusable ARN.
 */
export async function readClusterRolePolicies(
  iam: IAMClient,
  roleArn: string | undefined
): Promise<OptionalRead<ClusterRolePolicies> | undefined> {
  const role = roleArn ? parseRoleArn(roleArn) : undefined
  if (!roleArn || !role) return undefined
  return optionalRead('iam:ListAttachedRolePolicies', async () => {
    const policyArns: string[] = []
    const pages = paginateListAttachedRolePolicies({ client: iam }, { RoleName: role.name })
    for await (const page of pages) {
      for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn) policyArns.push(p.PolicyArn)
    }
    return { roleArn, roleName: role.name, partition: role.partition, policyArns }
  })
}
