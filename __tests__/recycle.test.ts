import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js'
import {
  nodeFromObject,
  nodesToRecycle,
  type NodeInfo,
  type RecycleEntry,
  type RecycleState
} from '../src/recycle.js'
import { recycleMarkdown } from '../src/report/nodes-to-replace.js'
import { managedAwsNode } from './fixtures/aws-node-managed.js'

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

const US = 'eks-cni-custom-networking'
const RUN_A = '2026-11-20T10:00:00Z'

/** aws-node installed by Helm, with env set by this action at `at`. */
const awsNode = (env: Record<string, string>, at = RUN_A) =>
  managedAwsNode({ installer: ['helm', 'Update'], edits: [{ manager: US, time: at, env }] })

const eniConfig = (name: string, subnet: string, at: string) => ({
  apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
  kind: 'ENIConfig',
  metadata: {
    name,
    creationTimestamp: '2026-11-01T00:00:00Z',
    managedFields: [
      {
        manager: US,
        operation: 'Apply',
        apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
        time: at,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:securityGroups': {}, 'f:subnet': {} } }
      }
    ]
  },
  spec: { subnet, securityGroups: ['sg-1'] }
})

const CN_ON = {
  AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true',
  ENI_CONFIG_LABEL_DEF: 'topology.kubernetes.io/zone'
}
const names = (entries: RecycleEntry[]) => entries.map((e) => e.name)

