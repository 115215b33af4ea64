/**
 * EC2 lookups for the ENIConfigs: which zone each pod subnet is in, and whether the subnets and
 * security groups belong to the cluster's VPC.
 */
import type { EC2Client, SecurityGroup, Subnet } from '@aws-sdk/client-ec2'
import { paginateDescribeSecurityGroups } from '@aws-sdk/client-ec2/dist-es/pagination/DescribeSecurityGroupsPaginator.js'
import { paginateDescribeSubnets } from '@aws-sdk/client-ec2/dist-es/pagination/DescribeSubnetsPaginator.js'
import { errorMessage } from '../errors.js'
import type { SubnetEntry } from '../inputs-ec2.js'
import { awsErrorCode } from './retryable.js'

/** A pod subnet with the zone EC2 says it is in. */
export interface ZoneSubnet {
  /** Zone name, e.g. ap-northeast-2a; also the ENIConfig's name. */
  zone: string
  /** Zone ID, e.g. apne2-az1. */
  zoneId: string
  subnetId: string
  cidr: string
  /** AvailableIpAddressCount: free addresses now. */
  availableIps?: number
}

/**
 * EC2 DescribeSubnets (normally one page; the client retries) and the checks on its answer. Rejects, listing every
 * problem at once: an unknown subnet, a subnet outside the cluster VPC, two subnets in one zone, and
 * a zone=subnet pair whose subnet is in another zone. The result is sorted by zone. `specs` are the
 * parsed `subnets` input, which names each subnet only once.
 */
export async function resolveSubnets(
  ec2: EC2Client,
  specs: readonly SubnetEntry[],
  vpcId: string
): Promise<ZoneSubnet[]> {
  if (specs.length === 0) throw new Error('No subnets given: the subnets input needs one per zone')
  const ids = specs.map((s) => s.subnetId)
  // A filter, unlike SubnetIds, answers for the subnets that exist instead of failing on the
  // first unknown one, so every unknown ID can be named in one message.
  const found = await collect(
    'ec2:DescribeSubnets',
    paginateDescribeSubnets({ client: ec2 }, { Filters: [{ Name: 'subnet-id', Values: ids }] }),
    (page) => page.Subnets
  )
  const byId = new Map<string, Subnet>(found.map((s) => [s.SubnetId ?? '', s]))

  const problems: string[] = []
  const resolved: ZoneSubnet[] = []
  for (const spec of specs) {
    const subnet = byId.get(spec.subnetId)
    if (!subnet) {
      problems.push(
        `subnet ${spec.subnetId} does not exist (or is not visible to these credentials)`
      )
      continue
    }
    const zone = subnet.AvailabilityZone ?? ''
    const zoneId = subnet.AvailabilityZoneId ?? ''
    if (subnet.VpcId !== vpcId) {
      problems.push(
        `subnet ${spec.subnetId} is in VPC ${subnet.VpcId ?? 'unknown'}, not in the cluster's VPC ${vpcId}`
      )
    }
    if (spec.zone !== undefined && spec.zone !== zone && spec.zone !== zoneId) {
      problems.push(
        `subnet ${spec.subnetId} is in zone ${zone} (${zoneId}), not in ${spec.zone} as given`
      )
    }
    resolved.push({
      zone,
      zoneId,
      subnetId: spec.subnetId,
      cidr: subnet.CidrBlock ?? '',
      availableIps: subnet.AvailableIpAddressCount
    })
  }
  for (const zone of unique(resolved.map((s) => s.zone))) {
    const inZone = resolved.filter((s) => s.zone === zone).map((s) => s.subnetId)
    if (inZone.length > 1) {
      // ENIConfigs are named after the zone, so a zone can only have one pod subnet.
      problems.push(`subnets ${inZone.join(' and ')} are both in zone ${zone}; give one per zone`)
    }
  }
  if (problems.length > 0) throw new Error(`Invalid subnets:\n- ${problems.join('\n- ')}`)
  return resolved.sort((a, b) => (a.zone < b.zone ? -1 : a.zone > b.zone ? 1 : 0))
}

/**
 * EC2 DescribeSecurityGroups (the client retries) → rejects unknown groups and groups outside the VPC.
 * Returns the IDs as given: the parsed `security-groups` input, which names each group only once.
 */
export async function resolveSecurityGroups(
  ec2: EC2Client,
  ids: readonly string[],
  vpcId: string
): Promise<string[]> {
  const wanted = [...ids]
  // EC2 rejects a filter without values, and there is nothing to check anyway.
  if (wanted.length === 0) return []
  const found = await collect(
    'ec2:DescribeSecurityGroups',
    paginateDescribeSecurityGroups(
      { client: ec2 },
      { Filters: [{ Name: 'group-id', Values: wanted }] }
    ),
    (page) => page.SecurityGroups
  )
  const byId = new Map<string, SecurityGroup>(found.map((g) => [g.GroupId ?? '', g]))
  const problems: string[] = []
  for (const id of wanted) {
    const group = byId.get(id)
    if (!group) {
      problems.push(`security group ${id} does not exist (or is not visible to these credentials)`)
    } else if (group.VpcId !== vpcId) {
      problems.push(
        `security group ${id} is in VPC ${group.VpcId ?? 'unknown'}, not in the cluster's VPC ${vpcId}`
      )
    }
  }
  if (problems.length > 0) throw new Error(`Invalid security-groups:\n- ${problems.join('\n- ')}`)
  return wanted
}

/**
 * Every item of every page of an SDK paginator, with context on failure. `action` is the IAM
 * permission the call needs, named when EC2 refuses it.
 */
async function collect<P, T>(
  action: string,
  pages: AsyncIterable<P>,
  items: (page: P) => T[] | undefined
): Promise<T[]> {
  const all: T[] = []
  try {
    for await (const page of pages) all.push(...(items(page) ?? []))
  } catch (error) {
    const denied = ['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException']
    const hint = denied.includes(awsErrorCode(error) ?? '')
      ? ` (the credentials need ${action})`
      : ''
    throw new Error(`${action} failed${hint}: ${errorMessage(error)}`, { cause: error })
  }
  return all
}

function unique(values: string[]): string[] {
  return [...new Set(values)]
}
