import { jsonPatch, PatchError } from '../../testbed/k8s/patch/index.js'

function failure(fn: () => unknown): PatchError {
  try {
    fn()
  } catch (e) {
    if (e instanceof PatchError) return e
    throw e
  }
  throw new Error('expected a PatchError')
}

describe('jsonPatch (RFC 6902)', () => {
  // RFC 6902 Appendix A test vectors.
  it.each([
    [
      'A.1 add object member',
      { foo: 'bar' },
      [{ op: 'add', path: '/baz', value: 'qux' }],
      { baz: 'qux', foo: 'bar' }
    ],
    [
      'A.2 add array element',
      { foo: ['bar', 'baz'] },
      [{ op: 'add', path: '/foo/1', value: 'qux' }],
      { foo: ['bar', 'qux', 'baz'] }
    ],
    [
      'A.3 remove object member',
      { baz: 'qux', foo: 'bar' },
      [{ op: 'remove', path: '/baz' }],
      { foo: 'bar' }
    ],
    [
      'A.4 remove array element',
      { foo: ['bar', 'qux', 'baz'] },
      [{ op: 'remove', path: '/foo/1' }],
      { foo: ['bar', 'baz'] }
    ],
    [
      'A.5 replace a value',
      { baz: 'qux', foo: 'bar' },
      [{ op: 'replace', path: '/baz', value: 'boo' }],
      { baz: 'boo', foo: 'bar' }
    ],
    [
      'A.6 move a value',
      { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
      [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
      { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } }
    ],
    [
      'A.7 move an array element',
      { foo: ['all', 'grass', 'cows', 'eat'] },
      [{ op: 'move', from: '/foo/1', path: '/foo/3' }],
      { foo: ['all', 'cows', 'eat', 'grass'] }
    ],
    [
      'A.8 test a value: success',
      { baz: 'qux', foo: ['a', 2, 'c'] },
      [
        { op: 'test', path: '/baz', value: 'qux' },
        { op: 'test', path: '/foo/1', value: 2 }
      ],
      { baz: 'qux', foo: ['a', 2, 'c'] }
    ],
    [
      'A.10 add a nested member object',
      { foo: 'bar' },
      [{ op: 'add', path: '/child', value: { grandchild: {} } }],
      { foo: 'bar', child: { grandchild: {} } }
    ],
    [
      'A.11 ignore unrecognized members',
      { foo: 'bar' },
      [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }],
      { foo: 'bar', baz: 'qux' }
    ],
    [
      'A.14 ~ escape ordering',
      { '/': 9, '~1': 10 },
      [{ op: 'test', path: '/~01', value: 10 }],
      { '/': 9, '~1': 10 }
    ],
    [
      'A.16 add an array value',
      { foo: ['bar'] },
      [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }],
      { foo: ['bar', ['abc', 'def']] }
    ],
    [
      'copy',
      { a: { b: [1] } },
      [{ op: 'copy', from: '/a/b', path: '/c' }],
      { a: { b: [1] }, c: [1] }
    ],
    ['replace the root', { a: 1 }, [{ op: 'replace', path: '', value: [1] }], [1]],
    ['add to an empty key', { a: 1 }, [{ op: 'add', path: '/', value: 2 }], { a: 1, '': 2 }],
    // evanphx/json-patch v4 (the apiserver's library) sets a missing member on replace.
    [
      'replace a missing member',
      { a: 1 },
      [{ op: 'replace', path: '/b', value: 2 }],
      { a: 1, b: 2 }
    ]
  ])('%s', (_name, target, ops, result) => {
    expect(jsonPatch(target, ops)).toEqual(result)
  })

  it.each([
    [
      'A.9 test a value: error',
      { baz: 'qux' },
      [{ op: 'test', path: '/baz', value: 'bar' }],
      /testing value \/baz failed/
    ],
    [
      'A.12 add to a nonexistent target',
      { foo: 'bar' },
      [{ op: 'add', path: '/baz/bat', value: 'qux' }],
      /missing path/
    ],
    [
      'A.15 strings and numbers differ',
      { '/': 9, '~1': 10 },
      [{ op: 'test', path: '/~01', value: '10' }],
      /failed/
    ],
    [
      'remove a missing member',
      { a: 1 },
      [{ op: 'remove', path: '/b' }],
      /^error in remove for path: '\/b': Unable to remove nonexistent key: b: missing value$/
    ],
    [
      'replace a missing array slot',
      { a: [1] },
      [{ op: 'replace', path: '/a/1', value: 1 }],
      /missing field \(\/a\/1: missing value\)/
    ],
    [
      'replace below a missing member',
      { a: 1 },
      [{ op: 'replace', path: '/b/c', value: 1 }],
      /replace operation does not apply: doc is missing path/
    ],
    [
      'index with a leading zero',
      { a: [1, 2] },
      [{ op: 'remove', path: '/a/01' }],
      /Unable to access invalid index: 01: invalid index referenced/
    ],
    [
      'index out of bounds',
      { a: [1] },
      [{ op: 'add', path: '/a/2', value: 3 }],
      /Unable to access invalid index: 2/
    ],
    [
      'pointer without a slash',
      { a: 1 },
      [{ op: 'remove', path: 'a' }],
      /doc is missing path: "a"/
    ],
    [
      'test of a missing member',
      { a: 1 },
      [{ op: 'test', path: '/x', value: 1 }],
      /^testing value \/x failed: test failed$/
    ],
    ['unknown op', { a: 1 }, [{ op: 'frobnicate', path: '/a' }], /Unexpected kind: frobnicate/],
    ['add without value', { a: 1 }, [{ op: 'add', path: '/b' }], /add operation: missing "value"/],
    [
      'move into its own child',
      { a: { b: 1 } },
      [{ op: 'move', from: '/a', path: '/a/b/c' }],
      /prefix/
    ]
  ])('%s is a 422 Invalid', (_name, target, ops, message) => {
    const err = failure(() => jsonPatch(target, ops))
    expect(err.status).toBe(422)
    expect(err.reason).toBe('Invalid')
    expect(err.message).toMatch(message)
  })

  it('rejects a body that is not a list of operations with 400', () => {
    expect(failure(() => jsonPatch({}, { op: 'add' })).status).toBe(400)
    expect(failure(() => jsonPatch({}, ['x'])).reason).toBe('BadRequest')
  })

  it('reports a stale resourceVersion test as a 409 Conflict', () => {
    const live = { metadata: { name: 'aws-node', resourceVersion: '42' } }
    const ok = [{ op: 'test', path: '/metadata/resourceVersion', value: '42' }]
    expect(jsonPatch(live, ok)).toEqual(live)
    const err = failure(() =>
      jsonPatch(live, [{ op: 'test', path: '/metadata/resourceVersion', value: '41' }])
    )
    expect([err.status, err.reason]).toEqual([409, 'Conflict'])
  })

  it('applies kubectl’s managedFields migration patch and leaves the input untouched on failure', () => {
    const live = {
      metadata: { resourceVersion: '7', managedFields: [{ manager: 'old' }] },
      spec: { x: 1 }
    }
    const snapshot = JSON.stringify(live)
    const out = jsonPatch(live, [
      { op: 'replace', path: '/metadata/managedFields', value: [{ manager: 'kubectl' }] },
      { op: 'replace', path: '/metadata/resourceVersion', value: '7' }
    ])
    expect(out).toEqual({
      metadata: { resourceVersion: '7', managedFields: [{ manager: 'kubectl' }] },
      spec: { x: 1 }
    })
    expect(() =>
      jsonPatch(live, [
        { op: 'remove', path: '/spec/x' },
        { op: 'test', path: '/spec/x', value: 1 }
      ])
    ).toThrow(PatchError)
    expect(JSON.stringify(live)).toBe(snapshot)
  })
})