describe('nodesToRecycle', () => {
  const nodes = [
    node('b-old', '2026-11-27T09:59:59Z', {
      providerID: 'aws:///ap-northeast-2a/i-0aaa',
      nodegroup: 'ng-1'
    }),
    node('a-old', '2026-01-01T00:00:00Z', { zone: 'ap-northeast-2b', zoneId: 'apne2-az2' }),
    node('new', '2026-11-27T10:00:00Z'),
    node('newer', '2026-11-27T10:05:00Z')
  ]
  const state = (p: Partial<RecycleState>): RecycleState => ({
    eniConfigsBefore: [],
    eniConfigsAfter: [],
    changeTime: CHANGE,
    ...p
  })

  it('turning custom networking on lists every node created before the write, sorted', () => {
    const entries = nodesToRecycle(
      nodes,
      state({
        awsNodeBefore: managedAwsNode({ installer: ['helm', 'Update'] }),
        awsNodeAfter: awsNode(CN_ON, CHANGE.toISOString())
      })
    )
    expect(entries).toEqual<RecycleEntry[]>([
      { name: 'a-old', zone: 'ap-northeast-2b' },
      { name: 'b-old', zone: 'ap-northeast-2a', instanceId: 'i-0aaa', nodegroup: 'ng-1' }
    ])
  })

  it("dates this run's write by the server's managedFields time, not the runner's clock", () => {
    const before = managedAwsNode({ installer: ['helm', 'Update'] })
    // The runner's clock says 10:00, the server recorded the write at 10:10.
    const after = awsNode(CN_ON, '2026-11-27T10:10:00Z')
    const entries = nodesToRecycle(nodes, state({ awsNodeBefore: before, awsNodeAfter: after }))
    expect(names(entries)).toEqual(['a-old', 'b-old', 'new', 'newer'])
    const bare = structuredClone(after) as { metadata: { managedFields?: unknown } }
    delete bare.metadata.managedFields
    expect(
      names(nodesToRecycle(nodes, state({ awsNodeBefore: before, awsNodeAfter: bare })))
    ).toEqual(['a-old', 'b-old'])
  })

  it('a rerun after a failed run lists the nodes older than the write that turned it on', () => {
    const live = awsNode(CN_ON, '2026-11-27T10:01:00Z')
    expect(
      names(nodesToRecycle(nodes, state({ awsNodeBefore: live, awsNodeAfter: live })))
    ).toEqual(['a-old', 'b-old', 'new'])
    // Not written at all (the run failed before aws-node): the same answer from the read.
    expect(names(nodesToRecycle(nodes, state({ awsNodeBefore: live })))).toEqual([
      'a-old',
      'b-old',
      'new'
    ])
  })

  it('a log-level or WARM_* change lists no node that started after custom networking was on', () => {
    const before = awsNode(CN_ON, '2026-06-01T00:00:00Z')
    const after = awsNode(
      { ...CN_ON, AWS_VPC_K8S_CNI_LOGLEVEL: 'INFO', WARM_IP_TARGET: '5' },
      CHANGE.toISOString()
    )
    expect(nodesToRecycle(nodes, state({ awsNodeBefore: before, awsNodeAfter: after }))).toEqual([
      { name: 'a-old', zone: 'ap-northeast-2b' }
    ])
    const young = nodes.filter((n) => n.name !== 'a-old')
    expect(nodesToRecycle(young, state({ awsNodeBefore: before, awsNodeAfter: after }))).toEqual([])
  })

  it('lists nothing while custom networking and prefix delegation stay off', () => {
    const before = managedAwsNode({
      installer: ['helm', 'Update'],
      installedAt: '2026-11-27T11:00:00Z'
    })
    const after = awsNode({ WARM_ENI_TARGET: '2' }, CHANGE.toISOString())
    expect(nodesToRecycle(nodes, state({ awsNodeBefore: before, awsNodeAfter: after }))).toEqual([])
  })

  it('counts prefix delegation turned on, but not the installer re-applying its default off', () => {
    const before = managedAwsNode({
      installer: ['helm', 'Update'],
      installedAt: '2026-11-27T11:00:00Z'
    })
    const on = awsNode({ ENABLE_PREFIX_DELEGATION: 'true' }, CHANGE.toISOString())
    expect(
      names(nodesToRecycle(nodes, state({ awsNodeBefore: before, awsNodeAfter: on })))
    ).toEqual(['a-old', 'b-old'])
    expect(nodesToRecycle(nodes, state({ awsNodeBefore: before }))).toEqual([])
    const turnedOff = awsNode({ ENABLE_PREFIX_DELEGATION: 'false' }, '2026-11-27T10:02:00Z')
    expect(names(nodesToRecycle(nodes, state({ awsNodeBefore: turnedOff })))).toEqual([
      'a-old',
      'b-old',
      'new'
    ])
  })

  it('a changed ENIConfig lists the older nodes of its zone only', () => {
    const live = awsNode(CN_ON, '2026-06-01T00:00:00Z')
    const before = [
      eniConfig('ap-northeast-2a', 'subnet-a', '2025-12-01T00:00:00Z'),
      eniConfig('ap-northeast-2b', 'subnet-b', '2025-12-01T00:00:00Z')
    ]
    const after = [eniConfig('ap-northeast-2a', 'subnet-a2', CHANGE.toISOString()), before[1]]
    const entries = nodesToRecycle(
      nodes,
      state({
        awsNodeBefore: live,
        awsNodeAfter: live,
        eniConfigsBefore: before,
        eniConfigsAfter: after
      })
    )
    expect(names(entries)).toEqual(['a-old', 'b-old'])
    // a-old is listed for the aws-node change of 2026-06-01, b-old for its zone's new subnet.
    const young = nodes.filter((n) => n.name !== 'a-old')
    expect(
      names(nodesToRecycle(young, state({ awsNodeBefore: live, eniConfigsBefore: before })))
    ).toEqual([])
  })

  it('reads an earlier ENIConfig change from its managedFields, by zone ID when labelled so', () => {
    const byId = { ...CN_ON, ENI_CONFIG_LABEL_DEF: 'topology.k8s.aws/zone-id' }
    const live = awsNode(byId, '2025-12-01T00:00:00Z')
    const configs = [eniConfig('apne2-az2', 'subnet-b', '2026-11-27T10:02:00Z')]
    const zoned = [
      node('in-az2', '2026-11-27T10:01:00Z', { zone: 'ap-northeast-2b', zoneId: 'apne2-az2' }),
      node('in-az1', '2026-11-27T10:01:00Z', { zoneId: 'apne2-az1' }),
      node('later-az2', '2026-11-27T10:03:00Z', { zone: 'ap-northeast-2b', zoneId: 'apne2-az2' })
    ]
    expect(
      names(nodesToRecycle(zoned, state({ awsNodeBefore: live, eniConfigsBefore: configs })))
    ).toEqual(['in-az2'])
  })

  it('a new ENIConfig counts from this run', () => {
    const live = awsNode(CN_ON, '2025-12-01T00:00:00Z')
    const young = nodes.filter((n) => n.name !== 'a-old')
    const entries = nodesToRecycle(
      young,
      state({
        awsNodeBefore: live,
        eniConfigsAfter: [eniConfig('ap-northeast-2a', 'subnet-a', CHANGE.toISOString())]
      })
    )
    expect(names(entries)).toEqual(['b-old'])
  })

  it('lists a node whose age it cannot read only when a change is known', () => {
    const mystery = [node('mystery', '')]
    const before = managedAwsNode({ installer: ['helm', 'Update'] })
    expect(
      nodesToRecycle(mystery, state({ awsNodeBefore: before, awsNodeAfter: awsNode(CN_ON) }))
    ).toEqual([{ name: 'mystery', zone: 'ap-northeast-2a' }])
    expect(nodesToRecycle(mystery, state({ awsNodeBefore: before }))).toEqual([])
  })

  it("without managedFields, only this run's change counts", () => {
    const bare = structuredClone(awsNode(CN_ON)) as { metadata: { managedFields?: unknown } }
    delete bare.metadata.managedFields
    expect(nodesToRecycle(nodes, state({ awsNodeBefore: bare, awsNodeAfter: bare }))).toEqual([])
  })

  it('gives JSON fit for the nodes-to-recycle output', () => {
    const fromObjects = [nodeJson('ip-1', '2026-11-01T00:00:00Z', { nodegroup: 'ng-a' })].map(
      nodeFromObject
    )
    const entries = nodesToRecycle(fromObjects, state({ awsNodeAfter: awsNode(CN_ON) }))
    expect(JSON.stringify(entries)).toBe(
      '[{"name":"ip-1","zone":"ap-northeast-2a","instanceId":"i-0123456789abcdef0","nodegroup":"ng-a"}]'
    )
  })
})

