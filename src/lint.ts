/**
 * The settings linter: checks the aws-node env the run ends up with, the nodes and
 * the ENIConfigs for combinations that the VPC CNI accepts silently but that do not do what their
 * author meant. Each finding names the reason and links the official documentation.
 */
import { AWS_NODE, AWS_NODE_INIT_CONTAINER, envInteger, isTrue } from './cni/aws-node.js'
import { LEGACY_ZONE_LABEL, ZONE_ID_LABEL, ZONE_LABEL } from './cni/eniconfig.js'
import { Inputs } from './constants.js'
import { listSome } from './report/markdown.js'
import { type SettingContainer, settingInput } from './settings.js'

/** One problem with the effective settings, reported as a warning annotation. */
export interface LintFinding {
  /** Stable rule id, e.g. for tests and for users who search the README. */
  rule: string
  title: string
  /** The reason, and what to change. */
  message: string
  /** The amazon-vpc-cni-k8s README anchor or EKS user guide page that documents the rule. */
  link: string
  /**
   * 'notice': a valid, documented combination worth knowing about; shown in the job summary, never
   * an annotation, and not counted by fail-on-warnings. Absent means a warning.
   */
  severity?: 'notice'
}

/** Everything the linter looks at. */
export interface LintContext {
  /** Effective env of container aws-node after the edit. */
  env: Record<string, string>
  /** Effective env of init container aws-vpc-cni-init after the edit. */
  initEnv: Record<string, string>
  nodes: { name: string; zone: string; zoneId: string; instanceType?: string }[]
  /** Names of the ENIConfigs the run applies (plus any it keeps). */
  eniConfigNames: string[]
  /** The node label whose value names the ENIConfig. */
  labelDef: string
  /** Instance types from the `instance-types` input, as DescribeInstanceTypes describes them. */
  instanceTypes?: { instanceType: string; hypervisor: string }[]
}

const README = 'https://github.com/aws/amazon-vpc-cni-k8s'
const EKS_GUIDE = 'https://docs.aws.amazon.com/eks/latest/userguide'

/** README anchors of the variables the rules talk about (GitHub slugs of their headings). */
const ANCHOR: Record<string, string> = {
  WARM_IP_TARGET: 'warm_ip_target',
  MINIMUM_IP_TARGET: 'minimum_ip_target-v160',
  WARM_PREFIX_TARGET: 'warm_prefix_target-v190',
  WARM_ENI_TARGET: 'warm_eni_target',
  MAX_ENI: 'max_eni',
  AWS_VPC_ENI_MTU: 'aws_vpc_eni_mtu-v160',
  ENABLE_POD_ENI: 'enable_pod_eni-v170',
  DISABLE_TCP_EARLY_DEMUX: 'disable_tcp_early_demux-v173',
  ENABLE_PREFIX_DELEGATION: 'enable_prefix_delegation-v190',
  ENI_CONFIG_LABEL_DEF: 'eni_config_label_def',
  AWS_VPC_K8S_CNI_RANDOMIZESNAT: 'aws_vpc_k8s_cni_randomizesnat',
  POD_SECURITY_GROUP_ENFORCING_MODE: 'pod_security_group_enforcing_mode-v1110',
  AWS_VPC_K8S_CNI_LOGLEVEL: 'aws_vpc_k8s_cni_loglevel',
  AWS_VPC_K8S_PLUGIN_LOG_LEVEL: 'aws_vpc_k8s_plugin_log_level'
}
const readmeLink = (name: string): string => `${README}#${ANCHOR[name] ?? 'cni-env-vars'}`

/** The input a finding tells the user to change for a variable: its named input, else `env`. */
const inputFor = (name: string, container?: SettingContainer): Inputs =>
  settingInput(name, container) ?? Inputs.Env

/**
 * Integer variables and their sensible maximum. 250 is the most pods EKS runs on any node (the
 * max-pods cap above 30 vCPUs in amazon-eks-ami's max-pods calculator), so an IP target above it reserves addresses no pod can
 * use; 16 prefixes of 16 IPs already exceed it. ENI counts are capped by ipamd itself, and the MTU
 * range is the README's.
 */
