import { jest } from '@jest/globals'
import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  EC2ServiceException,
  type SecurityGroup,
  type Subnet
} from '@aws-sdk/client-ec2'
import * as core from '../__fixtures__/core.js'

jest.unstable_mockModule('@actions/core', () => core)
const { resolveSubnets, resolveSecurityGroups } = await import('../src/aws/network.js')

/** The error a promise rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    if (error instanceof Error) return error
    throw error
  }
  throw new Error('expected a rejection')
}

const VPC = 'vpc-0cluster'
const subnet = (id: string, zone: string, zoneId: string, cidr: string, vpc = VPC): Subnet => ({
  SubnetId: id,
  AvailabilityZone: zone,
  AvailabilityZoneId: zoneId,
  CidrBlock: cidr,
  VpcId: vpc
})
const SUBNETS = [
  subnet('subnet-0a', 'ap-northeast-2a', 'apne2-az1', '100.64.0.0/19'),
  subnet('subnet-0b', 'ap-northeast-2b', 'apne2-az2', '100.64.32.0/19'),
  subnet('subnet-0c', 'ap-northeast-2c', 'apne2-az3', '100.64.64.0/19'),
  subnet('subnet-0a2', 'ap-northeast-2a', 'apne2-az1', '100.64.96.0/19'),
  subnet('subnet-0other', 'ap-northeast-2b', 'apne2-az2', '10.9.0.0/24', 'vpc-0elsewhere')
]
const GROUPS: SecurityGroup[] = [
  { GroupId: 'sg-0cluster', VpcId: VPC },
  { GroupId: 'sg-0pods', VpcId: VPC },
  { GroupId: 'sg-0other', VpcId: 'vpc-0elsewhere' }
]

type Command = DescribeSubnetsCommand | DescribeSecurityGroupsCommand
type Send = (command: Command) => Promise<object>

/** An EC2 fake that honours the subnet-id / group-id filters, like the real API and moto. */
function fakeEc2() {
  const send = jest.fn<Send>(async (command) => {
    const values = command.input.Filters?.[0]?.Values ?? []
    if (command instanceof DescribeSubnetsCommand) {
      return { Subnets: SUBNETS.filter((s) => values.includes(s.SubnetId ?? '')), $metadata: {} }
    }
    return { SecurityGroups: GROUPS.filter((g) => values.includes(g.GroupId ?? '')), $metadata: {} }
  })
  // A real client (the SDK's paginators insist on one) whose send is the fake.
  const ec2 = new EC2Client({ region: 'ap-northeast-2' })
  ec2.send = send as unknown as EC2Client['send']
  return { ec2, send }
}

beforeEach(() => jest.clearAllMocks())

