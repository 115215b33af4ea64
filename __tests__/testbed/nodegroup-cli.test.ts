import { describe, expect, it } from '@jest/globals'
import { parseNodegroupFlags } from '../../testbed/nodegroup-cli.js'

describe('parseNodegroupFlags', () => {
  it('reads the policies and the fills', () => {
    expect(parseNodegroupFlags({})).toEqual({})
    expect(
      parseNodegroupFlags({
        'cluster-role-policies': 'AmazonEKSClusterPolicy',
        'fill-pod-subnet': ['a:0.2:3', 'c:1:0']
      })
    ).toEqual({
      clusterRolePolicies: ['AmazonEKSClusterPolicy'],
      podSubnetFill: [
        { zone: 'a', usedFraction: 0.2, freeBlocks: 3 },
        { zone: 'c', usedFraction: 1, freeBlocks: 0 }
      ]
    })
    expect(parseNodegroupFlags({ 'cluster-role-policies': 'none' })).toEqual({
      clusterRolePolicies: []
    })
  })

  it('rejects malformed values', () => {
    expect(() => parseNodegroupFlags({ 'fill-pod-subnet': ['a:2:3'] })).toThrow(/a:0\.2:3/)
    expect(() => parseNodegroupFlags({ 'cluster-role-policies': 'a b' })).toThrow(/policy names/)
  })
})
