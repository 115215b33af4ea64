import { fixturePath } from '../../testbed/fixtures.js'
import { readFileSync } from 'node:fs'
import * as yaml from 'js-yaml'
import { PatchError, strategicMergePatch } from '../../testbed/k8s/patch/index.js'

type Obj = Record<string, unknown>
type Container = { name: string; image?: string; env?: { name: string; value?: string }[] }
type DaemonSet = {
  metadata: Obj & { annotations?: Record<string, string> }
  spec: {
    updateStrategy: Obj
    template: { spec: Obj & { containers: Container[]; initContainers: Container[] } }
  }
}

const FIXTURE = fixturePath('aws-k8s-cni-v1.19.6.yaml')

/** The aws-node DaemonSet as in the upstream manifest (read, never copied into the repo). */
function awsNode(): DaemonSet {
  const docs = yaml.loadAll(readFileSync(FIXTURE, 'utf8')) as Obj[]
  return docs.find((d) => d?.kind === 'DaemonSet') as unknown as DaemonSet
}

const container = (ds: unknown, name: string): Container =>
  (ds as DaemonSet).spec.template.spec.containers.find((c) => c.name === name) as Container
const envNames = (c: Container): string[] => (c.env ?? []).map((e) => e.name)
const envValue = (c: Container, name: string): string | undefined =>
  c.env?.find((e) => e.name === name)?.value

