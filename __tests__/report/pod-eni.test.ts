import { describe, expect, it } from '@jest/globals'
import { parseRoleArn } from '../../src/aws/cluster-role.js'
import { podEniCheck } from '../../src/report/pod-eni.js'

const role = (policyArns: string[], partition = 'aws') => ({
  ok: true as const,
  value: {
    roleArn: `arn:${partition}:iam::123456789012:role/eks-cluster-role`,
    roleName: 'eks-cluster-role',
    partition,
    policyArns
  }
})

describe('podEniCheck', () => {
  it('warns with the attach command when the cluster role lacks the policy', () => {
    const r = podEniCheck({
      podEni: true,
      role: role(['arn:aws-cn:iam::aws:policy/AmazonEKSClusterPolicy'], 'aws-cn'),
      instanceTypes: []
    })
    expect(r.notice).toBeUndefined()
    expect(r.findings).toHaveLength(1)
    expect(r.findings[0].message).toContain(
      'aws iam attach-role-policy --role-name eks-cluster-role --policy-arn ' +
        'arn:aws-cn:iam::aws:policy/AmazonEKSVPCResourceController'
    )
  })

  it('is silent when the policy is there, or when pod ENIs are off', () => {
    const ok = role(['arn:aws:iam::aws:policy/AmazonEKSVPCResourceController'])
    expect(podEniCheck({ podEni: true, role: ok, instanceTypes: [] })).toEqual({ findings: [] })
    expect(podEniCheck({ podEni: false, role: role([]), instanceTypes: [] })).toEqual({
      findings: []
    })
  })

  it('gives one notice, not a finding, when IAM may not be read', () => {
    const r = podEniCheck({
      podEni: true,
      role: { ok: false, denied: true, permission: 'iam:ListAttachedRolePolicies', message: 'no' },
      clusterRoleArn: 'arn:aws:iam::123456789012:role/r',
      instanceTypes: []
    })
    expect(r.findings).toEqual([])
    expect(r.notice).toMatch(/may not call iam:ListAttachedRolePolicies/)
  })

  it('flags non-Nitro types, not bare metal', () => {
    const r = podEniCheck({
      podEni: true,
      role: undefined,
      instanceTypes: [
        { instanceType: 't2.medium', hypervisor: 'xen' },
        { instanceType: 'm5.metal', hypervisor: '' },
        { instanceType: 'm5.large', hypervisor: 'nitro' }
      ]
    })
    expect(r.findings.map((f) => f.rule)).toEqual(['pod-eni-non-nitro'])
    expect(r.findings[0].message).toContain('t2.medium (xen)')
    expect(r.findings[0].message).not.toContain('m5.metal')
  })
})

describe('parseRoleArn', () => {
  it('reads partition and name, also under a path', () => {
    expect(parseRoleArn('arn:aws:iam::123456789012:role/eks-cluster-role')).toEqual({
      partition: 'aws',
      name: 'eks-cluster-role'
    })
    expect(parseRoleArn('arn:aws-us-gov:iam::123456789012:role/svc/eks/r1')).toEqual({
      partition: 'aws-us-gov',
      name: 'r1'
    })
    expect(parseRoleArn('arn:aws:iam::123456789012:user/u')).toBeUndefined()
  })
})