describe('resolveSubnets', () => {
  it('puts shuffled subnets in their zones, sorted by zone, with one EC2 call', async () => {
    const { ec2, send } = fakeEc2()
    const result = await resolveSubnets(
      ec2,
      [{ subnetId: 'subnet-0c' }, { subnetId: 'subnet-0a' }, { subnetId: 'subnet-0b' }],
      VPC
    )
    expect(result).toEqual([
      {
        zone: 'ap-northeast-2a',
        zoneId: 'apne2-az1',
        subnetId: 'subnet-0a',
        cidr: '100.64.0.0/19'
      },
      {
        zone: 'ap-northeast-2b',
        zoneId: 'apne2-az2',
        subnetId: 'subnet-0b',
        cidr: '100.64.32.0/19'
      },
      {
        zone: 'ap-northeast-2c',
        zoneId: 'apne2-az3',
        subnetId: 'subnet-0c',
        cidr: '100.64.64.0/19'
      }
    ])
    expect(send).toHaveBeenCalledTimes(1)
    expect(send.mock.calls[0][0].input.Filters).toEqual([
      { Name: 'subnet-id', Values: ['subnet-0c', 'subnet-0a', 'subnet-0b'] }
    ])
  })

  it('accepts zone=subnet pairs by zone name or zone ID, in any order', async () => {
    const { ec2 } = fakeEc2()
    const result = await resolveSubnets(
      ec2,
      [
        { zone: 'ap-northeast-2b', subnetId: 'subnet-0b' },
        { zone: 'apne2-az1', subnetId: 'subnet-0a' }
      ],
      VPC
    )
    expect(result.map((s) => `${s.zone}=${s.subnetId}`)).toEqual([
      'ap-northeast-2a=subnet-0a',
      'ap-northeast-2b=subnet-0b'
    ])
  })

  it('names every unknown subnet', async () => {
    const { ec2 } = fakeEc2()
    const error = await rejection(
      resolveSubnets(
        ec2,
        [{ subnetId: 'subnet-0a' }, { subnetId: 'subnet-0missing' }, { subnetId: 'subnet-0gone' }],
        VPC
      )
    )
    expect(error.message).toContain('subnet subnet-0missing does not exist')
    expect(error.message).toContain('subnet subnet-0gone does not exist')
  })

  it('names both VPCs for a subnet outside the cluster VPC', async () => {
    const { ec2 } = fakeEc2()
    await expect(resolveSubnets(ec2, [{ subnetId: 'subnet-0other' }], VPC)).rejects.toThrow(
      "subnet subnet-0other is in VPC vpc-0elsewhere, not in the cluster's VPC vpc-0cluster"
    )
  })

  it('refuses two subnets in one zone', async () => {
    const { ec2 } = fakeEc2()
    await expect(
      resolveSubnets(
        ec2,
        [{ subnetId: 'subnet-0a' }, { subnetId: 'subnet-0b' }, { subnetId: 'subnet-0a2' }],
        VPC
      )
    ).rejects.toThrow('subnets subnet-0a and subnet-0a2 are both in zone ap-northeast-2a')
  })

  it('refuses a zone=subnet pair whose subnet is in another zone', async () => {
    const { ec2 } = fakeEc2()
    await expect(
      resolveSubnets(ec2, [{ zone: 'ap-northeast-2c', subnetId: 'subnet-0a' }], VPC)
    ).rejects.toThrow(
      'subnet subnet-0a is in zone ap-northeast-2a (apne2-az1), not in ap-northeast-2c as given'
    )
  })

  it('reports all problems at once', async () => {
    const { ec2 } = fakeEc2()
    const error = await rejection(
      resolveSubnets(
        ec2,
        [
          { subnetId: 'subnet-0nope' },
          { subnetId: 'subnet-0other' },
          { zone: 'ap-northeast-2b', subnetId: 'subnet-0c' }
        ],
        VPC
      )
    )
    expect(error.message.split('\n')).toHaveLength(4)
  })

  it('refuses an empty list without calling EC2', async () => {
    const { ec2, send } = fakeEc2()
    await expect(resolveSubnets(ec2, [], VPC)).rejects.toThrow('No subnets given')
    expect(send).not.toHaveBeenCalled()
  })

  it('names the IAM permission when EC2 says UnauthorizedOperation', async () => {
    const { ec2, send } = fakeEc2()
    send.mockRejectedValueOnce(
      new EC2ServiceException({
        name: 'UnauthorizedOperation',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'You are not authorized to perform this operation.'
      })
    )
    await expect(resolveSubnets(ec2, [{ subnetId: 'subnet-0a' }], VPC)).rejects.toThrow(
      'ec2:DescribeSubnets failed (the credentials need ec2:DescribeSubnets): You are not authorized'
    )
    expect(send).toHaveBeenCalledTimes(1)
  })

  it('follows NextToken when EC2 pages the answer', async () => {
    const { ec2, send } = fakeEc2()
    send
      .mockResolvedValueOnce({ Subnets: [SUBNETS[1]], NextToken: 'page-2', $metadata: {} })
      .mockResolvedValueOnce({ Subnets: [SUBNETS[0]], $metadata: {} })
    const result = await resolveSubnets(
      ec2,
      [{ subnetId: 'subnet-0b' }, { subnetId: 'subnet-0a' }],
      VPC
    )
    expect(result.map((s) => s.subnetId)).toEqual(['subnet-0a', 'subnet-0b'])
    expect((send.mock.calls[1][0] as DescribeSubnetsCommand).input.NextToken).toBe('page-2')
  })
})

describe('resolveSecurityGroups', () => {
  it('returns the groups in the order given', async () => {
    const { ec2, send } = fakeEc2()
    await expect(resolveSecurityGroups(ec2, ['sg-0pods', 'sg-0cluster'], VPC)).resolves.toEqual([
      'sg-0pods',
      'sg-0cluster'
    ])
    expect(send.mock.calls[0][0]).toBeInstanceOf(DescribeSecurityGroupsCommand)
  })

  it('returns nothing for no groups, without calling EC2', async () => {
    const { ec2, send } = fakeEc2()
    await expect(resolveSecurityGroups(ec2, [], VPC)).resolves.toEqual([])
    expect(send).not.toHaveBeenCalled()
  })

  it('names an unknown group', async () => {
    const { ec2 } = fakeEc2()
    await expect(resolveSecurityGroups(ec2, ['sg-0cluster', 'sg-0missing'], VPC)).rejects.toThrow(
      'security group sg-0missing does not exist'
    )
  })

  it('names both VPCs for a group outside the cluster VPC', async () => {
    const { ec2 } = fakeEc2()
    await expect(resolveSecurityGroups(ec2, ['sg-0other'], VPC)).rejects.toThrow(
      "security group sg-0other is in VPC vpc-0elsewhere, not in the cluster's VPC vpc-0cluster"
    )
  })
})
