/**
 * Nodes that must be replaced (issue 4 item 2). ipamd reads the custom-networking settings when a
 * node starts, so nodes that existed before the change keep giving pods IPs from the node subnet,
 * with a --max-pods computed for the old settings, until they are replaced.
 */

/** What the report needs to know about a node. */
export interface NodeInfo {
  name: string
  zone: string
  zoneId?: string
  /** aws:///<zone>/<instance-id> on EC2 nodes. */
  providerID?: string
  /** Label eks.amazonaws.com/nodegroup, set on managed node group nodes. */
  nodegroup?: string
  /** RFC 3339. */
  createdAt: string
}

/** One node to replace, as the `nodes-to-recycle` output lists it. */
export interface RecycleEntry {
  name: string
  zone: string
  instanceId?: string
  nodegroup?: string
}

const ZONE_LABEL = 'topology.kubernetes.io/zone'
// Nodes registered before Kubernetes 1.17 may carry only the deprecated label.
const LEGACY_ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone'
const ZONE_ID_LABEL = 'topology.k8s.aws/zone-id'
const NODEGROUP_LABEL = 'eks.amazonaws.com/nodegroup'

/**
 * Nodes created before the change took effect, sorted by name; none when the aws-node
 * configuration did not change. A node whose creation time cannot be read is listed, since it
 * cannot be shown to be new.
 */
export function nodesToRecycle(
  nodes: NodeInfo[],
  changeTime: Date,
  changed: boolean
): RecycleEntry[] {
  if (!changed) return []
  return nodes
    .filter((n) => {
      const created = Date.parse(n.createdAt)
      return Number.isNaN(created) || created < changeTime.getTime()
    })
    .map((n) => {
      const instanceId = instanceIdOf(n.providerID)
      return {
        name: n.name,
        zone: n.zone,
        ...(instanceId ? { instanceId } : {}),
        ...(n.nodegroup ? { nodegroup: n.nodegroup } : {})
      }
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/**
 * Reads a Kubernetes Node, either plain JSON or a client-node V1Node (whose creationTimestamp is a
 * Date).
 *
 * @throws Error when the object has no metadata.name
 */
export function nodeFromObject(node: unknown): NodeInfo {
  const metadata = record(record(node).metadata)
  const name = metadata.name
  if (typeof name !== 'string' || name === '') {
    throw new Error(`Cannot read a Kubernetes Node without metadata.name: ${preview(node)}`)
  }
  const labels = record(metadata.labels)
  const label = (key: string): string | undefined =>
    typeof labels[key] === 'string' ? labels[key] : undefined
  const providerID = record(record(node).spec).providerID
  const created = metadata.creationTimestamp
  const info: NodeInfo = {
    name,
    zone: label(ZONE_LABEL) ?? label(LEGACY_ZONE_LABEL) ?? '',
    createdAt:
      created instanceof Date ? created.toISOString() : typeof created === 'string' ? created : ''
  }
  const zoneId = label(ZONE_ID_LABEL)
  const nodegroup = label(NODEGROUP_LABEL)
  if (zoneId) info.zoneId = zoneId
  if (typeof providerID === 'string' && providerID) info.providerID = providerID
  if (nodegroup) info.nodegroup = nodegroup
  return info
}

/** The summary section: which nodes, why they must go, and how to replace them. */
export function recycleMarkdown(entries: RecycleEntry[]): string {
  if (entries.length === 0) {
    return '### Nodes to replace\n\nNone: every node already runs with these settings.\n'
  }
  const cell = (s: string | undefined) => (s ? `\`${s}\`` : '—')
  const groups = [...new Set(entries.flatMap((e) => (e.nodegroup ? [e.nodegroup] : [])))].sort()
  const loose = entries.filter((e) => !e.nodegroup)
  const lines = [
    '### Nodes to replace',
    '',
    `${entries.length} node(s) existed before the aws-node change took effect. The VPC CNI applies custom ` +
      'networking only to nodes created after it is configured: these nodes keep their ENIs in the node ' +
      'subnet, so their pods keep node-subnet IPs, and their kubelet --max-pods was set for the old ' +
      'settings. Replace them to move their pods onto the pod subnets.',
    '',
    '| Node | Zone | Instance | Node group |',
    '|---|---|---|---|',
    ...entries.map(
      (e) => `| ${cell(e.name)} | ${cell(e.zone)} | ${cell(e.instanceId)} | ${cell(e.nodegroup)} |`
    ),
    ''
  ]
  if (groups.length > 0) {
    lines.push(
      '**Managed node groups** replace their nodes in a rolling update, which drains each node first ' +
        '(to the latest AMI release, or to a new launch template version with `--launch-template`; ' +
        '`--force` goes on when a PodDisruptionBudget blocks a drain):',
      '',
      '```sh',
      ...groups.map(
        (g) =>
          `aws eks update-nodegroup-version --cluster-name <cluster> --nodegroup-name ${g} --force`
      ),
      '```',
      ''
    )
  }
  if (loose.length > 0) {
    lines.push(
      `**Other nodes**${groups.length > 0 ? '' : ' (or one node at a time)'}: cordon, drain, then ` +
        'terminate the instance; its Auto Scaling group starts a replacement with the new settings:',
      '',
      '```sh',
      ...loose.flatMap((e) => [
        `kubectl cordon ${e.name}`,
        `kubectl drain ${e.name} --ignore-daemonsets --delete-emptydir-data`,
        `aws ec2 terminate-instances --instance-ids ${e.instanceId ?? '<instance-id>'}`
      ]),
      '```',
      ''
    )
  }
  return lines.join('\n')
}

function instanceIdOf(providerID: string | undefined): string | undefined {
  return providerID ? /\/(i-[0-9a-f]+)$/.exec(providerID)?.[1] : undefined
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {}
}

function preview(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value)
  return json.length > 120 ? `${json.slice(0, 117)}...` : json
}
