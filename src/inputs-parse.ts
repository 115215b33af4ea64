/**
 * The input validators: small pure functions that turn one raw input string into a typed value or
 * throw an InputError naming the input, quoting the value and saying what was expected. The lists
 * of EC2 resources (subnets, security groups, instance types) are in inputs-ec2.ts. The
 * patterns are strict on purpose: every accepted value is safe to show in YAML, a shell line or a
 * URL, so metacharacters never get further than here.
 */

/** A rejected input value. The message is complete on its own; the fields serve tests and hints. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    readonly value: string,
    readonly expected: string
  ) {
    super(`Input '${input}' has an invalid value ${quote(value)}: expected ${expected}`)
    this.name = 'InputError'
  }
}

/** Shows a value in an error: JSON quoting makes newlines and control characters visible. */
export function quote(value: string): string {
  const shown = value.length > 120 ? `${value.slice(0, 117)}...` : value
  return JSON.stringify(shown)
}

const TRUE = ['true', 'True', 'TRUE']
const FALSE = ['false', 'False', 'FALSE']

/** YAML 1.2 core booleans only, as core.getBooleanInput does: `yes`, `1` and `on` are errors. */
export function parseBoolean(input: string, raw: string): boolean {
  if (TRUE.includes(raw)) return true
  if (FALSE.includes(raw)) return false
  throw new InputError(input, raw, 'true or false')
}

/** A CNI switch: empty leaves the variable as the manifest has it. */
export function parseOptionalBoolean(input: string, raw: string): boolean | undefined {
  if (raw === '') return undefined
  if (TRUE.includes(raw)) return true
  if (FALSE.includes(raw)) return false
  throw new InputError(input, raw, 'true, false, or empty to leave the manifest value')
}

/** A whole number in [min, max]; no signs, decimals, units or exponents. */
export function parseInteger(input: string, raw: string, min: number, max: number): number {
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN
  if (Number.isNaN(value) || value < min || value > max) {
    throw new InputError(input, raw, `a whole number from ${min} to ${max}`)
  }
  return value
}

/** An ipamd target (WARM_IP_TARGET…): empty leaves it unset, otherwise a count of 0 or more. */
export function parseOptionalCount(input: string, raw: string): number | undefined {
  if (raw === '') return undefined
  const value = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN
  if (Number.isNaN(value) || value > 10000) {
    throw new InputError(input, raw, 'a whole number from 0 to 10000, or empty to leave it unset')
  }
  return value
}

/** A parser that takes the value as it is when it matches `pattern`, else says it expected `expected`. */
function matching(pattern: RegExp, expected: string): (input: string, raw: string) => string {
  return (input, raw) => {
    if (!pattern.test(raw)) throw new InputError(input, raw, expected)
    return raw
  }
}

/** EKS's own rule for cluster names. */
export const parseClusterName = matching(
  /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/,
  'an EKS cluster name: 1 to 100 letters, digits, hyphens and underscores, starting with a letter or digit'
)

/** AWS region codes across partitions: us-east-1, cn-north-1, us-gov-west-1, eusc-de-east-1. */
export const parseRegion = matching(
  /^[a-z]{2,4}(-[a-z]+){1,3}-\d{1,2}$/,
  'an AWS region code such as ap-northeast-2'
)

const parseRoleArnValue = matching(
  /^arn:aws(-cn|-us-gov|-iso|-iso-[a-z]|-eusc)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
  'an IAM role ARN such as arn:aws:iam::123456789012:role/deploy'
)

/** An IAM role ARN in any partition; empty means the default credential chain. */
export function parseRoleArn(input: string, raw: string): string | undefined {
  return raw === '' ? undefined : parseRoleArnValue(input, raw)
}

/** STS's RoleSessionName rule. */
export const parseSessionName = matching(
  /^[\w+=,.@-]{2,64}$/,
  '2 to 64 characters from letters, digits and +=,.@_-'
)

/** The OIDC audience: a plain name or URL-like string, no spaces or shell characters. */
export const parseAudience = matching(
  /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,254}$/,
  'an audience such as sts.amazonaws.com'
)

/** A Kubernetes label key: [prefix/]name, the prefix a DNS subdomain. */
export function parseLabelKey(input: string, raw: string): string {
  const slash = raw.lastIndexOf('/')
  const prefix = slash >= 0 ? raw.slice(0, slash) : undefined
  const name = raw.slice(slash + 1)
  const nameOk = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(name)
  const prefixOk =
    prefix === undefined ||
    (prefix.length <= 253 &&
      /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(prefix))
  if (!nameOk || !prefixOk) {
    throw new InputError(input, raw, 'a node label key such as topology.kubernetes.io/zone')
  }
  return raw
}