const INTEGER_RANGES: Record<string, { min: number; max?: number; why?: string }> = {
  WARM_IP_TARGET: { min: 0, max: 250, why: 'no node runs more than 250 pods' },
  MINIMUM_IP_TARGET: { min: 0, max: 250, why: 'no node runs more than 250 pods' },
  WARM_PREFIX_TARGET: { min: 0, max: 16, why: '16 free /28 prefixes already hold 256 IPs' },
  WARM_ENI_TARGET: { min: 0 },
  MAX_ENI: { min: 0 },
  AWS_VPC_ENI_MTU: { min: 576, max: 9001, why: 'the README gives the valid range 576–9001' }
}

/** Variables documented as "Boolean as a String", on aws-node and on the init container. */
const BOOLEANS = new Set(
  `ANNOTATE_POD_IP AWS_MANAGE_ENIS_NON_SCHEDULABLE AWS_VPC_CNI_NODE_PORT_SUPPORT
  AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG
  AWS_VPC_K8S_CNI_EXTERNALSNAT DISABLE_INTROSPECTION DISABLE_LEAKED_ENI_CLEANUP
  DISABLE_METRICS DISABLE_NETWORK_RESOURCE_PROVISIONING DISABLE_POD_V6 DISABLE_TCP_EARLY_DEMUX
  ENABLE_BANDWIDTH_PLUGIN ENABLE_IMDS_ONLY_MODE ENABLE_IPv4 ENABLE_IPv6 ENABLE_MULTI_NIC
  ENABLE_NFTABLES ENABLE_POD_ENI ENABLE_PREFIX_DELEGATION ENABLE_SUBNET_DISCOVERY
  ENABLE_V4_EGRESS ENABLE_V6_EGRESS`.split(/\s+/)
)

/** Variables with a documented set of values, compared without case as the log levels are. */
const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']
const ENUMS: Record<string, string[]> = {
  AWS_VPC_K8S_CNI_RANDOMIZESNAT: ['hashrandom', 'prng', 'none'],
  POD_SECURITY_GROUP_ENFORCING_MODE: ['strict', 'standard'],
  AWS_VPC_K8S_CNI_LOGLEVEL: LOG_LEVELS,
  AWS_VPC_K8S_PLUGIN_LOG_LEVEL: LOG_LEVELS
}

/** Node labels whose value is the zone name. */
const ZONE_LABELS = new Set([ZONE_LABEL, LEGACY_ZONE_LABEL])

// EC2 throttling, after the VPC CNI README's WARM_IP_TARGET note (a small target means more EC2
// calls). The README gives no numbers: below 5 IPs on more than 50 nodes is where this rule warns.
const SMALL_WARM_IP_TARGET = 5
const LARGE_CLUSTER_NODES = 50

/** Runs every rule; an empty list means the configuration is clean. */
export function lintSettings(ctx: LintContext): LintFinding[] {
  return [
    ...ipTargetsOverridePrefixTarget(ctx.env),
    ...podEniWithoutEarlyDemux(ctx),
    ...customNetworkingWithoutLabel(ctx.env),
    ...zonesWithoutEniConfig(ctx),
    ...prefixDelegationOffNitro(ctx),
    ...warmIpTargetThrottling(ctx),
    ...valuesOutOfRange(ctx.env, AWS_NODE),
    ...valuesOutOfRange(ctx.initEnv, AWS_NODE_INIT_CONTAINER)
  ]
}

