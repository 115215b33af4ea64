/**
 * Nodes that must be replaced. ipamd reads the custom-networking settings when a node starts, so
 * nodes that existed before the change keep giving pods IPs from the node subnet, with a
 * --max-pods computed for the old settings, until they are replaced.
 */
import type { KubernetesObject } from '@kubernetes/client-node'
import { AWS_NODE, awsNodeEnv } from './cni/aws-node.js'
import { LEGACY_ZONE_LABEL, ZONE_ID_LABEL, ZONE_LABEL } from './cni/eniconfig.js'
import { FIELD_MANAGER } from './constants.js'
import { latest, managedEntries, ownersOf } from './kube/managed-fields.js'
import { envPath, installerOf } from './kube/ownership.js'
import { asObject } from './json.js'

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

const NODEGROUP_LABEL = 'eks.amazonaws.com/nodegroup'

/** The aws-node env that decides which ENIs and how many pods a node gets when it starts. */
const CUSTOM_NETWORK = 'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG'
const LABEL_DEF = 'ENI_CONFIG_LABEL_DEF'
const ANNOTATION_DEF = 'ENI_CONFIG_ANNOTATION_DEF'
const PREFIX_DELEGATION = 'ENABLE_PREFIX_DELEGATION'

/**
 * What the cluster says about the settings that need new nodes: aws-node and the ENIConfigs as
 * read before this run wrote anything (with managedFields), and as this run's writes (or their
 * server-side dry runs) returned them. Objects not written are left out of `after`.
 */
export interface RecycleState {
  awsNodeBefore?: unknown
  awsNodeAfter?: unknown
  eniConfigsBefore: readonly unknown[]
  eniConfigsAfter: readonly unknown[]
  /**
   * When this run's writes took effect (or would, in a dry run), by the runner's clock: used only
   * when a written object does not carry the server's time in its managedFields.
   */
  changeTime: Date
}

/**
 * Nodes created before the last change that needs new nodes, sorted by name: custom networking
 * turned on, the ENIConfig label or annotation definition, prefix delegation, or (per zone) that
 * zone's ENIConfig subnet or security groups. A change this run makes counts from the time the
 * server recorded for the write (the action's managedFields entry; else `changeTime`);
 * an earlier one from the time of the managedFields entries that hold those fields, so a rerun
 * after a failed run lists the same nodes. Changes to anything else (log level, WARM_* targets,
 * images) list none. A node whose creation time cannot be read is listed when a change is known.
 */
