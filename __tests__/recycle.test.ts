import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js'
import {
  nodeFromObject,
  nodesToRecycle,
  recycleMarkdown,
  type NodeInfo,
  type RecycleEntry
} from '../src/recycle.js'

/** A Node as the API server sends it. */
const nodeJson = (name: string, created: string, extra: { nodegroup?: string } = {}) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name,
    creationTimestamp: created,
    resourceVersion: '42',
    labels: {
      'kubernetes.io/hostname': name,
      'topology.kubernetes.io/zone': 'ap-northeast-2a',
      'topology.k8s.aws/zone-id': 'apne2-az1',
      ...(extra.nodegroup ? { 'eks.amazonaws.com/nodegroup': extra.nodegroup } : {})
    }
  },
  spec: { providerID: 'aws:///ap-northeast-2a/i-0123456789abcdef0' }
})

const CHANGE = new Date('2026-11-27T10:00:00Z')
const node = (name: string, createdAt: string, more: Partial<NodeInfo> = {}): NodeInfo => ({
  name,
  zone: 'ap-northeast-2a',
  createdAt,
  ...more
})

describe('nodeFromObject', () => {
  it('reads a plain JSON Node', () => {
    expect(
      nodeFromObject(nodeJson('ip-10-0-1-1', '2026-11-01T00:00:00Z', { nodegroup: 'ng-1' }))
    ).toEqual<NodeInfo>({
      name: 'ip-10-0-1-1',
      zone: 'ap-northeast-2a',
      zoneId: 'apne2-az1',
      providerID: 'aws:///ap-northeast-2a/i-0123456789abcdef0',
      nodegroup: 'ng-1',
      createdAt: '2026-11-01T00:00:00Z'
    })
  })

  it('reads a client-node V1Node, whose creationTimestamp is a Date', () => {
    const model: unknown = ObjectSerializer.deserialize(
      nodeJson('ip-10-0-1-2', '2026-11-01T00:00:00Z'),
      'V1Node'
    )
    expect(
      (model as { metadata: { creationTimestamp: unknown } }).metadata.creationTimestamp
    ).toBeInstanceOf(Date)
    const info = nodeFromObject(model)
    expect(info.createdAt).toBe('2026-11-01T00:00:00.000Z')
    expect(info.providerID).toBe('aws:///ap-northeast-2a/i-0123456789abcdef0')
    expect(info).not.toHaveProperty('nodegroup')
  })

  it('falls back to the deprecated zone label and leaves absent fields out', () => {
    const info = nodeFromObject({
      metadata: { name: 'old', labels: { 'failure-domain.beta.kubernetes.io/zone': 'us-east-1a' } }
    })
    expect(info).toEqual({ name: 'old', zone: 'us-east-1a', createdAt: '' })
  })

  it.each([[undefined], [null], [{}], [{ metadata: { name: 7 } }]])(
    'rejects %p with a message that says what is missing',
    (bad) => {
      expect(() => nodeFromObject(bad)).toThrow(/without metadata\.name/)
    }
  )
})

describe('nodesToRecycle', () => {
  const nodes = [
    node('b-old', '2026-11-27T09:59:59Z', {
      providerID: 'aws:///ap-northeast-2a/i-0aaa',
      nodegroup: 'ng-1'
    }),
    node('a-old', '2026-01-01T00:00:00Z', { zone: 'ap-northeast-2b' }),
    node('new', '2026-11-27T10:00:00Z'),
    node('newer', '2026-11-27T10:05:00Z')
  ]

  it('lists the nodes created before the change, sorted, with instance ID and node group', () => {
    expect(nodesToRecycle(nodes, CHANGE, true)).toEqual<RecycleEntry[]>([
      { name: 'a-old', zone: 'ap-northeast-2b' },
      { name: 'b-old', zone: 'ap-northeast-2a', instanceId: 'i-0aaa', nodegroup: 'ng-1' }
    ])
  })

  it('lists nothing when the aws-node configuration did not change', () => {
    expect(nodesToRecycle(nodes, CHANGE, false)).toEqual([])
  })

  it('lists a node whose age it cannot read, since it cannot be shown to be new', () => {
    expect(nodesToRecycle([node('mystery', '')], CHANGE, true)).toEqual([
      { name: 'mystery', zone: 'ap-northeast-2a' }
    ])
  })

  it('gives JSON fit for the nodes-to-recycle output', () => {
    const fromObjects = [nodeJson('ip-1', '2026-11-01T00:00:00Z', { nodegroup: 'ng-a' })].map(
      nodeFromObject
    )
    expect(JSON.stringify(nodesToRecycle(fromObjects, CHANGE, true))).toBe(
      '[{"name":"ip-1","zone":"ap-northeast-2a","instanceId":"i-0123456789abcdef0","nodegroup":"ng-a"}]'
    )
  })
})

describe('recycleMarkdown', () => {
  it('says so when nothing needs replacing', () => {
    expect(recycleMarkdown([])).toContain('None')
  })

  it('explains why and lists the nodes', () => {
    const md = recycleMarkdown([
      { name: 'ip-1', zone: 'us-east-1a', instanceId: 'i-01', nodegroup: 'ng-a' },
      { name: 'ip-2', zone: 'us-east-1b' }
    ])
    expect(md).toContain('2 node(s) existed before')
    expect(md).toMatch(/only to nodes created after/)
    expect(md).toContain('| `ip-1` | `us-east-1a` | `i-01` | `ng-a` |')
    expect(md).toContain('| `ip-2` | `us-east-1b` | — | — |')
  })

  it('gives a rolling update per managed node group and cordon/drain/terminate for the rest', () => {
    const md = recycleMarkdown([
      { name: 'ip-1', zone: 'a', instanceId: 'i-01', nodegroup: 'ng-b' },
      { name: 'ip-3', zone: 'a', instanceId: 'i-03', nodegroup: 'ng-a' },
      { name: 'ip-4', zone: 'a', instanceId: 'i-04', nodegroup: 'ng-a' },
      { name: 'ip-2', zone: 'b' }
    ])
    const updates = md.match(/aws eks update-nodegroup-version [^\n]+/g)
    expect(updates).toEqual([
      'aws eks update-nodegroup-version --cluster-name <cluster> --nodegroup-name ng-a --force',
      'aws eks update-nodegroup-version --cluster-name <cluster> --nodegroup-name ng-b --force'
    ])
    expect(md).toContain('kubectl cordon ip-2')
    expect(md).toContain('kubectl drain ip-2 --ignore-daemonsets --delete-emptydir-data')
    expect(md).toContain('aws ec2 terminate-instances --instance-ids <instance-id>')
    expect(md).not.toContain('kubectl cordon ip-1')
  })
})
