/**
 * How the pod-subnet check reaches the user: the `expected-nodes` parser, a finding per zone that
 * cannot serve its planned nodes (with the reservation command when a prefix reservation would
 * help), the summary table and the `pod-subnet-capacity` output. Pure.
 */
import { Inputs } from '../constants.js'
import { InputError } from '../inputs-parse.js'
import type { LintFinding } from '../lint.js'
import type { CapacityRow, ExpectedNodes } from './capacity.js'
import { code, text } from './markdown.js'

const PREFIX_DOC = 'https://docs.aws.amazon.com/eks/latest/userguide/cni-increase-ip-addresses.html'
const RESERVATION_DOC =
  'https://docs.aws.amazon.com/vpc/latest/userguide/subnet-cidr-reservation.html'

/**
 * `expected-nodes`: empty (today's nodes per zone, at least 1), one count for every zone (`3`), or
 * `zone=count` pairs by zone name or zone ID, separated by commas, spaces or newlines
 * (`ap-northeast-2a=3, apne2-az2=2`); a bare count among pairs applies to the zones not named.
 */
export function parseExpectedNodes(input: string, raw: string): ExpectedNodes {
  const result: ExpectedNodes = { byZone: {} }
  const expected =
    'a node count per zone: a whole number, or zone=count pairs such as ap-northeast-2a=3'
  for (const item of raw.split(/[\s,]+/).filter((x) => x !== '')) {
    const m = /^(?:([a-z0-9-]+)=)?(\d{1,5})$/.exec(item)
    if (!m) throw new InputError(input, raw, expected)
    const count = Number(m[2])
    if (m[1] === undefined) {
      if (result.all !== undefined)
        throw new InputError(input, raw, `${expected} (one bare count at most)`)
      result.all = count
    } else {
      if (m[1] in result.byZone)
        throw new InputError(input, raw, `${expected} (zone ${m[1]} twice)`)
      result.byZone[m[1]] = count
    }
  }
  return result
}

function awsCommand(row: CapacityRow, region: string): string | undefined {
  if (row.prefixReservations.length > 0 || !row.suggestedReservation) return undefined
  return (
    `aws ec2 create-subnet-cidr-reservation --subnet-id ${row.subnetId} ` +
    `--cidr ${row.suggestedReservation} --reservation-type prefix --region ${region}`
  )
}

/** One finding per pod subnet whose zone cannot serve its planned nodes. */
export function capacityFindings(rows: readonly CapacityRow[], region: string): LintFinding[] {
  return rows
    .filter((r) => r.verdict === 'fragmented' || r.verdict === 'full')
    .map((r) => {
      const needed = r.needed ?? { prefixes: 0, ips: 0, singleIps: 0 }
      const prefixes = needed.prefixes > 0
      const wants = prefixes
        ? `${needed.prefixes} free /28 blocks and ${needed.ips} addresses`
        : `${needed.ips} free addresses`
      const has = prefixes
        ? `${r.freeBlocks} free aligned /28 blocks and ${r.freeIps} free addresses`
        : `${r.freeIps} free addresses`
      const command = awsCommand(r, region)
      let fix: string
      if (r.verdict === 'fragmented' && command) {
        const blocks = 2 ** (28 - Number(r.suggestedReservation?.split('/')[1] ?? 28))
        fix =
          `The free addresses are scattered so that few whole /28 blocks remain, and EC2 fails prefix ` +
          `assignment with InsufficientCidrBlocks. For the blocks missing, free the scattered ` +
          `addresses or add a pod subnet with room; and reserve the ${blocks} whole block(s) left ` +
          `for prefixes, so that single addresses stop taking them: ${command}`
      } else if (r.verdict === 'fragmented' && r.prefixReservations.length > 0) {
        fix =
          `The subnet already has a prefix reservation (${r.prefixReservations.join(', ')}) and it is ` +
          'not enough: widen it, or add a pod subnet with room for the prefixes.'
      } else {
        fix = `Add a larger pod subnet in ${r.zone}, or plan fewer nodes there (${Inputs.ExpectedNodes}).`
      }
      return {
        rule: 'pod-subnet-capacity',
        title: `Zone ${r.zone} cannot serve ${r.nodes} planned node(s)`,
        message:
          `Pod subnet ${r.subnetId} (${r.cidr}) in zone ${r.zone} has ${has}; ${r.nodes} node(s), each ` +
          `${r.perNode?.basis ?? ''}, need ${wants}. ${fix}`,
        link: r.verdict === 'fragmented' ? RESERVATION_DOC : PREFIX_DOC
      }
    })
}

const VERDICT_TEXT: Record<CapacityRow['verdict'], string> = {
  ok: 'ok',
  fragmented: '**too fragmented**',
  full: '**too small**',
  unknown: 'unknown (name `instance-types`)'
}

/** The summary section. */
export function capacityMarkdown(rows: readonly CapacityRow[], region: string): string {
  if (rows.length === 0) return ''
  const prefixes = rows.some((r) => (r.perNode?.prefixes ?? 0) > 0)
  const basis = rows.find((r) => r.perNode)?.perNode?.basis
  const lines = [
    '### Pod subnet capacity',
    '',
    basis
      ? `Need per node: ${rows.find((r) => r.perNode)?.perNode?.prefixes ?? 0} /28 prefix(es), ` +
        `${rows.find((r) => r.perNode)?.perNode?.ips ?? 0} addresses, for ${basis}. ` +
        `Planned nodes per zone come from \`${Inputs.ExpectedNodes}\`, else today's nodes (at least 1).`
      : `Without prefix delegation, IP targets or \`${Inputs.InstanceTypes}\` the need cannot be computed.`,
    '',
    '| Subnet | Zone | Free IPs | Free /28 blocks | Nodes | Needed | Verdict |',
    '|---|---|--:|--:|--:|---|---|',
    ...rows.map((r) => {
      const needed = r.needed
        ? prefixes
          ? `${r.needed.prefixes} blocks, ${r.needed.ips} IPs`
          : `${r.needed.ips} IPs`
        : '?'
      return (
        `| ${code(r.subnetId)} | ${text(r.zone)} | ${r.freeIps} | ${r.freeBlocks} | ${r.nodes} | ${needed} | ` +
        `${VERDICT_TEXT[r.verdict]} |`
      )
    })
  ]
  const commands = rows.flatMap((r) => {
    const c = r.verdict === 'fragmented' ? awsCommand(r, region) : undefined
    return c ? [c] : []
  })
  if (commands.length > 0) {
    lines.push(
      '',
      'Reserve the remaining whole blocks for prefixes:',
      '',
      '```sh',
      ...commands,
      '```'
    )
  }
  return lines.join('\n') + '\n'
}

/** The `pod-subnet-capacity` output (JSON). */
export function capacityOutput(rows: readonly CapacityRow[]): object[] {
  return rows.map((r) => ({
    subnet: r.subnetId,
    zone: r.zone,
    zoneId: r.zoneId,
    cidr: r.cidr,
    freeIps: r.freeIps,
    freeBlocks: r.freeBlocks,
    nodes: r.nodes,
    nodesFrom: r.nodesFrom,
    perNode: r.perNode ? { prefixes: r.perNode.prefixes, ips: r.perNode.ips } : null,
    needed: r.needed ? { prefixes: r.needed.prefixes, ips: r.needed.ips } : null,
    prefixReservations: r.prefixReservations,
    suggestedReservation: r.suggestedReservation ?? null,
    verdict: r.verdict
  }))
}