function ipTargetsOverridePrefixTarget(env: Record<string, string>): LintFinding[] {
  const ipTargets = ['WARM_IP_TARGET', 'MINIMUM_IP_TARGET'].filter((k) => positive(env[k]))
  if (!isTrue(env.ENABLE_PREFIX_DELEGATION) || !positive(env.WARM_PREFIX_TARGET)) return []
  if (ipTargets.length === 0) return []
  const set = ipTargets.map((k) => `${k}=${env[k]}`).join(' and ')
  return [
    {
      rule: 'ip-targets-override-prefix-target',
      // The origin's defaults set both, which the CNI documents as valid: the IP targets win.
      severity: 'notice',
      title: `${ipTargets.join(' and ')} override WARM_PREFIX_TARGET`,
      message:
        `With ENABLE_PREFIX_DELEGATION=true, ${set} make ipamd ignore ` +
        `WARM_PREFIX_TARGET=${env.WARM_PREFIX_TARGET}: the warm pool is sized in IPs, not in /28 prefixes. ` +
        `If you meant the prefix target, leave ${ipTargets.join(' and ')} unset (` +
        ipTargets.map((k) => `${inputFor(k)}: ''`).join(', ') +
        `) to use WARM_PREFIX_TARGET; or unset WARM_PREFIX_TARGET (${inputFor('WARM_PREFIX_TARGET')}: '') ` +
        `to state the IP targets alone.`,
      link: readmeLink('WARM_PREFIX_TARGET')
    }
  ]
}

function podEniWithoutEarlyDemux(ctx: LintContext): LintFinding[] {
  if (!isTrue(ctx.env.ENABLE_POD_ENI) || isTrue(ctx.initEnv.DISABLE_TCP_EARLY_DEMUX)) return []
  const now = ctx.initEnv.DISABLE_TCP_EARLY_DEMUX
  return [
    {
      rule: 'pod-eni-without-tcp-early-demux',
      title: 'ENABLE_POD_ENI without DISABLE_TCP_EARLY_DEMUX',
      message:
        `ENABLE_POD_ENI=true turns on security groups for pods, but init container aws-vpc-cni-init has ` +
        `DISABLE_TCP_EARLY_DEMUX=${now ?? '(unset)'}: kubelet's TCP liveness and readiness probes to pods ` +
        `with their own security group then fail. Set DISABLE_TCP_EARLY_DEMUX=true ` +
        `(${inputFor('DISABLE_TCP_EARLY_DEMUX', AWS_NODE_INIT_CONTAINER)}: true).`,
      link: readmeLink('DISABLE_TCP_EARLY_DEMUX')
    }
  ]
}

function customNetworkingWithoutLabel(env: Record<string, string>): LintFinding[] {
  if (!isTrue(env.AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG)) return []
  if (env.ENI_CONFIG_LABEL_DEF || env.ENI_CONFIG_ANNOTATION_DEF) return []
  return [
    {
      rule: 'custom-networking-without-label-def',
      title: 'Custom networking without ENI_CONFIG_LABEL_DEF',
      message:
        'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true but neither ENI_CONFIG_LABEL_DEF nor ' +
        'ENI_CONFIG_ANNOTATION_DEF is set, so ipamd reads the ENIConfig name from the node label ' +
        'k8s.amazonaws.com/eniConfig, which EKS nodes do not carry, and the per-zone ENIConfigs are never ' +
        `picked. Set ENI_CONFIG_LABEL_DEF=${ZONE_LABEL} ` +
        `(${inputFor('ENI_CONFIG_LABEL_DEF')}).`,
      link: readmeLink('ENI_CONFIG_LABEL_DEF')
    }
  ]
}

function zonesWithoutEniConfig(ctx: LintContext): LintFinding[] {
  if (!isTrue(ctx.env.AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG)) return []
  const byZoneId = ctx.labelDef === ZONE_ID_LABEL
  // With any other label the value is set by hand, so the nodes' zones say nothing about it.
  if (!byZoneId && !ZONE_LABELS.has(ctx.labelDef)) return []
  const configs = new Set(ctx.eniConfigNames)
  const missing = new Map<string, string[]>()
  for (const node of ctx.nodes) {
    const key = byZoneId ? node.zoneId : node.zone
    if (!key || configs.has(key)) continue
    missing.set(key, [...(missing.get(key) ?? []), node.name])
  }
  return [...missing]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([zone, names]) => ({
      rule: 'zone-without-eniconfig',
      title: `No ENIConfig for ${byZoneId ? 'zone ID' : 'zone'} ${zone}`,
      message:
        `${names.length} node(s) carry ${ctx.labelDef}=${zone} (${listSome(names)}) but there is no ` +
        `ENIConfig named ${zone}. With custom networking ipamd on those nodes finds no ENIConfig, attaches ` +
        `no pod ENI, and new pods there wait for an IP. Add a pod subnet in ${zone} to ` +
        `${Inputs.Subnets}, or move the nodes out of that zone.`,
      link: `${EKS_GUIDE}/cni-custom-network-tutorial.html`
    }))
}

