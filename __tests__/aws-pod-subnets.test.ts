import { jest } from '@jest/globals'
import {
  EC2Client,
  DescribeNetworkInterfacesCommand,
  EC2ServiceException,
  GetSubnetCidrReservationsCommand
} from '@aws-sdk/client-ec2'
import {
  IAMClient,
  IAMServiceException,
  ListAttachedRolePoliciesCommand
} from '@aws-sdk/client-iam'
import { readClusterRolePolicies } from '../src/aws/cluster-role.js'
import { readPodSubnetUsage } from '../src/aws/pod-subnets.js'

/** Real clients (the SDK's paginators insist on them) whose send is a fake. */
function fake<C extends { send: unknown }>(client: C, send: unknown): C {
  client.send = send as C['send']
  return client
}
const ec2Of = (send: unknown) => fake(new EC2Client({ region: 'ap-northeast-2' }), send)
const iamOf = (send: unknown) => fake(new IAMClient({ region: 'ap-northeast-2' }), send)

const denied = (Ctor: typeof EC2ServiceException | typeof IAMServiceException, name: string) =>
  new Ctor({ name, $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'not allowed' })

describe('readPodSubnetUsage', () => {
  it("pages through the interfaces of all subnets at once and reads each subnet's reservations", async () => {
    const send = jest.fn(async (command: unknown) => {
      if (command instanceof DescribeNetworkInterfacesCommand) {
        expect(command.input.Filters).toEqual([
          { Name: 'subnet-id', Values: ['subnet-a', 'subnet-b'] }
        ])
        expect(command.input.MaxResults).toBe(1000)
        if (!command.input.NextToken) {
          return {
            NetworkInterfaces: [
              {
                SubnetId: 'subnet-a',
                PrivateIpAddress: '100.64.0.10',
                PrivateIpAddresses: [
                  { PrivateIpAddress: '100.64.0.10' },
                  { PrivateIpAddress: '100.64.0.11' }
                ],
                Ipv4Prefixes: [{ Ipv4Prefix: '100.64.1.0/28' }]
              }
            ],
            NextToken: 'page2'
          }
        }
        return { NetworkInterfaces: [{ SubnetId: 'subnet-b', PrivateIpAddress: '100.64.32.9' }] }
      }
      if (command instanceof GetSubnetCidrReservationsCommand) {
        return command.input.SubnetId === 'subnet-a'
          ? {
              SubnetIpv4CidrReservations: [
                { Cidr: '100.64.8.0/24', ReservationType: 'prefix' },
                { Cidr: '100.64.9.0/28', ReservationType: 'explicit' }
              ]
            }
          : {}
      }
      throw new Error('unexpected command')
    })
    const r = await readPodSubnetUsage(ec2Of(send), ['subnet-a', 'subnet-b'])
    expect(r).toEqual({
      ok: true,
      value: [
        {
          subnetId: 'subnet-a',
          usedIps: ['100.64.0.10', '100.64.0.11'],
          usedPrefixes: ['100.64.1.0/28'],
          reservations: [
            { cidr: '100.64.8.0/24', type: 'prefix' },
            { cidr: '100.64.9.0/28', type: 'explicit' }
          ]
        },
        { subnetId: 'subnet-b', usedIps: ['100.64.32.9'], usedPrefixes: [], reservations: [] }
      ]
    })
    // Two pages plus one reservation call per subnet.
    expect(send).toHaveBeenCalledTimes(4)
  })

  it('reports a refused permission instead of failing', async () => {
    const send = jest.fn(async (command: unknown) => {
      if (command instanceof GetSubnetCidrReservationsCommand) {
        throw denied(EC2ServiceException, 'UnauthorizedOperation')
      }
      return { NetworkInterfaces: [] }
    })
    const r = await readPodSubnetUsage(ec2Of(send), ['subnet-a'])
    expect(r).toMatchObject({
      ok: false,
      denied: true,
      permission: 'ec2:GetSubnetCidrReservations'
    })
  })

  it('makes no call without subnets', async () => {
    const send = jest.fn(async () => ({ NetworkInterfaces: [] }))
    expect(await readPodSubnetUsage(ec2Of(send), [])).toEqual({ ok: true, value: [] })
    expect(send).not.toHaveBeenCalled()
  })
})

describe('readClusterRolePolicies', () => {
  const arn = 'arn:aws:iam::123456789012:role/eks-cluster-role'

  it('lists the attached policies of the role named in the ARN, across pages', async () => {
    const send = jest.fn(async (command: unknown) => {
      expect(command).toBeInstanceOf(ListAttachedRolePoliciesCommand)
      const input = (command as ListAttachedRolePoliciesCommand).input
      expect(input.RoleName).toBe('eks-cluster-role')
      return input.Marker
        ? { AttachedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/B' }], IsTruncated: false }
        : {
            AttachedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/A' }],
            IsTruncated: true,
            Marker: 'm'
          }
    })
    expect(await readClusterRolePolicies(iamOf(send), arn)).toEqual({
      ok: true,
      value: {
        roleArn: arn,
        roleName: 'eks-cluster-role',
        partition: 'aws',
        policyArns: ['arn:aws:iam::aws:policy/A', 'arn:aws:iam::aws:policy/B']
      }
    })
  })

  it('turns AccessDenied into a denied result and skips a missing ARN', async () => {
    const send = jest.fn(async () => {
      throw denied(IAMServiceException, 'AccessDenied')
    })
    expect(await readClusterRolePolicies(iamOf(send), arn)).toMatchObject({
      ok: false,
      denied: true,
      permission: 'iam:ListAttachedRolePolicies'
    })
    expect(send).toHaveBeenCalledTimes(1)
    expect(await readClusterRolePolicies(iamOf(send), undefined)).toBeUndefined()
  })
})
