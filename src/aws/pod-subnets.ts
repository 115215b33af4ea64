/**
 * What takes room in the pod subnets: the addresses and prefixes of their network interfaces
 * (DescribeNetworkInterfaces, filtered by subnet, through the SDK's paginator) and their CIDR
 * reservations (GetSubnetCidrReservations, one call per subnet). All calls go out at once, in the
 * EC2 batch the action already makes.
 */
import type { EC2Client, NetworkInterface } from '@aws-sdk/client-ec2'
import { GetSubnetCidrReservationsCommand } from '@aws-sdk/client-ec2/dist-es/commands/GetSubnetCidrReservationsCommand.js'
import { paginateDescribeNetworkInterfaces } from '@aws-sdk/client-ec2/dist-es/pagination/DescribeNetworkInterfacesPaginator.js'
import { errorMessage } from '../errors.js'
import { awsErrorCode } from './retryable.js'

/** One pod subnet's occupants. */
export interface PodSubnetUsage {
  subnetId: string
  usedIps: string[]
  usedPrefixes: string[]
  reservations: { cidr: string; type: string }[]
}

/** A read that may be refused: the check it feeds is then skipped, not the run. */
export type OptionalRead<T> =
  { ok: true; value: T } | { ok: false; denied: boolean; permission: string; message: string }

const DENIED = new Set([
  'UnauthorizedOperation',
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedAccess'
])

/** True for the error codes AWS gives when the caller lacks the permission. */
export function isAccessDenied(error: unknown): boolean {
  return DENIED.has(awsErrorCode(error) ?? '')
}

/**
 * Runs `read` (the client retries). A failure becomes `{ok: false}` (`denied` when the caller lacks the
 * permission) and never rejects: these reads only feed checks, and a bad subnet ID must leave its
 * error to DescribeSubnets, which names every problem at once.
 */
export async function optionalRead<T>(
  permission: string,
  read: () => Promise<T>
): Promise<OptionalRead<T>> {
  try {
    return { ok: true, value: await read() }
  } catch (error) {
    return { ok: false, denied: isAccessDenied(error), permission, message: errorMessage(error) }
  }
}

/** Private addresses and delegated prefixes of one interface. */
function occupants(eni: NetworkInterface): { ips: string[]; prefixes: string[] } {
  const ips = (eni.PrivateIpAddresses ?? []).flatMap((a) =>
    a.PrivateIpAddress ? [a.PrivateIpAddress] : []
  )
  if (eni.PrivateIpAddress && !ips.includes(eni.PrivateIpAddress)) ips.push(eni.PrivateIpAddress)
  const prefixes = (eni.Ipv4Prefixes ?? []).flatMap((p) => (p.Ipv4Prefix ? [p.Ipv4Prefix] : []))
  return { ips, prefixes }
}

/**
 * Reads the interfaces of all `subnetIds` (one paginated query) and each subnet's reservations, in
 * parallel. No subnets means no call. The SDK's paginator wants a real EC2Client.
 */
export async function readPodSubnetUsage(
  ec2: EC2Client,
  subnetIds: readonly string[]
): Promise<OptionalRead<PodSubnetUsage[]>> {
  if (subnetIds.length === 0) return { ok: true, value: [] }
  const interfaces = optionalRead('ec2:DescribeNetworkInterfaces', async () => {
    const all: NetworkInterface[] = []
    const pages = paginateDescribeNetworkInterfaces(
      { client: ec2, pageSize: 1000 },
      { Filters: [{ Name: 'subnet-id', Values: [...subnetIds] }] }
    )
    for await (const page of pages) all.push(...(page.NetworkInterfaces ?? []))
    return all
  })
  const reservations = Promise.all(
    subnetIds.map((id) =>
      optionalRead('ec2:GetSubnetCidrReservations', async () => {
        const r = await ec2.send(new GetSubnetCidrReservationsCommand({ SubnetId: id }))
        return [...(r.SubnetIpv4CidrReservations ?? [])].map((x) => ({
          cidr: x.Cidr ?? '',
          type: String(x.ReservationType ?? '')
        }))
      })
    )
  )
  const [enis, reserved] = await Promise.all([interfaces, reservations])
  if (!enis.ok) return enis
  const refused = reserved.find((r) => !r.ok)
  if (refused && !refused.ok) return refused
  return {
    ok: true,
    value: subnetIds.map((subnetId, i) => {
      const mine = enis.value.filter((e) => e.SubnetId === subnetId).map(occupants)
      const r = reserved[i]
      return {
        subnetId,
        usedIps: mine.flatMap((m) => m.ips),
        usedPrefixes: mine.flatMap((m) => m.prefixes),
        reservations: r.ok ? r.value.filter((x) => x.cidr !== '') : []
      }
    })
  }
}
