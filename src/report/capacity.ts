/**
 * Can each pod subnet serve the nodes planned in its zone? Pure: what one node needs under the VPC
 * CNI settings applied, times the nodes planned per zone, against the free addresses and free
 * aligned /28 blocks of the zone's pod subnet.
 */
import type { MaxPodsRow } from '../max-pods-report.js'
import { PREFIX_SIZE } from './subnet-blocks.js'

/** The ipamd settings that size a node's pool of addresses (aws-node's env after the edit). */
export interface PoolSettings {
  prefixDelegation: boolean
  customNetworking: boolean
  warmPrefixTarget?: number
  warmIpTarget?: number
  minimumIpTarget?: number
  warmEniTarget?: number
}

/** What one node takes from its zone's pod subnet. */
export interface NodeNeed {
  /** /28 prefixes (0 without prefix delegation). */
  prefixes: number
  /** Addresses: the prefixes' 16 each plus each pod ENI's own primary address, or single IPs. */
  ips: number
  /** Of `ips`, the single addresses (ENI primaries; every address without prefix delegation). */
  singleIps: number
  /** How the figure was reached, for the summary. */
  basis: string
}

/** ipamd reads zero and negative targets as unset. */
const set = (n: number | undefined): n is number => n !== undefined && n > 0

/**
 * One node's need, for a node full of pods when its instance type is known, else for a node that
 * has just started (no pods yet: only the warm pool).
 *
 * With prefix delegation the rules of
 * https://github.com/aws/amazon-vpc-cni-k8s/blob/master/docs/prefix-and-ip-target.md apply, with
 * P the pods that need an IP (max-pods minus the 2 host-network pods, aws-node and kube-proxy):
 * - WARM_IP_TARGET or MINIMUM_IP_TARGET set: they override WARM_PREFIX_TARGET, and ipamd holds
 *   enough whole prefixes for max(MINIMUM_IP_TARGET, P + WARM_IP_TARGET) addresses, so
 *   prefixes = max(ceil(MINIMUM_IP_TARGET / 16), ceil((P + WARM_IP_TARGET) / 16), 1)
 *   ("asking for minimum of 20 IPv4 addresses is equally as asking 32");
 * - otherwise WARM_PREFIX_TARGET whole free prefixes stay on top of the used ones:
 *   prefixes = ceil(P / 16) + WARM_PREFIX_TARGET (1, the manifest's value, when unset).
 * The examples table of that page gives the same figures (t3.small, WARM_PREFIX_TARGET=1: 0, 5, 16,
 * 17 pods → 1, 2, 2, 3 prefixes; WARM_IP_TARGET=7 and MINIMUM_IP_TARGET=20: 17 pods → 2, 58 → 5).
 * A node never holds more prefixes than its pod ENIs have slots: (ENIs − 1 with custom
 * networking) × (IPv4 per ENI − 1). Every pod ENI also takes one single address, its primary.
 *
 * Without prefix delegation the same targets count single addresses; with neither target set,
 * WARM_ENI_TARGET whole ENIs stay free, which needs the instance type (undefined without it).
 */
export function nodeNeed(s: PoolSettings, type?: MaxPodsRow): NodeNeed | undefined {
  const pods = type ? Math.max(0, type.maxPods - 2) : 0
  const ipTargets = set(s.warmIpTarget) || set(s.minimumIpTarget)
  const warmIp = set(s.warmIpTarget) ? s.warmIpTarget : 0
  const minIp = set(s.minimumIpTarget) ? s.minimumIpTarget : 0
  const podEnis = type ? Math.max(1, type.enis - (s.customNetworking ? 1 : 0)) : undefined
  const slotsPerEni = type ? Math.max(1, type.ipsPerEni - 1) : undefined
  const basis = type
    ? `a full ${type.instanceType} node (${pods} pod IPs)`
    : 'a node that has just started (no pods yet)'
  if (s.prefixDelegation) {
    let prefixes = ipTargets
      ? Math.max(Math.ceil(minIp / PREFIX_SIZE), Math.ceil((pods + warmIp) / PREFIX_SIZE), 1)
      : Math.ceil(pods / PREFIX_SIZE) + (s.warmPrefixTarget ?? 1)
    prefixes = Math.max(1, prefixes)
    if (podEnis !== undefined && slotsPerEni !== undefined) {
      prefixes = Math.min(prefixes, podEnis * slotsPerEni)
    }
    const enis = slotsPerEni !== undefined ? Math.ceil(prefixes / slotsPerEni) : 1
    return { prefixes, ips: prefixes * PREFIX_SIZE + enis, singleIps: enis, basis }
  }
  if (ipTargets) {
    let secondary = Math.max(minIp, pods + warmIp, 1)
    if (podEnis !== undefined && slotsPerEni !== undefined) {
      secondary = Math.min(secondary, podEnis * slotsPerEni)
    }
    const enis = slotsPerEni !== undefined ? Math.ceil(secondary / slotsPerEni) : 1
    return { prefixes: 0, ips: secondary + enis, singleIps: secondary + enis, basis }
  }
  if (!type || podEnis === undefined || slotsPerEni === undefined) return undefined
  const enis = Math.min(podEnis, Math.ceil(pods / slotsPerEni) + (s.warmEniTarget ?? 1))
  // Without IP targets ipamd fills every attached ENI with all its secondary addresses.
  return { prefixes: 0, ips: enis * (slotsPerEni + 1), singleIps: enis * (slotsPerEni + 1), basis }
}