export function nodesToRecycle(nodes: readonly NodeInfo[], state: RecycleState): RecycleEntry[] {
  const before = networkSettings(state.awsNodeBefore)
  const after = state.awsNodeAfter === undefined ? before : networkSettings(state.awsNodeAfter)
  const changedNow =
    (after.customNetworking && !before.customNetworking) ||
    (after.customNetworking &&
      (after.labelDef !== before.labelDef || after.annotationDef !== before.annotationDef)) ||
    after.prefixDelegation !== before.prefixDelegation
  const global = changedNow
    ? writeTime(state.awsNodeAfter, state.changeTime)
    : settingsTime(state.awsNodeBefore, after)
  const zones = after.customNetworking ? eniConfigTimes(state) : new Map<string, number>()
  const byZoneId = after.labelDef === ZONE_ID_LABEL
  return nodes
    .filter((n) => {
      const since = Math.max(global, zones.get((byZoneId ? n.zoneId : n.zone) ?? '') ?? 0)
      if (since === 0) return false
      const created = Date.parse(n.createdAt)
      return Number.isNaN(created) || created < since
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

interface NetworkSettings {
  customNetworking: boolean
  labelDef?: string
  annotationDef?: string
  prefixDelegation: boolean
}

function networkSettings(ds: unknown): NetworkSettings {
  const env = ds === undefined ? {} : awsNodeEnv(ds as KubernetesObject).env
  return {
    customNetworking: parseBool(env[CUSTOM_NETWORK]),
    labelDef: env[LABEL_DEF],
    annotationDef: env[ANNOTATION_DEF],
    prefixDelegation: parseBool(env[PREFIX_DELEGATION])
  }
}

/**
 * The latest time a manager wrote one of the settings that need new nodes and hold now: custom
 * networking and the label and annotation definitions while custom networking is on; prefix
 * delegation when it is on, or when someone other than the CNI's installer turned it off. 0 when
 * nothing is known.
 */
function settingsTime(ds: unknown, now: NetworkSettings): number {
  const entries = managedEntries(ds)
  const names: string[] = []
  if (now.customNetworking) names.push(CUSTOM_NETWORK, LABEL_DEF, ANNOTATION_DEF)
  const installer = installerOf(ds)
  const times = names.flatMap((name) =>
    ownersOf(entries, envPath(AWS_NODE, name)).map((e) => e.time)
  )
  const pdOwners = ownersOf(entries, envPath(AWS_NODE, PREFIX_DELEGATION))
  for (const e of pdOwners) if (now.prefixDelegation || e.manager !== installer) times.push(e.time)
  return timeOf(latest(times))
}

/**
 * Per ENIConfig name, when its subnet or security groups last changed: now when this run changes
 * or creates it, else the time of the managedFields entries that own them, else its creation.
 */
function eniConfigTimes(state: RecycleState): Map<string, number> {
  const times = new Map<string, number>()
  const nameOf = (o: unknown) => asObject(asObject(o).metadata).name
  const spec = (o: unknown) => {
    const s = asObject(asObject(o).spec)
    return JSON.stringify([s.subnet ?? null, s.securityGroups ?? null])
  }
  for (const live of state.eniConfigsBefore) {
    const name = nameOf(live)
    if (typeof name !== 'string') continue
    const paths = [
      [{ field: 'spec' }, { field: 'subnet' }],
      [{ field: 'spec' }, { field: 'securityGroups' }]
    ]
    const owned = paths.flatMap((p) => ownersOf(managedEntries(live), p).map((e) => e.time))
    const created = asObject(asObject(live).metadata).creationTimestamp
    times.set(
      name,
      timeOf(latest(owned)) ||
        timeOf(created instanceof Date ? created.toISOString() : String(created ?? ''))
    )
  }
  for (const written of state.eniConfigsAfter) {
    const name = nameOf(written)
    if (typeof name !== 'string') continue
    const live = state.eniConfigsBefore.find((o) => nameOf(o) === name)
    if (live === undefined || spec(live) !== spec(written))
      times.set(name, writeTime(written, state.changeTime))
  }
  return times
}

/**
 * The server's time of this run's write: the action's managedFields entry on the object the write
 * returned, so a runner clock that is off does not move nodes in or out of the list.
 */
function writeTime(written: unknown, fallback: Date): number {
  const ours = managedEntries(written).filter((e) => e.manager === FIELD_MANAGER)
  return timeOf(latest(ours.map((e) => e.time))) || fallback.getTime()
}

function timeOf(rfc3339: string): number {
  const t = Date.parse(rfc3339)
  return Number.isNaN(t) ? 0 : t
}

/** Go's strconv.ParseBool true set, which is how ipamd reads its booleans. */
function parseBool(value: string | undefined): boolean {
  return value !== undefined && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value.trim())
}

/**
 * Reads a Kubernetes Node, either plain JSON or a client-node V1Node (whose creationTimestamp is a
 * Date).
 *
 * @throws Error when the object has no metadata.name
 */
export function nodeFromObject(node: unknown): NodeInfo {
  const metadata = asObject(asObject(node).metadata)
  const name = metadata.name
  if (typeof name !== 'string' || name === '') {
    throw new Error(`Cannot read a Kubernetes Node without metadata.name: ${preview(node)}`)
  }
  const labels = asObject(metadata.labels)
  const label = (key: string): string | undefined =>
    typeof labels[key] === 'string' ? labels[key] : undefined
  const providerID = asObject(asObject(node).spec).providerID
  const created = metadata.creationTimestamp
  const info: NodeInfo = {
    name,
    // Nodes registered before Kubernetes 1.17 may carry only the legacy label.
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

function instanceIdOf(providerID: string | undefined): string | undefined {
  return providerID ? /\/(i-[0-9a-f]+)$/.exec(providerID)?.[1] : undefined
}

function preview(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value)
  return json.length > 120 ? `${json.slice(0, 117)}...` : json
}