function prefixDelegationOffNitro(ctx: LintContext): LintFinding[] {
  if (!isTrue(ctx.env.ENABLE_PREFIX_DELEGATION)) return []
  // EC2 reports bare metal without a hypervisor; those are Nitro systems, which the README supports.
  const xen = (ctx.instanceTypes ?? []).filter(
    (t) => t.hypervisor !== 'nitro' && t.hypervisor !== ''
  )
  if (xen.length === 0) return []
  const names = xen.map((t) => `${t.instanceType} (${t.hypervisor})`)
  return [
    {
      rule: 'prefix-delegation-non-nitro',
      title: 'Prefix delegation on non-Nitro instance types',
      message:
        `ENABLE_PREFIX_DELEGATION=true works on Nitro instances only; ${listSome(names)} ` +
        `${xen.length === 1 ? 'is' : 'are'} not Nitro, so nodes of ` +
        `${xen.length === 1 ? 'that type' : 'those types'} get single secondary IPs and far fewer pods ` +
        'than their prefix-delegation --max-pods would suggest. Use Nitro types for these node groups.',
      link: `${EKS_GUIDE}/cni-increase-ip-addresses.html`
    }
  ]
}

function warmIpTargetThrottling(ctx: LintContext): LintFinding[] {
  const warm = envInteger(ctx.env.WARM_IP_TARGET)
  if (warm === undefined || warm <= 0 || warm >= SMALL_WARM_IP_TARGET) return []
  if (ctx.nodes.length <= LARGE_CLUSTER_NODES) return []
  return [
    {
      rule: 'warm-ip-target-throttling',
      title: `WARM_IP_TARGET=${warm} on ${ctx.nodes.length} nodes`,
      message:
        `A WARM_IP_TARGET below ${SMALL_WARM_IP_TARGET} makes every node call the EC2 API to assign or ` +
        `release IPs on nearly every pod start and stop; with ${ctx.nodes.length} nodes (more than ` +
        `${LARGE_CLUSTER_NODES}) those calls get throttled and pods wait for IPs. Raise ` +
        `WARM_IP_TARGET, rely on MINIMUM_IP_TARGET, or use WARM_PREFIX_TARGET with prefix delegation.`,
      link: readmeLink('WARM_IP_TARGET')
    }
  ]
}

function valuesOutOfRange(env: Record<string, string>, container: string): LintFinding[] {
  const findings: LintFinding[] = []
  const finding = (name: string, value: string, reason: string): void => {
    findings.push({
      rule: 'value-out-of-range',
      title: `${name}=${value} is out of range`,
      message: `${name}=${JSON.stringify(value)} on container ${container}: ${reason}`,
      link: readmeLink(name)
    })
  }
  for (const [name, value] of Object.entries(env)) {
    // An empty value means unset to ipamd, and the action's inputs use it that way.
    if (value === '') continue
    const range = INTEGER_RANGES[name]
    const choices = ENUMS[name]
    if (range) {
      const n = envInteger(value)
      if (n === undefined) {
        finding(name, value, 'not an integer, so ipamd ignores it and uses its default.')
      } else if (n < range.min) {
        finding(name, value, `below ${range.min}${n < 0 ? '; a negative value means unset' : ''}.`)
      } else if (range.max !== undefined && n > range.max) {
        finding(name, value, `above ${range.max}: ${range.why ?? 'not a sensible value'}.`)
      }
    } else if (BOOLEANS.has(name) && value !== 'true' && value !== 'false') {
      finding(
        name,
        value,
        "a boolean; write 'true' or 'false', which every CNI version reads alike."
      )
    } else if (choices && !choices.some((c) => c.toLowerCase() === value.toLowerCase())) {
      finding(name, value, `valid values are ${choices.join(', ')}.`)
    }
  }
  return findings
}

/** ipamd treats zero and negative targets as unset. */
function positive(value: string | undefined): boolean {
  const n = envInteger(value)
  return n !== undefined && n > 0
}