/** A release tag vX.Y.Z (the v is added when missing); empty means "work it out". */
export function parseVersionTag(input: string, raw: string, example: string): string | undefined {
  if (raw === '') return undefined
  const m = /^v?(\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(raw)
  if (!m) throw new InputError(input, raw, `a version such as ${example}, or empty`)
  return `v${m[1]}`
}

/** The kubectl a run asks for: one release, the latest patch of a minor, or the latest release. */
export type KubectlVersion =
  | { kind: 'exact'; /** vX.Y.Z */ version: string }
  | { kind: 'minor'; /** X.Y */ minor: string }
  | { kind: 'latest' }

/**
 * kubectl-version: vX.Y.Z, X.Y (its latest patch), `latest`, or empty (undefined: the latest patch
 * of the cluster's minor).
 */
export function parseKubectlVersion(input: string, raw: string): KubectlVersion | undefined {
  if (raw === '') return undefined
  if (raw === 'latest') return { kind: 'latest' }
  const m = /^v?(\d{1,3}\.\d{1,3})(\.\d{1,3})?$/.exec(raw)
  if (!m) {
    throw new InputError(
      input,
      raw,
      'a version such as v1.31.4, a minor such as 1.31, latest, or empty'
    )
  }
  return m[2] ? { kind: 'exact', version: `v${m[1]}${m[2]}` } : { kind: 'minor', minor: m[1] }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/**
 * An https URL (plain http only for a loopback mirror), without credentials, query or fragment.
 * Returned without a trailing slash so paths can be appended.
 */
export function parseHttpsUrl(input: string, raw: string, what: string): string {
  let url: URL | undefined
  try {
    url = /^[a-z][a-z0-9+.-]*:\/\/[^\s'"`$\\<>|;]+$/i.test(raw) ? new URL(raw) : undefined
  } catch {
    url = undefined
  }
  const ok =
    url !== undefined &&
    (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))) &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === ''
  if (!ok)
    throw new InputError(input, raw, `an https:// URL of ${what}, without credentials or query`)
  return raw.replace(/\/+$/, '')
}

/** Where the manifest comes from: an https URL or a file path. */
export type ManifestLocation = { url: string } | { path: string }

/** `manifest`: empty for the official one, else an https URL or a path on the runner. */
export function parseManifest(input: string, raw: string): ManifestLocation | undefined {
  if (raw === '') return undefined
  if (/^[a-z][a-z0-9+.-]*:/i.test(raw) && !/^[A-Za-z]:[\\/]/.test(raw)) {
    return { url: parseHttpsUrl(input, raw, 'an aws-k8s-cni.yaml manifest') }
  }
  if (hasControlCharacter(raw) || /[`$;|&<>*?'"\\]/.test(raw)) {
    throw new InputError(
      input,
      raw,
      'a file path without shell or control characters, or an https:// URL'
    )
  }
  return { path: raw }
}

/** A sha256 digest as 64 hex digits (lower-cased). */
export function parseSha256(input: string, raw: string): string | undefined {
  if (raw === '') return undefined
  if (!/^[0-9a-fA-F]{64}$/.test(raw))
    throw new InputError(input, raw, 'a sha256 digest: 64 hex digits')
  return raw.toLowerCase()
}

/** How image references are rewritten. */
export type ImageRegistrySetting =
  { mode: 'region' } | { mode: 'keep' } | { mode: 'custom'; registry: string }

/** `image-registry`: empty for the region's EKS registry, `keep`, or a registry host[/path]. */
export function parseImageRegistry(input: string, raw: string): ImageRegistrySetting {
  if (raw === '') return { mode: 'region' }
  if (raw === 'keep') return { mode: 'keep' }
  const host = '[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\\d{1,5})?'
  const path = '(/[a-z0-9]+([._-][a-z0-9]+)*)*'
  if (!new RegExp(`^${host}${path}$`).test(raw) || raw.length > 255) {
    throw new InputError(
      input,
      raw,
      "'keep', empty for the region's EKS registry, or a registry such as 602401143452.dkr.ecr.ap-northeast-2.amazonaws.com"
    )
  }
  return { mode: 'custom', registry: raw }
}

/** `env`: KEY=VALUE lines (blank lines and # comments skipped); keys are upper-case env names. */
export function parseEnvLines(input: string, raw: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const line of raw.split(/\r?\n/)) {
    const text = line.trim()
    if (text === '' || text.startsWith('#')) continue
    const eq = text.indexOf('=')
    if (eq < 0) throw new InputError(input, text, 'one KEY=VALUE per line')
    const key = text.slice(0, eq).trim()
    const value = text.slice(eq + 1).trim()
    if (!/^[A-Z0-9_]+$/.test(key)) {
      throw new InputError(input, text, 'a variable name of A-Z, 0-9 and _ before the =')
    }
    // Values reach the DaemonSet as data, never through a shell; control characters are refused
    // because they cannot round-trip through a workflow file or the job summary.
    if (hasControlCharacter(value)) {
      throw new InputError(input, text, 'a value without control characters')
    }
    if (key in env) throw new InputError(input, text, `${key} only once`)
    env[key] = value
  }
  return env
}

function hasControlCharacter(s: string): boolean {
  return [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)
}
