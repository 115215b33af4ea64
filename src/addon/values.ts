/**
 * The add-on's configurationValues: parse what EKS holds (JSON or YAML), merge the action's
 * settings into it, and compare. Pure. The merge changes only the keys the action manages (the
 * settings' env entries, DISABLE_TCP_EARLY_DEMUX under init.env, and the ENIConfig subnets of the
 * zones it was given); every other key the user set by other means is kept as it is.
 */
import { load } from 'js-yaml'
import type { EniConfigObject } from '../cni/eniconfig.js'
import { CONFIG_KEYS } from './names.js'
import { isObject } from '../json.js'

/** configurationValues as an object. */
export type ConfigValues = Record<string, unknown>

/** The settings to write: the same shape the self-managed path uses. */
export interface AddonSettings {
  /** aws-node container env to set. */
  env: Readonly<Record<string, string>>
  /** aws-vpc-cni-init env to set. */
  initEnv: Readonly<Record<string, string>>
  /** aws-node env to remove (an input set to ''). */
  unset?: readonly string[]
  /** Init env to remove. */
  initUnset?: readonly string[]
}

/** The ENIConfigs to carry in configurationValues.eniConfig, and the region it names. */
export interface AddonEniConfigs {
  region: string
  /** One per zone, as the self-managed path builds them (name = zone or zone ID). */
  configs: readonly EniConfigObject[]
}

export interface DesiredValues {
  values: ConfigValues
  /**
   * True when the version's schema has no `eniConfig`: the ENIConfigs must then be applied
   * directly (server-side apply, as the self-managed path does) before the update that turns
   * custom networking on.
   */
  applyEniConfigsDirectly: boolean
}

/**
 * Parses the add-on's configurationValues: JSON, else YAML (EKS accepts both and returns the
 * string as given). Empty means no values.
 *
 * @throws Error when the text is neither, or not an object
 */
export function parseConfigurationValues(text: string | undefined): ConfigValues {
  if (text === undefined || text.trim() === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    try {
      parsed = load(text)
    } catch (error) {
      const first = error instanceof Error ? error.message.split('\n')[0] : String(error)
      throw new Error(`The add-on's configurationValues are neither JSON nor YAML: ${first}`)
    }
  }
  if (parsed === null || parsed === undefined) return {}
  if (!isObject(parsed)) {
    throw new Error(
      `The add-on's configurationValues are a ${Array.isArray(parsed) ? 'list' : typeof parsed}, not an object`
    )
  }
  return parsed
}

/**
 * The current values with the action's settings merged in. `eniConfigSupported` says whether the
 * add-on version's schema has `eniConfig`; without it the ENIConfigs are left to a direct apply.
 */
export function desiredValues(
  current: ConfigValues,
  settings: AddonSettings,
  eniConfigs: AddonEniConfigs | undefined,
  eniConfigSupported: boolean
): DesiredValues {
  const values = structuredClone(current)
  mergeEnv(values, [CONFIG_KEYS.env], settings.env, settings.unset ?? [])
  mergeEnv(
    values,
    [CONFIG_KEYS.init, CONFIG_KEYS.initEnv],
    settings.initEnv,
    settings.initUnset ?? []
  )
  const direct = eniConfigs !== undefined && eniConfigs.configs.length > 0 && !eniConfigSupported
  if (eniConfigs !== undefined && eniConfigs.configs.length > 0 && eniConfigSupported) {
    const section = child(values, CONFIG_KEYS.eniConfig)
    section.create = true
    section.region = eniConfigs.region
    const subnets = child(section, 'subnets')
    for (const config of eniConfigs.configs) {
      // A zone's entry is replaced whole, so security groups the inputs no longer name go away.
      const groups = config.spec.securityGroups ?? []
      subnets[config.metadata.name] = {
        id: config.spec.subnet,
        ...(groups.length > 0 ? { securityGroups: [...groups] } : {})
      }
    }
  }
  return { values, applyEniConfigsDirectly: direct }
}

/** Sets and removes env entries at `path`, creating the containers only when something is set. */
function mergeEnv(
  values: ConfigValues,
  path: readonly string[],
  set: Readonly<Record<string, string>>,
  unset: readonly string[]
): void {
  const existing = at(values, path)
  if (Object.keys(set).length === 0 && existing === undefined) return
  let target = values
  for (const key of path) target = child(target, key)
  for (const key of unset) delete target[key]
  Object.assign(target, set)
}

function at(values: ConfigValues, path: readonly string[]): Record<string, unknown> | undefined {
  let cur: unknown = values
  for (const key of path) cur = isObject(cur) ? cur[key] : undefined
  return isObject(cur) ? cur : undefined
}

/** The object at `key`, created (or replacing a non-object, which the schema would refuse). */
function child(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const existing = parent[key]
  if (isObject(existing)) return existing
  const created: Record<string, unknown> = {}
  parent[key] = created
  return created
}

/** Semantic equality of two configurationValues (key order and JSON/YAML spelling don't matter). */
export function sameValues(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((v, i) => sameValues(v, b[i]))
    )
  }
  if (!isObject(a) || !isObject(b)) return false
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  return keys.every((k) => Object.hasOwn(b, k) && sameValues(a[k], b[k]))
}

/** One key's change, for dry run and the summary. Values are shown as text (JSON for non-strings). */
export interface ValueChange {
  /** Dotted path, e.g. `env.WARM_IP_TARGET` or `eniConfig.subnets.us-west-2a.id`. */
  key: string
  before?: string
  after?: string
}

/** Key-by-key before → after, sorted by key. Objects are walked; arrays and scalars are leaves. */
export function diffValues(before: ConfigValues, after: ConfigValues): ValueChange[] {
  const a = flatten(before)
  const b = flatten(after)
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort()
  const changes: ValueChange[] = []
  for (const key of keys) {
    const x = a.get(key)
    const y = b.get(key)
    if (x !== undefined && y !== undefined && sameValues(x, y)) continue
    const change: ValueChange = { key }
    if (x !== undefined) change.before = show(x)
    if (y !== undefined) change.after = show(y)
    changes.push(change)
  }
  return changes
}

function flatten(
  values: unknown,
  prefix = '',
  out = new Map<string, unknown>()
): Map<string, unknown> {
  if (isObject(values) && (prefix === '' || Object.keys(values).length > 0)) {
    for (const [k, v] of Object.entries(values)) flatten(v, prefix ? `${prefix}.${k}` : k, out)
  } else if (prefix !== '') {
    out.set(prefix, values)
  }
  return out
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** The configurationValues string sent to EKS: compact JSON, which the add-on accepts. */
export function serializeValues(values: ConfigValues): string {
  return JSON.stringify(values)
}
