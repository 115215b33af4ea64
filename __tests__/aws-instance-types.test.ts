import { describe, expect, it, jest } from '@jest/globals'
import { EC2Client, EC2ServiceException } from '@aws-sdk/client-ec2'
import * as core from '../__fixtures__/core.js'

jest.unstable_mockModule('@actions/core', () => core)
const { describeInstanceTypes } = await import('../src/aws/instance-types.js')

const info = (type: string, enis: number, ips: number, vcpus: number, hypervisor = 'nitro') => ({
  InstanceType: type,
  Hypervisor: hypervisor,
  VCpuInfo: { DefaultVCpus: vcpus },
  NetworkInfo: {
    MaximumNetworkInterfaces: enis,
    Ipv4AddressesPerInterface: ips,
    DefaultNetworkCardIndex: 0,
    NetworkCards: [{ NetworkCardIndex: 0, MaximumNetworkInterfaces: enis }]
  }
})

function ec2(...answers: unknown[]) {
  const send = jest.fn<(command: unknown) => Promise<unknown>>()
  for (const a of answers) {
    if (a instanceof Error) send.mockRejectedValueOnce(a)
    else send.mockResolvedValueOnce(a)
  }
  // A real client (the SDK's paginator insists on one) whose send is the fake.
  const client = new EC2Client({ region: 'ap-northeast-2' })
  client.send = send as unknown as EC2Client['send']
  return client as EC2Client & { send: typeof send }
}

describe('describeInstanceTypes', () => {
  it('makes no call without instance types', async () => {
    const client = ec2()
    await expect(describeInstanceTypes(client, [])).resolves.toEqual([])
    expect(client.send).not.toHaveBeenCalled()
  })

  it('describes every type in one call and returns them in the order given', async () => {
    const client = ec2({ InstanceTypes: [info('t3.medium', 3, 6, 2), info('m5.large', 3, 10, 2)] })
    const types = await describeInstanceTypes(client, ['m5.large', 't3.medium'])
    expect(types.map((t) => t.instanceType)).toEqual(['m5.large', 't3.medium'])
    expect(types[0]).toEqual({
      instanceType: 'm5.large',
      hypervisor: 'nitro',
      vcpus: 2,
      maxEnis: 3,
      ipv4PerEni: 10
    })
    expect(client.send).toHaveBeenCalledTimes(1)
  })

  it('names the input when EC2 does not know a type', async () => {
    const invalid = new EC2ServiceException({
      name: 'InvalidInstanceType',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'The following supplied instance types do not exist: [m9.huge]'
    })
    await expect(describeInstanceTypes(ec2(invalid), ['m9.huge'])).rejects.toThrow(
      /DescribeInstanceTypes failed \(check the instance-types input\): .*m9\.huge/
    )
    await expect(describeInstanceTypes(ec2({ InstanceTypes: [] }), ['m9.huge'])).rejects.toThrow(
      "Input 'instance-types': EC2 does not know instance type(s) m9.huge"
    )
  })
})
