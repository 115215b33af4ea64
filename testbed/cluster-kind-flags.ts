/**
 * The command-line flags for the kind of cluster the test bed starts (who owns the VPC CNI,
 * Auto Mode, IP family, cluster status, add-on timing), kept apart from the other flags.
 */
import type { TestbedOptions } from './index.js'

export const CLUSTER_KIND_HELP = `
Cluster kind:
  --cni-mode <mode>         how the preinstalled VPC CNI is owned: self-managed | addon (default
                            self-managed); addon creates the vpc-cni EKS add-on (fields owned by eks)
  --addon-config <values>   configurationValues (JSON or YAML) the preinstalled add-on starts with
  --auto-mode               EKS Auto Mode: computeConfig.enabled, no aws-node
  --ip-family <family>      ipv4 | ipv6 (default ipv4); ipv6 runs aws-node as EKS does for IPv6
  --cluster-status <s>      ACTIVE | CREATING (default ACTIVE); CREATING turns ACTIVE later
  --cluster-active-after-ms <ms>  when a CREATING cluster turns ACTIVE (default 3000)
  --addon-delay-ms <ms>     how long an add-on create/update/delete stays in progress (default 1000)
  (--cni-version none with the default --cni-mode gives a cluster with no CNI at all)
`

export const CLUSTER_KIND_OPTIONS = {
  'cni-mode': { type: 'string' },
  'addon-config': { type: 'string' },
  'auto-mode': { type: 'boolean' },
  'ip-family': { type: 'string' },
  'cluster-status': { type: 'string' },
  'cluster-active-after-ms': { type: 'string' },
  'addon-delay-ms': { type: 'string' }
} as const

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>

function oneOf<T extends string>(name: string, v: unknown, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'string' || !allowed.includes(v as T))
    throw new Error(`--${name} must be ${allowed.join(' or ')}, got "${String(v)}"`)
  return v as T
}

function ms(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'string' || !/^\d+$/.test(v))
    throw new Error(`--${name} must be a non-negative integer, got "${String(v)}"`)
  return Number(v)
}

/** The TestbedOptions the cluster-kind flags ask for; throws on invalid values. */
export function clusterKindOptions(values: Values): Partial<TestbedOptions> {
  const out: Partial<TestbedOptions> = {
    cniMode: oneOf('cni-mode', values['cni-mode'], ['self-managed', 'addon'] as const),
    addonConfigurationValues: values['addon-config'] as string | undefined,
    autoMode: values['auto-mode'] === true ? true : undefined,
    ipFamily: oneOf('ip-family', values['ip-family'], ['ipv4', 'ipv6'] as const),
    clusterStatus: oneOf('cluster-status', values['cluster-status'], [
      'ACTIVE',
      'CREATING'
    ] as const),
    clusterActiveAfterMs: ms('cluster-active-after-ms', values['cluster-active-after-ms']),
    addonUpdateDelayMs: ms('addon-delay-ms', values['addon-delay-ms'])
  }
  if (out.cniMode === 'addon' && out.autoMode)
    throw new Error('--cni-mode addon and --auto-mode exclude each other')
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined))
}
