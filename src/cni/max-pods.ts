/**
 * Max pods per node, ported exactly from amazon-eks-ami's max-pods-calculator.sh, which was deleted
 * upstream although node groups with custom networking still need it. Last published at
 * https://github.com/awslabs/amazon-eks-ami/blob/v20260304/templates/al2/runtime/max-pods-calculator.sh
 */
import { isTrue } from './aws-node.js'

/** What DescribeInstanceTypes says about an instance type's networking. */
export interface InstanceNetworkInfo {
  instanceType: string
  hypervisor: string
  vcpus: number
  maxEnis: number
  ipv4PerEni: number
}

/** The CNI settings that change the figure. */
export interface MaxPodsOptions {
  cniVersion: string
  customNetworking: boolean
  prefixDelegation: boolean
  /** The CNI's MAX_ENI, when set. */
  maxEni?: number
  /** The calculator's --show-max-allowed: skip the 110/250 cap (eni-max-pods.txt figures). */
  uncapped?: boolean
}

/**
 * The settings of MaxPodsOptions that come from aws-node's env, read as ipamd reads them:
 * custom networking, prefix delegation, and MAX_ENI when it is a whole number.
 */
export function maxPodsEnvSettings(
  env: Readonly<Record<string, string>>
): Pick<MaxPodsOptions, 'customNetworking' | 'prefixDelegation' | 'maxEni'> {
  const maxEni = /^\d+$/.test(env.MAX_ENI ?? '') ? Number(env.MAX_ENI) : undefined
  return {
    customNetworking: isTrue(env.AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG),
    prefixDelegation: isTrue(env.ENABLE_PREFIX_DELEGATION),
    ...(maxEni !== undefined ? { maxEni } : {})
  }
}

// Each secondary IP slot holds a /28 prefix under prefix delegation.
const IPS_PER_PREFIX = 16

/**
 * The `--max-pods` for a node of this type.
 *
 * @throws Error when cniVersion is not of the form vX.Y.Z / X.Y.Z
 */
export function maxPods(info: InstanceNetworkInfo, o: MaxPodsOptions): number {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:-[0-9A-Za-z.-]+)?$/.exec(o.cniVersion.trim())
  if (!m) {
    throw new Error(`Cannot compute max pods: CNI version '${o.cniVersion}' is not like v1.19.6`)
  }
  const [major, minor] = [Number(m[1]), Number(m[2])]
  const pdSupported = major > 1 || (major === 1 && minor > 8)
  let enis = o.maxEni !== undefined ? Math.min(o.maxEni, info.maxEnis) : info.maxEnis
  // With custom networking the primary ENI keeps the node's subnet and hosts no pods.
  if (o.customNetworking) enis -= 1
  const slots = info.ipv4PerEni - 1
  const pods =
    info.hypervisor === 'nitro' && o.prefixDelegation && pdSupported
      ? enis * (slots * IPS_PER_PREFIX) + 2
      : enis * slots + 2
  if (o.uncapped) return pods
  return Math.min(info.vcpus > 30 ? 250 : 110, pods)
}

/**
 * Reads an EC2 DescribeInstanceTypes `InstanceTypeInfo`: ENIs of the default network card (or
 * NetworkInfo.MaximumNetworkInterfaces without cards), IPv4 per ENI, hypervisor ('' for bare
 * metal, which EC2 reports without one) and default vCPUs.
 *
 * @throws Error naming the type and the missing field
 */
export function networkInfoFromInstanceType(t: unknown): InstanceNetworkInfo {
  const info = asRecord(t)
  if (typeof info.InstanceType !== 'string') {
    throw new Error('DescribeInstanceTypes gave an entry without InstanceType')
  }
  const instanceType = info.InstanceType
  const fail = (field: string): never => {
    throw new Error(`DescribeInstanceTypes gave no ${field} for instance type ${instanceType}`)
  }
  const network = asRecord(info.NetworkInfo)
  const cards = Array.isArray(network.NetworkCards) ? network.NetworkCards.map(asRecord) : []
  const defaultIndex = numberOr(network.DefaultNetworkCardIndex, 0)
  const card = cards.find((c) => c.NetworkCardIndex === defaultIndex) ?? cards[defaultIndex]
  const maxEnis = numberOr(card?.MaximumNetworkInterfaces ?? network.MaximumNetworkInterfaces, NaN)
  const ipv4PerEni = numberOr(network.Ipv4AddressesPerInterface, NaN)
  const vcpus = numberOr(asRecord(info.VCpuInfo).DefaultVCpus, NaN)
  if (Number.isNaN(maxEnis)) fail('NetworkInfo.MaximumNetworkInterfaces')
  if (Number.isNaN(ipv4PerEni)) fail('NetworkInfo.Ipv4AddressesPerInterface')
  if (Number.isNaN(vcpus)) fail('VCpuInfo.DefaultVCpus')
  const hypervisor = typeof info.Hypervisor === 'string' ? info.Hypervisor : ''
  return { instanceType, hypervisor, vcpus, maxEnis, ipv4PerEni }
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {}
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback
}
