import { FaultInjector } from '../../testbed/faults.js'
import { globToRegExp, parseFaultSpec } from '../../testbed/fault-spec.js'

describe('parseFaultSpec', () => {
  it('reads the issue example into a kube rule for every matching PATCH', () => {
    const rule = parseFaultSpec('PATCH /apis/.../eniconfigs/*=500x*')
    expect(rule).toMatchObject({ service: 'kube', method: 'PATCH', status: 500, times: Infinity })
    const faults = new FaultInjector()
    faults.add(rule)
    const path = '/apis/crd.k8s.amazonaws.com/v1alpha1/eniconfigs/ap-northeast-2a'
    for (let i = 0; i < 5; i++)
      expect(faults.take('kube', 'PATCH', path)).toMatchObject({ name: rule.name, status: 500 })
    expect(faults.take('kube', 'GET', path)).toBeUndefined()
    expect(
      faults.take('kube', 'PATCH', '/apis/crd.k8s.amazonaws.com/v1alpha1/eniconfigs')
    ).toBeUndefined()
    expect(faults.take('kube', 'PATCH', `${path}/status/x`)).toBeUndefined()
    expect(faults.take('aws', 'PATCH', path)).toBeUndefined()
  })

  it.each([
    [
      'aws:sts:AssumeRoleWithWebIdentity=503x2',
      { service: 'aws', operation: 'sts:AssumeRoleWithWebIdentity', status: 503, times: 2 }
    ],
    ['DescribeCluster=500', { service: 'aws', operation: 'DescribeCluster', status: 500 }],
    ['GET /_apis/token=500x1', { service: 'oidc', method: 'GET', status: 500, times: 1 }],
    ['mirror:GET /dl/.../kubectl=reset', { service: 'mirror', method: 'GET', reset: true }],
    ['/raw/**=404x*', { service: 'mirror', status: 404, times: Infinity }],
    [
      'get /api/v1/nodes=429x3,retry-after=1,reason=TooManyRequests',
      {
        service: 'kube',
        method: 'GET',
        status: 429,
        times: 3,
        retryAfter: 1,
        reason: 'TooManyRequests'
      }
    ],
    ['kube:~daemonsets/aws-node$=delay,delay-ms=1500', { service: 'kube', delayMs: 1500 }],
    [
      'mirror:/dl/**/kubectl=200,body=not a binary,name=corrupt',
      { service: 'mirror', status: 200, body: 'not a binary', name: 'corrupt' }
    ],
    ['oidc:/_apis/token=503,message=a=b', { service: 'oidc', status: 503, message: 'a=b' }]
  ])('%s', (spec, expected) => {
    const rule = parseFaultSpec(spec)
    expect(rule).toMatchObject(expected)
    if (!('times' in expected)) expect(rule.times).toBeUndefined()
  })

  it('matches globs per segment, and ... or ** across segments', () => {
    expect(globToRegExp('/a/*/c').test('/a/b/c')).toBe(true)
    expect(globToRegExp('/a/*/c').test('/a/b/x/c')).toBe(false)
    expect(globToRegExp('/a/.../c').test('/a/b/x/c')).toBe(true)
    expect(globToRegExp('/a/**').test('/a/b/x/c')).toBe(true)
    expect(globToRegExp('/v1.2/x').test('/v1x2/x')).toBe(false)
  })

  it.each([
    ['GET /x=5', 'no =EFFECT'],
    ['=500', 'no TARGET'],
    ['GET x y=500', 'neither a path'],
    ['kube:DescribeCluster=500', 'needs service aws'],
    ['/x=500x0', 'x0 would never match'],
    ['/x=500,retry-after=soon', 'retry-after must be a non-negative integer'],
    ['/x=500,colour=red', "unknown option 'colour'"],
    ['/x=delay', 'delay needs delay-ms'],
    ['~(=500', 'bad regular expression']
  ])('rejects %s: %s', (spec, why) => {
    expect(() => parseFaultSpec(spec)).toThrow(why)
    expect(() => parseFaultSpec(spec)).toThrow(`--fault '${spec}'`)
  })
})
