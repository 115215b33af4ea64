/**
 * The test bed's node-group options, judged by the real aws CLI: a filled pod subnet's interfaces
 * and CIDR reservations, and the cluster role's attached policies (given or withheld).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { pathWithAwsCli } from '../../testbed/baseline.js'
import { run, startTestbed, type Testbed } from '../../testbed/index.js'
import { countFreeBlocks } from '../../src/report/subnet-blocks.js'

let bed: Testbed
let bare: Testbed

beforeAll(async () => {
  // Both start at once; a failure of one must still let afterAll stop the other.
  const [a, b] = await Promise.allSettled([
    startTestbed({ podSubnetFill: [{ zone: 'a', usedFraction: 0.2, freeBlocks: 3 }] }),
    startTestbed({ clusterRolePolicies: [] })
  ])
  if (a.status === 'fulfilled') bed = a.value
  if (b.status === 'fulfilled') bare = b.value
  for (const r of [a, b]) if (r.status === 'rejected') throw r.reason
}, 180_000)
afterAll(async () => Promise.all([bed?.stop(), bare?.stop()]))

/** Runs the aws CLI against a test bed with dummy keys (moto does not check them). */
async function aws(tb: Testbed, args: string[]): Promise<unknown> {
  const r = await run('aws', [...args, '--output', 'json'], {
    env: {
      ...tb.env,
      PATH: pathWithAwsCli(),
      AWS_ACCESS_KEY_ID: 'AKIDTESTBED',
      AWS_SECRET_ACCESS_KEY: 'secret'
    }
  })
  if (r.code !== 0) throw new Error(`aws ${args.join(' ')} failed: ${r.stderr}`)
  return JSON.parse(r.stdout)
}

type Eni = { SubnetId: string; PrivateIpAddresses: { PrivateIpAddress: string }[] }

describe('podSubnetFill', () => {
  it('fills the subnet to the level asked, leaving only the free /28 blocks asked', async () => {
    const subnet = bed.podSubnets.find((s) => s.zone.endsWith('a'))!
    const { NetworkInterfaces } = (await aws(bed, [
      'ec2',
      'describe-network-interfaces',
      '--filters',
      `Name=subnet-id,Values=${subnet.id}`
    ])) as { NetworkInterfaces: Eni[] }
    const ips = NetworkInterfaces.flatMap((e) =>
      e.PrivateIpAddresses.map((a) => a.PrivateIpAddress)
    )
    expect(NetworkInterfaces.every((e) => e.SubnetId === subnet.id)).toBe(true)
    // 20 % of the 8187 usable addresses of a /19.
    expect(ips).toHaveLength(Math.floor(8187 * 0.2))
    expect(new Set(ips).size).toBe(ips.length)
    expect(
      countFreeBlocks({ cidr: subnet.cidr, usedIps: ips, usedPrefixes: [], reservations: [] })
    ).toEqual({
      totalBlocks: 512,
      freeBlocks: 3
    })
    const { Subnets } = (await aws(bed, [
      'ec2',
      'describe-subnets',
      '--subnet-ids',
      subnet.id
    ])) as {
      Subnets: { AvailableIpAddressCount: number }[]
    }
    expect(Subnets[0].AvailableIpAddressCount).toBe(8187 - ips.length)
    // The other zones stay empty.
    const other = bed.podSubnets.find((s) => s.zone.endsWith('b'))!
    const rest = (await aws(bed, [
      'ec2',
      'describe-network-interfaces',
      '--filters',
      `Name=subnet-id,Values=${other.id}`
    ])) as { NetworkInterfaces: Eni[] }
    expect(rest.NetworkInterfaces).toEqual([])
  })

  it('answers the CIDR-reservation calls for the pod subnets', async () => {
    const subnet = bed.podSubnets.find((s) => s.zone.endsWith('b'))!
    const none = (await aws(bed, [
      'ec2',
      'get-subnet-cidr-reservations',
      '--subnet-id',
      subnet.id
    ])) as {
      SubnetIpv4CidrReservations: unknown[]
    }
    expect(none.SubnetIpv4CidrReservations).toEqual([])
    await aws(bed, [
      'ec2',
      'create-subnet-cidr-reservation',
      '--subnet-id',
      subnet.id,
      '--cidr',
      '100.64.40.0/24',
      '--reservation-type',
      'prefix'
    ])
    const some = (await aws(bed, [
      'ec2',
      'get-subnet-cidr-reservations',
      '--subnet-id',
      subnet.id
    ])) as {
      SubnetIpv4CidrReservations: { Cidr: string; ReservationType: string }[]
    }
    expect(some.SubnetIpv4CidrReservations).toMatchObject([
      { Cidr: '100.64.40.0/24', ReservationType: 'prefix' }
    ])
  })
})

describe('clusterRolePolicies', () => {
  const attached = async (tb: Testbed): Promise<string[]> => {
    const name = tb.clusterRoleArn.split('/').pop()!
    const r = (await aws(tb, ['iam', 'list-attached-role-policies', '--role-name', name])) as {
      AttachedPolicies: { PolicyArn: string }[]
    }
    return r.AttachedPolicies.map((p) => p.PolicyArn).sort()
  }

  it('gives the cluster role DescribeCluster names its policies by default', async () => {
    const { cluster } = (await aws(bed, [
      'eks',
      'describe-cluster',
      '--name',
      bed.clusterName
    ])) as {
      cluster: { roleArn: string }
    }
    expect(cluster.roleArn).toBe(bed.clusterRoleArn)
    expect(await attached(bed)).toEqual([
      'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
      'arn:aws:iam::aws:policy/AmazonEKSVPCResourceController'
    ])
  })

  it('gives it none when asked', async () => {
    expect(await attached(bare)).toEqual([])
  })
})
