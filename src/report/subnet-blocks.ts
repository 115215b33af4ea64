/**
 * Free aligned /28 blocks in a pod subnet: what prefix delegation can still get from it. EC2
 * assigns a prefix only as a whole /28 on a 16-address boundary, so a subnet with plenty of free
 * addresses scattered over every /28 has no room for one and assignment fails with
 * InsufficientCidrBlocks (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-prefix-eni.html).
 * Pure: the inputs are what DescribeSubnets, DescribeNetworkInterfaces and
 * GetSubnetCidrReservations return.
 */

/** Addresses in one /28 prefix. */
export const PREFIX_SIZE = 16

/** What takes room in a subnet. */
export interface SubnetOccupancy {
  /** The subnet's IPv4 CIDR, e.g. 100.64.0.0/19. */
  cidr: string
  /** Private IPv4 addresses of the network interfaces in the subnet. */
  usedIps: readonly string[]
  /** IPv4 prefixes (Ipv4Prefixes) delegated to those interfaces. */
  usedPrefixes: readonly string[]
  /** Subnet CIDR reservations. */
  reservations: readonly { cidr: string; type: string }[]
}

/** The result for one subnet. */
export interface BlockCount {
  /** Aligned /28 blocks in the CIDR. */
  totalBlocks: number
  /** Of those, blocks that hold no used address or prefix and no non-prefix reservation. */
  freeBlocks: number
}

/** A parsed IPv4 CIDR: first address as an unsigned 32-bit number and the block size. */
interface Range {
  start: number
  size: number
}

/** Parses dotted IPv4; NaN when it is not one. */
export function ipv4ToNumber(ip: string): number {
  const parts = ip.trim().split('.')
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    return NaN
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0)
}

export function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.')
}

/**
 * An IPv4 CIDR as a range, its start rounded down to the boundary (as EC2 reads it).
 *
 * @throws Error when it is not an IPv4 CIDR
 */
export function parseCidr(cidr: string): Range {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr.trim())
  const ip = m ? ipv4ToNumber(m[1]) : NaN
  const bits = m ? Number(m[2]) : NaN
  if (Number.isNaN(ip) || !(bits >= 0 && bits <= 32)) {
    throw new Error(`'${cidr}' is not an IPv4 CIDR`)
  }
  const size = 2 ** (32 - bits)
  return { start: ip - (ip % size), size }
}

/**
 * Which /28 blocks of the subnet are taken: one flag per block. AWS keeps the first four
 * addresses and the last one of every subnet
 * (https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html), so the first and last
 * blocks are never free. Explicit reservations keep EC2 from assigning their addresses to anything;
 * `prefix` reservations are where EC2 puts prefixes first
 * (https://docs.aws.amazon.com/vpc/latest/userguide/subnet-cidr-reservation.html), so they stay free.
 */
function takenBlocks(o: SubnetOccupancy): { subnet: Range; taken: Uint8Array } {
  const subnet = parseCidr(o.cidr)
  const count = Math.floor(subnet.size / PREFIX_SIZE)
  const taken = new Uint8Array(count)
  if (count === 0) return { subnet, taken }
  const markRange = (start: number, size: number): void => {
    const from = Math.max(start, subnet.start)
    const to = Math.min(start + size, subnet.start + subnet.size) // exclusive
    for (
      let b = Math.floor((from - subnet.start) / PREFIX_SIZE);
      b * PREFIX_SIZE + subnet.start < to;
      b++
    ) {
      taken[b] = 1
    }
  }
  markRange(subnet.start, 4)
  markRange(subnet.start + subnet.size - 1, 1)
  for (const ip of o.usedIps) {
    const n = ipv4ToNumber(ip)
    if (!Number.isNaN(n)) markRange(n, 1)
  }
  for (const prefix of o.usedPrefixes) markRange(parseCidr(prefix).start, parseCidr(prefix).size)
  for (const r of o.reservations) {
    if (r.type === 'prefix') continue
    const range = parseCidr(r.cidr)
    markRange(range.start, range.size)
  }
  return { subnet, taken }
}

/** Free aligned /28 blocks in the subnet. A subnet smaller than /28 has none. */
export function countFreeBlocks(o: SubnetOccupancy): BlockCount {
  const { taken } = takenBlocks(o)
  let free = 0
  for (const t of taken) if (t === 0) free++
  return { totalBlocks: taken.length, freeBlocks: free }
}

/**
 * The CIDR to reserve for prefixes: the smallest aligned block of at least `blocksWanted` free /28s,
 * or, when no such block exists, the largest entirely free aligned block. Undefined when no /28 is
 * free at all (then no reservation can help).
 */
export function suggestPrefixReservation(
  o: SubnetOccupancy,
  blocksWanted: number
): string | undefined {
  const { subnet, taken } = takenBlocks(o)
  // Reservations may not overlap, so the suggestion avoids every existing one.
  const reserved = new Uint8Array(taken.length)
  for (const r of o.reservations) {
    const range = parseCidr(r.cidr)
    for (
      let a = Math.max(range.start, subnet.start);
      a < Math.min(range.start + range.size, subnet.start + subnet.size);
      a += PREFIX_SIZE
    ) {
      reserved[Math.floor((a - subnet.start) / PREFIX_SIZE)] = 1
    }
  }
  const isFree = (b: number): boolean => taken[b] === 0 && reserved[b] === 0
  let k = 1
  while (k < Math.max(1, blocksWanted) && k < taken.length) k *= 2
  for (; k >= 1; k /= 2) {
    for (let b = 0; b + k <= taken.length; b += k) {
      let all = true
      for (let i = b; i < b + k && all; i++) all = isFree(i)
      if (all) {
        const bits = 28 - Math.log2(k)
        return `${numberToIpv4(subnet.start + b * PREFIX_SIZE)}/${bits}`
      }
    }
  }
  return undefined
}
