import { jest } from '@jest/globals'
import {
  AccessDeniedException,
  DescribeClusterCommand,
  ResourceNotFoundException,
  type Cluster,
  type ClusterStatus
} from '@aws-sdk/client-eks'
import * as core from '../__fixtures__/core.js'

jest.unstable_mockModule('@actions/core', () => core)
const { describeCluster } = await import('../src/aws/cluster.js')

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

const CLUSTER: Cluster = {
  name: 'demo',
  arn: 'arn:aws:eks:ap-northeast-2:123456789012:cluster/demo',
  endpoint: 'https://ABCDEF.gr7.ap-northeast-2.eks.amazonaws.com',
  certificateAuthority: { data: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==' },
  version: '1.31',
  status: 'ACTIVE',
  platformVersion: 'eks.12',
  resourcesVpcConfig: { vpcId: 'vpc-0abc', clusterSecurityGroupId: 'sg-0cluster' }
}

type Send = (command: DescribeClusterCommand) => Promise<{ cluster?: Cluster; $metadata: object }>
const fakeEks = () => {
  const send = jest.fn<Send>()
  return { eks: { send } as unknown as Parameters<typeof describeCluster>[0], send }
}

beforeEach(() => jest.clearAllMocks())

describe('describeCluster', () => {
  it('returns the fields later steps need', async () => {
    const { eks, send } = fakeEks()
    send.mockResolvedValueOnce({ cluster: CLUSTER, $metadata: {} })
    await expect(describeCluster(eks, 'demo', 'ap-northeast-2')).resolves.toEqual({
      name: 'demo',
      arn: 'arn:aws:eks:ap-northeast-2:123456789012:cluster/demo',
      endpoint: 'https://ABCDEF.gr7.ap-northeast-2.eks.amazonaws.com',
      caData: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==',
      version: '1.31',
      status: 'ACTIVE',
      vpcId: 'vpc-0abc',
      clusterSecurityGroupId: 'sg-0cluster',
      platformVersion: 'eks.12',
      // EKS's defaults when DescribeCluster leaves the access fields out.
      endpointAccess: { publicAccess: true, privateAccess: false, publicAccessCidrs: ['0.0.0.0/0'] }
    })
    expect(send.mock.calls[0][0]).toBeInstanceOf(DescribeClusterCommand)
    expect(send.mock.calls[0][0].input).toEqual({ name: 'demo' })
  })

  it('reads who can reach the endpoint', async () => {
    const { eks, send } = fakeEks()
    const resourcesVpcConfig = {
      ...CLUSTER.resourcesVpcConfig,
      endpointPublicAccess: false,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['203.0.113.0/24']
    }
    send.mockResolvedValueOnce({ cluster: { ...CLUSTER, resourcesVpcConfig }, $metadata: {} })
    const cluster = await describeCluster(eks, 'demo', 'ap-northeast-2')
    expect(cluster.endpointAccess).toEqual({
      publicAccess: false,
      privateAccess: true,
      publicAccessCidrs: ['203.0.113.0/24']
    })
  })

  it('names the cluster and region when the cluster does not exist', async () => {
    const { eks, send } = fakeEks()
    const notFound = new ResourceNotFoundException({
      message: 'No cluster found for name: nope.',
      $metadata: { httpStatusCode: 404 }
    })
    send.mockRejectedValue(notFound)
    const error = await rejection(describeCluster(eks, 'nope', 'ap-northeast-2'))
    expect(error.message).toBe("EKS cluster 'nope' not found in region ap-northeast-2")
    expect(error.cause).toBe(notFound)
    expect(send).toHaveBeenCalledTimes(1)
  })

  it('names the missing permission on AccessDenied', async () => {
    const { eks, send } = fakeEks()
    send.mockRejectedValue(
      new AccessDeniedException({ message: 'User is not authorized', $metadata: {} })
    )
    await expect(describeCluster(eks, 'demo', 'eu-west-1')).rejects.toThrow(
      /eks:DescribeCluster.*not authorized/
    )
  })

  it.each<ClusterStatus>(['CREATING', 'DELETING', 'FAILED', 'PENDING'])(
    'refuses a cluster that is %s',
    async (status) => {
      const { eks, send } = fakeEks()
      send.mockResolvedValueOnce({ cluster: { ...CLUSTER, status }, $metadata: {} })
      await expect(describeCluster(eks, 'demo', 'ap-northeast-2')).rejects.toThrow(
        `EKS cluster 'demo' in region ap-northeast-2 is ${status}; it must be ACTIVE or UPDATING`
      )
    }
  )

  it('accepts an UPDATING cluster', async () => {
    const { eks, send } = fakeEks()
    send.mockResolvedValueOnce({ cluster: { ...CLUSTER, status: 'UPDATING' }, $metadata: {} })
    await expect(describeCluster(eks, 'demo', 'ap-northeast-2')).resolves.toMatchObject({
      status: 'UPDATING'
    })
  })

  it('lists what is missing when the endpoint, CA or VPC is absent', async () => {
    const { eks, send } = fakeEks()
    send.mockResolvedValueOnce({
      cluster: { ...CLUSTER, certificateAuthority: {}, resourcesVpcConfig: {} },
      $metadata: {}
    })
    await expect(describeCluster(eks, 'demo', 'ap-northeast-2')).rejects.toThrow(
      "EKS cluster 'demo' in region ap-northeast-2 has no certificateAuthority.data, resourcesVpcConfig.vpcId"
    )
  })

  it('reports an empty cluster security group for clusters without one', async () => {
    const { eks, send } = fakeEks()
    send.mockResolvedValueOnce({
      cluster: { ...CLUSTER, resourcesVpcConfig: { vpcId: 'vpc-0abc' } },
      $metadata: {}
    })
    await expect(describeCluster(eks, 'demo', 'ap-northeast-2')).resolves.toMatchObject({
      clusterSecurityGroupId: ''
    })
  })

  it('wraps other failures with the cluster and region', async () => {
    const { eks, send } = fakeEks()
    send.mockRejectedValue(new Error('getaddrinfo ENOTFOUND eks.nowhere'))
    await expect(describeCluster(eks, 'demo', 'xx-1')).rejects.toThrow(
      "Failed to describe EKS cluster 'demo' in region xx-1: getaddrinfo ENOTFOUND eks.nowhere"
    )
    expect(send).toHaveBeenCalledTimes(1)
  })
})
