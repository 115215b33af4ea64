import { mergePatch } from '../../testbed/k8s/patch/index.js'

describe('mergePatch (RFC 7386)', () => {
  // RFC 7386 Appendix A, row by row.
  const table: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd']
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }]
  ]
  it.each(table)('%j + %j = %j', (target, patch, result) => {
    expect(mergePatch(target, patch)).toEqual(result)
  })

  it('patches an ENIConfig spec the way kubectl apply sends it for CRs', () => {
    const live = {
      apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
      kind: 'ENIConfig',
      metadata: { name: 'us-west-2a', annotations: { a: '1' } },
      spec: { subnet: 'subnet-1', securityGroups: ['sg-1'] }
    }
    const out = mergePatch(live, {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' } },
      spec: { subnet: 'subnet-2' }
    })
    expect(out).toEqual({
      ...live,
      metadata: {
        name: 'us-west-2a',
        annotations: { a: '1', 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' }
      },
      spec: { subnet: 'subnet-2', securityGroups: ['sg-1'] }
    })
  })

  it('never mutates or aliases its inputs', () => {
    const target = { a: { b: [1] }, keep: { deep: { x: 1 } } }
    const patch = { a: { c: { d: 1 } } }
    const frozen = JSON.stringify([target, patch])
    const out = mergePatch(target, patch) as { keep: { deep: { x: number } }; a: { c: object } }
    expect(JSON.stringify([target, patch])).toBe(frozen)
    out.keep.deep.x = 2
    expect(target.keep.deep.x).toBe(1)
    expect(out.a.c).not.toBe(patch.a.c)
  })
})