const TARGET = { clusterName: 'prod', region: 'us-east-1' }

describe('recycleMarkdown', () => {
  it('says so when nothing needs replacing', () => {
    expect(recycleMarkdown([], TARGET)).toContain('None')
  })

  it('explains why and lists the nodes', () => {
    const md = recycleMarkdown(
      [
        { name: 'ip-1', zone: 'us-east-1a', instanceId: 'i-01', nodegroup: 'ng-a' },
        { name: 'ip-2', zone: 'us-east-1b' }
      ],
      TARGET
    )
    expect(md).toContain('2 node(s) started before the last change that needs new nodes')
    expect(md).toMatch(/only to nodes created after/)
    expect(md).toContain('| `ip-1` | `us-east-1a` | `i-01` | `ng-a` |')
    expect(md).toContain('| `ip-2` | `us-east-1b` | — | — |')
  })

  it('gives a rolling update per managed node group and cordon/drain/terminate for the rest', () => {
    const md = recycleMarkdown(
      [
        { name: 'ip-1', zone: 'a', instanceId: 'i-01', nodegroup: 'ng-b' },
        { name: 'ip-3', zone: 'a', instanceId: 'i-03', nodegroup: 'ng-a' },
        { name: 'ip-4', zone: 'a', instanceId: 'i-04', nodegroup: 'ng-a' },
        { name: 'ip-2', zone: 'b' }
      ],
      TARGET
    )
    const updates = md.match(/aws eks update-nodegroup-version [^\n]+/g)
    expect(updates).toEqual([
      'aws eks update-nodegroup-version --cluster-name prod --region us-east-1 --nodegroup-name ng-a --force',
      'aws eks update-nodegroup-version --cluster-name prod --region us-east-1 --nodegroup-name ng-b --force'
    ])
    expect(md).toContain('kubectl cordon ip-2')
    expect(md).toContain('kubectl drain ip-2 --ignore-daemonsets --delete-emptydir-data')
    expect(md).toContain(
      'aws ec2 terminate-instances --region us-east-1 --instance-ids <instance-id>'
    )
    expect(md).not.toContain('kubectl cordon ip-1')
    expect(md).not.toContain('<cluster>')
  })

  it('escapes names in the table and quotes them in commands', () => {
    const md = recycleMarkdown([{ name: 'n|<b>x</b>', zone: 'a', nodegroup: 'ng a' }], {
      clusterName: "it's",
      region: 'us-east-1'
    })
    expect(md).toContain('| `n\\|<b>x</b>` |')
    expect(md).toContain(
      "--cluster-name 'it'\\''s' --region us-east-1 --nodegroup-name 'ng a' --force"
    )
  })
})
