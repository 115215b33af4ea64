/**
 * The `max-pods` output and its job-summary section: per instance type, the kubelet max-pods that
 * matches the settings applied, the AL2023 and Bottlerocket configuration that sets it
 * (report/node-config.ts), and a nodeadm `maxPodsExpression` that computes it on any type, since
 * nodeadm's own default ignores custom networking.
 */
import { maxPods, type InstanceNetworkInfo } from './cni/max-pods.js'
import { code } from './report/markdown.js'
import { nodeConfigMarkdown } from './report/node-config.js'

/** One instance type's figures. */
export interface MaxPodsRow {
  instanceType: string
  /** With the settings applied, capped at 110 or 250. */
  maxPods: number
  /** Without custom networking or prefix delegation, capped: what the node would get by default. */
  standard: number
  /** ENIs of the default network card. */
  enis: number
  ipsPerEni: number
  nitro: boolean
  vcpus: number
}

/** The settings that change the figure. */
export interface MaxPodsSettings {
  customNetworking: boolean
  prefixDelegation: boolean
}

/**
 * One row per instance type, in the order given.
 *
 * @throws Error when cniVersion is not like v1.19.6
 */
export function maxPodsTable(
  types: InstanceNetworkInfo[],
  o: MaxPodsSettings & { cniVersion: string }
): MaxPodsRow[] {
  return types.map((t) => ({
    instanceType: t.instanceType,
    maxPods: maxPods(t, o),
    standard: maxPods(t, {
      cniVersion: o.cniVersion,
      customNetworking: false,
      prefixDelegation: false
    }),
    enis: t.maxEnis,
    ipsPerEni: t.ipv4PerEni,
    nitro: t.hypervisor === 'nitro',
    vcpus: t.vcpus
  }))
}

/** The `max-pods` output: instance type → --max-pods. */
export function maxPodsOutput(rows: MaxPodsRow[]): Record<string, number> {
  return Object.fromEntries(rows.map((r) => [r.instanceType, r.maxPods]))
}

/**
 * The summary section: the table, the AL2023 and Bottlerocket configuration per type, and an AL2023
 * NodeConfig whose maxPodsExpression computes the same figure on the node (one per cap, since the
 * variables nodeadm documents for the expression are only default_enis, ips_per_eni and max_pods,
 * and it applies no cap itself).
 */
export function maxPodsMarkdown(rows: MaxPodsRow[], o: MaxPodsSettings): string {
  if (rows.length === 0) return ''
  const lines = [
    '### Max pods per node',
    '',
    `Settings: custom networking ${onOff(o.customNetworking)}, prefix delegation ${onOff(o.prefixDelegation)}. ` +
      'Capped at 110 pods, or 250 above 30 vCPUs, as the EKS max-pods calculator does.',
    '',
    '| Instance type | vCPUs | ENIs | IPv4 per ENI | Nitro | Standard | Max pods |',
    '|---|--:|--:|--:|:-:|--:|--:|',
    ...rows.map(
      (r) =>
        `| ${code(r.instanceType)} | ${r.vcpus} | ${r.enis} | ${r.ipsPerEni} | ${r.nitro ? 'yes' : 'no'} | ` +
        `${r.standard} | **${r.maxPods}** |`
    ),
    '',
    nodeConfigMarkdown(rows),
    '#### One NodeConfig for every instance type (AL2023)',
    '',
    'nodeadm computes `max_pods` from all ENIs and knows nothing of custom networking or prefix delegation. ' +
      'This `maxPodsExpression` computes the figure above on the node:',
    ''
  ]
  const caps = [...new Set(rows.map(capOf))].sort((a, b) => a - b)
  for (const cap of caps) {
    const types = rows.filter((r) => capOf(r) === cap).map((r) => r.instanceType)
    if (caps.length > 1) lines.push(`For ${types.join(', ')} (cap ${cap}):`, '')
    lines.push(
      '```yaml',
      'apiVersion: node.eks.aws/v1alpha1',
      'kind: NodeConfig',
      'spec:',
      '  kubelet:',
      `    maxPodsExpression: "${maxPodsExpression(o, cap)}"`,
      '```',
      ''
    )
  }
  lines.push(
    `The uncapped form is \`${uncappedExpression(o)}\`; nodeadm applies no cap of its own. ` +
      'A `kubelet.config.maxPods` in the NodeConfig takes precedence over the expression.'
  )
  const xen = rows.filter((r) => !r.nitro).map((r) => r.instanceType)
  if (o.prefixDelegation && xen.length > 0) {
    lines.push(
      '',
      `Prefix delegation needs Nitro: the expression assumes it, so for ${xen.join(', ')} set ` +
        '`kubelet.config.maxPods` to the table figure instead.'
    )
  }
  return lines.join('\n') + '\n'
}

/** CEL for the pods a node of any type holds under these settings, without the cap. */
function uncappedExpression(o: MaxPodsSettings): string {
  const enis = o.customNetworking ? '(default_enis - 1)' : 'default_enis'
  // Each secondary IP slot holds a /28 prefix under prefix delegation.
  const perEni = o.prefixDelegation ? '((ips_per_eni - 1) * 16)' : '(ips_per_eni - 1)'
  return `(${enis} * ${perEni}) + 2`
}

/** CEL has no min() without extensions, so the cap is a conditional. */
function maxPodsExpression(o: MaxPodsSettings, cap: number): string {
  const e = uncappedExpression(o)
  return `${e} > ${cap} ? ${cap} : ${e}`
}

function capOf(r: MaxPodsRow): number {
  return r.vcpus > 30 ? 250 : 110
}

function onOff(on: boolean): string {
  return on ? 'on' : 'off'
}