/** The largest need among the instance types (any of them may land in any zone). */
export function worstNodeNeed(s: PoolSettings, types: readonly MaxPodsRow[]): NodeNeed | undefined {
  if (types.length === 0) return nodeNeed(s)
  const needs = types.map((t) => nodeNeed(s, t))
  if (needs.some((n) => n === undefined)) return undefined
  return (needs as NodeNeed[]).reduce((a, b) =>
    b.prefixes > a.prefixes || (b.prefixes === a.prefixes && b.ips > a.ips) ? b : a
  )
}

/** One pod subnet as EC2 describes it, with the blocks counted. */
export interface SubnetFacts {
  subnetId: string
  zone: string
  zoneId: string
  cidr: string
  /** DescribeSubnets' AvailableIpAddressCount. */
  freeIps: number
  freeBlocks: number
  /** CIDRs of the subnet's `prefix` reservations. */
  prefixReservations: string[]
  /** Where a prefix reservation would fit (see suggestPrefixReservation). */
  suggestedReservation?: string
}

export type Verdict = 'ok' | 'fragmented' | 'full' | 'unknown'

/** One row of the summary table and of the `pod-subnet-capacity` output. */
export interface CapacityRow extends SubnetFacts {
  /** Nodes planned in the zone. */
  nodes: number
  /** Where `nodes` came from. */
  nodesFrom: 'expected-nodes' | 'current nodes' | 'minimum'
  perNode?: NodeNeed
  needed?: { prefixes: number; ips: number; singleIps: number }
  verdict: Verdict
}

/** Nodes planned per zone: from `expected-nodes`, else today's nodes there, at least 1. */
export function plannedNodes(
  zone: { zone: string; zoneId: string },
  expected: ExpectedNodes,
  nodeZones: readonly string[]
): { nodes: number; from: CapacityRow['nodesFrom'] } {
  const given = expected.byZone[zone.zone] ?? expected.byZone[zone.zoneId] ?? expected.all
  if (given !== undefined) return { nodes: given, from: 'expected-nodes' }
  const today = nodeZones.filter((z) => z === zone.zone || z === zone.zoneId).length
  return today > 0 ? { nodes: today, from: 'current nodes' } : { nodes: 1, from: 'minimum' }
}

/** The `expected-nodes` input: one count for every zone, and/or counts by zone name or ID. */
export interface ExpectedNodes {
  all?: number
  byZone: Record<string, number>
}

/**
 * Verdict per subnet. Too few free aligned blocks for the prefixes is `fragmented` when the free
 * addresses would cover them (a prefix reservation can gather what is left), else `full`; too few
 * free addresses for the single ones (ENI primaries, or every pod IP without prefixes) is `full`.
 */
export function capacityRows(
  subnets: readonly SubnetFacts[],
  need: NodeNeed | undefined,
  expected: ExpectedNodes,
  nodeZones: readonly string[]
): CapacityRow[] {
  return subnets.map((s) => {
    const { nodes, from } = plannedNodes(s, expected, nodeZones)
    if (!need) return { ...s, nodes, nodesFrom: from, verdict: 'unknown' }
    const needed = {
      prefixes: need.prefixes * nodes,
      ips: need.ips * nodes,
      singleIps: need.singleIps * nodes
    }
    const verdict: Verdict =
      s.freeBlocks < needed.prefixes
        ? s.freeIps >= needed.ips
          ? 'fragmented'
          : 'full'
        : s.freeIps < needed.singleIps
          ? 'full'
          : 'ok'
    return { ...s, nodes, nodesFrom: from, perNode: need, needed, verdict }
  })
}
