/**
 * Security groups for pods (ENABLE_POD_ENI=true) work only when the cluster IAM role has the
 * AmazonEKSVPCResourceController managed policy and the nodes are Nitro instances; otherwise no
 * branch ENI appears and pods with a SecurityGroupPolicy stay Pending
 * (https://docs.aws.amazon.com/eks/latest/userguide/security-groups-pods-deployment.html,
 * https://docs.aws.amazon.com/eks/latest/userguide/security-groups-for-pods.html). Pure.
 */
import type { ClusterRolePolicies } from '../aws/cluster-role.js'
import type { OptionalRead } from '../aws/pod-subnets.js'
import type { LintFinding } from '../lint.js'

export const VPC_RESOURCE_CONTROLLER = 'AmazonEKSVPCResourceController'
const DEPLOY_DOC =
  'https://docs.aws.amazon.com/eks/latest/userguide/security-groups-pods-deployment.html'
const SGP_DOC = 'https://docs.aws.amazon.com/eks/latest/userguide/security-groups-for-pods.html'

/** The AWS managed policy's ARN in the role's partition. */
export function vpcResourceControllerArn(partition: string): string {
  return `arn:${partition}:iam::aws:policy/${VPC_RESOURCE_CONTROLLER}`
}

/** What the check says: findings (warnings) and at most one notice. */
export interface PodEniCheck {
  findings: LintFinding[]
  notice?: string
}

/**
 * Checks the cluster role's policies and the instance types when pod ENIs are on. A caller that
 * may not read IAM gets one notice; the check is then skipped, never the run.
 */
export function podEniCheck(p: {
  podEni: boolean
  role: OptionalRead<ClusterRolePolicies> | undefined
  clusterRoleArn?: string
  instanceTypes: readonly { instanceType: string; hypervisor: string }[]
}): PodEniCheck {
  if (!p.podEni) return { findings: [] }
  const findings: LintFinding[] = []
  let notice: string | undefined
  const role = p.role
  if (role?.ok) {
    const has = role.value.policyArns.some((a) => a.endsWith(`:policy/${VPC_RESOURCE_CONTROLLER}`))
    if (!has) {
      const arn = vpcResourceControllerArn(role.value.partition)
      findings.push({
        rule: 'pod-eni-without-vpc-resource-controller',
        title: `Cluster role ${role.value.roleName} lacks ${VPC_RESOURCE_CONTROLLER}`,
        message:
          `ENABLE_POD_ENI=true, but the cluster IAM role ${role.value.roleArn} (DescribeCluster's roleArn, ` +
          `not the node role) does not have ${VPC_RESOURCE_CONTROLLER}: EKS then never creates branch ` +
          'ENIs and pods with a SecurityGroupPolicy stay Pending. Attach it: ' +
          `aws iam attach-role-policy --role-name ${role.value.roleName} --policy-arn ${arn}`,
        link: DEPLOY_DOC
      })
    }
  } else if (role) {
    notice =
      `Could not check the cluster role ${p.clusterRoleArn ?? ''} for ${VPC_RESOURCE_CONTROLLER} ` +
      `(security groups for pods): ` +
      (role.denied
        ? `the credentials may not call ${role.permission}. Grant it to have the check, or check the role yourself.`
        : `${role.permission} failed: ${role.message}`)
  }
  // EC2 reports bare metal without a hypervisor; those are Nitro systems.
  const xen = p.instanceTypes.filter((t) => t.hypervisor !== 'nitro' && t.hypervisor !== '')
  if (xen.length > 0) {
    findings.push({
      rule: 'pod-eni-non-nitro',
      title: 'Security groups for pods on non-Nitro instance types',
      message:
        `ENABLE_POD_ENI=true works on Nitro instance types only; ` +
        `${xen.map((t) => `${t.instanceType} (${t.hypervisor})`).join(', ')} ` +
        `${xen.length === 1 ? 'is' : 'are'} not, so pods with a SecurityGroupPolicy cannot run there. ` +
        'Use Nitro types for these node groups.',
      link: SGP_DOC
    })
  }
  return { findings, notice }
}