describe('strategicMergePatch', () => {
  it('applies kubectl client-side apply’s DaemonSet patch (one env value and the image)', () => {
    const live = awsNode()
    const before = JSON.stringify(live)
    const patch = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' } },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'aws-node' }, { name: 'aws-eks-nodeagent' }],
            containers: [
              {
                '$setElementOrder/env': container(live, 'aws-node').env?.map((e) => ({
                  name: e.name
                })),
                env: [{ name: 'WARM_ENI_TARGET', value: '2' }],
                image: '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.0',
                name: 'aws-node'
              }
            ]
          }
        }
      }
    }
    const out = strategicMergePatch(live, patch) as DaemonSet
    expect(JSON.stringify(live)).toBe(before)
    const node = container(out, 'aws-node')
    expect(node.image).toMatch(/:v1\.19\.0$/)
    expect(envValue(node, 'WARM_ENI_TARGET')).toBe('2')
    expect(envNames(node)).toEqual(envNames(container(live, 'aws-node')))
    expect(container(out, 'aws-eks-nodeagent')).toEqual(container(live, 'aws-eks-nodeagent'))
    expect(out.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toBe(
      '{}\n'
    )
    expect(JSON.stringify(out)).not.toContain('$')
  })

  it('applies the captured minimal CSA body exactly', () => {
    const live = {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'aws-node',
                image: 'cni:v1.19.6',
                env: [
                  { name: 'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG', value: 'true' },
                  { name: 'WARM_ENI_TARGET', value: '1' }
                ]
              }
            ]
          }
        }
      }
    }
    const patch = JSON.parse(
      '{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"aws-node"}],' +
        '"containers":[{"$setElementOrder/env":[{"name":"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG"},{"name":"WARM_ENI_TARGET"}],' +
        '"env":[{"name":"WARM_ENI_TARGET","value":"2"}],"image":"cni:v1.19.0","name":"aws-node"}]}}}}'
    ) as unknown
    expect(strategicMergePatch(live, patch)).toEqual({
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'aws-node',
                image: 'cni:v1.19.0',
                env: [
                  { name: 'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG', value: 'true' },
                  { name: 'WARM_ENI_TARGET', value: '2' }
                ]
              }
            ]
          }
        }
      }
    })
  })

  it('applies kubectl set env: update in place, append, then remove with $patch: delete', () => {
    const live = awsNode()
    const names = envNames(container(live, 'aws-node'))
    const set = {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'aws-node' }, { name: 'aws-eks-nodeagent' }],
            containers: [
              {
                '$setElementOrder/env': [...names, 'NEWKEY'].map((name) => ({ name })),
                env: [
                  { name: 'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG', value: 'true' },
                  { name: 'NEWKEY', value: 'VAL' }
                ],
                name: 'aws-node'
              }
            ]
          }
        }
      }
    }
    const added = strategicMergePatch(live, set) as DaemonSet
    const node = container(added, 'aws-node')
    expect(envNames(node)).toEqual([...names, 'NEWKEY'])
    expect(envValue(node, 'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG')).toBe('true')
    expect(envValue(node, 'NEWKEY')).toBe('VAL')
    expect(node.image).toBe(container(live, 'aws-node').image)

    const unset = {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'aws-node' }, { name: 'aws-eks-nodeagent' }],
            containers: [
              {
                '$setElementOrder/env': names.map((name) => ({ name })),
                env: [{ $patch: 'delete', name: 'NEWKEY' }],
                name: 'aws-node'
              }
            ]
          }
        }
      }
    }
    const removed = strategicMergePatch(added, unset) as DaemonSet
    expect(envNames(container(removed, 'aws-node'))).toEqual(names)
    expect(JSON.stringify(removed)).not.toContain('$patch')
  })

  it('merges initContainers env by name, as set env without -c does', () => {
    const live = awsNode()
    const init = live.spec.template.spec.initContainers[0]
    const patch = {
      spec: {
        template: {
          spec: {
            initContainers: [
              {
                '$setElementOrder/env': [...envNames(init), 'NEWKEY'].map((name) => ({
                  name
                })),
                env: [
                  { name: 'DISABLE_TCP_EARLY_DEMUX', value: 'true' },
                  { name: 'NEWKEY', value: 'VAL' }
                ],
                name: init.name
              }
            ]
          }
        }
      }
    }
    const out = strategicMergePatch(live, patch) as DaemonSet
    const merged = out.spec.template.spec.initContainers[0] as Container & Obj
    expect(envNames(merged)).toEqual([...envNames(init), 'NEWKEY'])
    expect(envValue(merged, 'DISABLE_TCP_EARLY_DEMUX')).toBe('true')
    expect(merged.image).toBe(init.image)
    expect(merged.volumeMounts).toEqual((init as Container & Obj).volumeMounts)
    expect(out.spec.template.spec.containers).toEqual(live.spec.template.spec.containers)
  })

  it('merges volumeMounts by mountPath and ports by containerPort; other lists are atomic', () => {
    const live = {
      containers: [
        {
          name: 'c',
          ports: [{ containerPort: 61678, name: 'metrics' }],
          volumeMounts: [{ mountPath: '/a', name: 'a' }],
          args: ['--x', '--y']
        }
      ],
      tolerations: [{ operator: 'Exists' }]
    }
    const out = strategicMergePatch(live, {
      containers: [
        {
          name: 'c',
          ports: [{ containerPort: 61678, protocol: 'TCP' }, { containerPort: 8162 }],
          volumeMounts: [{ mountPath: '/b', name: 'b' }],
          args: ['--z']
        }
      ],
      tolerations: [{ key: 'k', operator: 'Equal' }]
    })
    expect(out).toEqual({
      containers: [
        {
          name: 'c',
          ports: [
            { containerPort: 61678, name: 'metrics', protocol: 'TCP' },
            { containerPort: 8162 }
          ],
          volumeMounts: [
            { mountPath: '/b', name: 'b' },
            { mountPath: '/a', name: 'a' }
          ],
          args: ['--z']
        }
      ],
      tolerations: [{ key: 'k', operator: 'Equal' }]
    })
  })

  it('honors $retainKeys (updateStrategy switch to OnDelete drops rollingUpdate)', () => {
    const live = awsNode()
    expect(live.spec.updateStrategy.rollingUpdate).toBeDefined()
    const out = strategicMergePatch(live, {
      spec: { updateStrategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'OnDelete' } }
    }) as DaemonSet
    expect(out.spec.updateStrategy).toEqual({ type: 'OnDelete' })
  })

  it('honors $retainKeys on volumes (switching a volume source)', () => {
    const live = { volumes: [{ name: 'cni-bin-dir', hostPath: { path: '/opt/cni/bin' } }] }
    const out = strategicMergePatch(live, {
      volumes: [{ $retainKeys: ['emptyDir', 'name'], emptyDir: {}, name: 'cni-bin-dir' }]
    })
    expect(out).toEqual({ volumes: [{ name: 'cni-bin-dir', emptyDir: {} }] })
    const err = (() => {
      try {
        strategicMergePatch(live, { volumes: [{ $retainKeys: ['name'], emptyDir: {}, name: 'x' }] })
      } catch (e) {
        return e as PatchError
      }
    })()
    expect(err?.status).toBe(422)
  })

  it('honors $patch: replace and $patch: delete on maps', () => {
    const live = { spec: { selector: { matchLabels: { a: '1', b: '2' } }, extra: { x: 1 } } }
    const out = strategicMergePatch(live, {
      spec: {
        selector: { matchLabels: { $patch: 'replace', c: '3' } },
        extra: { $patch: 'delete' }
      }
    })
    expect(out).toEqual({ spec: { selector: { matchLabels: { c: '3' } } } })
  })

  it('honors $patch: replace inside a merge list', () => {
    const live = {
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' }
      ]
    }
    const out = strategicMergePatch(live, {
      env: [{ $patch: 'replace' }, { name: 'C', value: '3' }]
    })
    expect(out).toEqual({ env: [{ name: 'C', value: '3' }] })
  })

  it('honors $deleteFromPrimitiveList and merges primitive lists that carry $setElementOrder', () => {
    const live = { metadata: { finalizers: ['a', 'b', 'c'] } }
    expect(
      strategicMergePatch(live, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } })
    ).toEqual({
      metadata: { finalizers: ['a', 'c'] }
    })
    expect(
      strategicMergePatch(live, {
        metadata: { '$setElementOrder/finalizers': ['d', 'a', 'b', 'c'], finalizers: ['d'] }
      })
    ).toEqual({ metadata: { finalizers: ['d', 'a', 'b', 'c'] } })
  })

  // Same interleaving as apimachinery's mergeSortedSlice: a server-only item goes before a listed
  // item that followed it in the live list.
  it('reorders by $setElementOrder, keeping server-only items by their live position', () => {
    const live = { containers: [{ name: 'a' }, { name: 'server-only' }, { name: 'b' }] }
    const out = strategicMergePatch(live, {
      '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }]
    })
    expect(out).toEqual({ containers: [{ name: 'server-only' }, { name: 'b' }, { name: 'a' }] })
  })

  // Cross-checked against `kubectl patch --local --type strategic` (apimachinery's strategicpatch,
  // the apiserver's code): without $setElementOrder the patch's own order applies, and items the
  // live list cannot place (new ones) come first.
  it('puts new merge-list items first when the patch has no $setElementOrder', () => {
    const live = {
      env: [
        { name: 'X', value: '1' },
        { name: 'Y', value: '2' }
      ]
    }
    expect(
      strategicMergePatch(live, {
        env: [
          { name: 'Z', value: '9' },
          { name: 'X', value: '7' }
        ]
      })
    ).toEqual({
      env: [
        { name: 'Z', value: '9' },
        { name: 'X', value: '7' },
        { name: 'Y', value: '2' }
      ]
    })
    expect(
      strategicMergePatch(live, {
        env: [
          { name: 'Y', value: '9' },
          { name: 'Z', value: '7' }
        ]
      })
    ).toEqual({
      env: [
        { name: 'X', value: '1' },
        { name: 'Y', value: '9' },
        { name: 'Z', value: '7' }
      ]
    })
  })

  it('merges finalizers as a set (patchStrategy merge), new ones first', () => {
    const live = { metadata: { name: 'x', finalizers: ['x', 'y'] } }
    expect(strategicMergePatch(live, { metadata: { finalizers: ['y', 'z'] } })).toEqual({
      metadata: { name: 'x', finalizers: ['x', 'y', 'z'] }
    })
    expect(strategicMergePatch(live, { metadata: { finalizers: ['z'] } })).toEqual({
      metadata: { name: 'x', finalizers: ['z', 'x', 'y'] }
    })
  })

  it('handles null deletion, new nested maps and a missing merge key', () => {
    const out = strategicMergePatch({ a: 1, b: { c: 2 } }, { a: null, b: { d: { e: null, f: 1 } } })
    expect(out).toEqual({ b: { c: 2, d: { f: 1 } } })
    expect(() => strategicMergePatch({}, { env: [{ value: 'x' }] })).toThrow(/merge key: name/)
    expect(() => strategicMergePatch({}, [])).toThrow(PatchError)
    expect(() => strategicMergePatch({}, { a: { $patch: 'bogus' } })).toThrow(/unknown patch type/)
  })
})
