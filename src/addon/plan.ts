/**
 * The add-on path's plan, decided before any write: which version to ask for, the merged
 * configurationValues, the key-by-key change, whether anything needs sending at all, and whether
 * the ENIConfigs must be applied directly. Pure; validation failures throw before any write.
 */
import type { EniConfigObject } from '../cni/eniconfig.js'
import { Inputs } from '../constants.js'
import { INPUT_DEFAULTS } from '../settings.js'
import { VPC_CNI_ADDON } from './names.js'
import { checkValues, compileAddonSchema, schemaError } from './schema.js'
import {
  type AddonSettings,
  type ConfigValues,
  type ValueChange,
  desiredValues,
  diffValues,
  parseConfigurationValues,
  sameValues,
  serializeValues
} from './values.js'
import type { VersionChoice } from './versions.js'

export interface AddonPlanInput {
  /** The add-on as DescribeAddon shows it; undefined when the run creates it. */
  current?: { version: string; configurationValues: string }
  /** pickAddonVersion's answer (for a create it always names a version). */
  version: VersionChoice
  /** DescribeAddonConfiguration's schema of the version the add-on will run. */
  schemaText: string
  settings: AddonSettings
  region: string
  /** The ENIConfigs the self-managed path would apply, one per zone. */
  eniConfigs: readonly EniConfigObject[]
}

export interface AddonPlan {
  /** 'update' an existing add-on, or 'create' it. */
  action: 'update' | 'create'
  /** The version the add-on runs after the write. */
  addonVersion: string
  /** The version to send (UpdateAddon/CreateAddon addonVersion); undefined keeps it. */
  sendVersion?: string
  current: ConfigValues
  desired: ConfigValues
  /** Key-by-key before → after, for dry run and the summary. */
  changes: ValueChange[]
  /** The configurationValues string to send. */
  configurationValues: string
  /** Nothing to send: the values mean the same and the version stays. Never true for a create. */
  noop: boolean
  /** The version's schema has no eniConfig: apply the ENIConfigs directly before the write. */
  applyEniConfigsDirectly: boolean
  /** One line on the version choice. */
  versionReason: string
}

/**
 * Plans the write.
 *
 * @throws Error naming each input whose value the schema refuses, before any write
 */
export function planAddon(input: AddonPlanInput): AddonPlan {
  const action = input.current ? 'update' : 'create'
  const addonVersion = input.version.addonVersion ?? input.current?.version
  if (!addonVersion) throw new Error(`No ${VPC_CNI_ADDON} add-on version to create`)
  const schema = compileAddonSchema(input.schemaText, addonVersion)
  const current = parseConfigurationValues(input.current?.configurationValues)
  const { values: desired, applyEniConfigsDirectly } = desiredValues(
    current,
    input.settings,
    { region: input.region, configs: input.eniConfigs },
    schema.hasEniConfig
  )
  const changes = diffValues(current, desired)
  const error = schemaError(
    checkValues(
      schema,
      desired,
      changes.map((c) => c.key)
    ),
    addonVersion
  )
  if (error) throw error
  const versionChanges = input.version.addonVersion !== undefined
  return {
    action,
    addonVersion,
    sendVersion: input.version.addonVersion,
    current,
    desired,
    changes,
    configurationValues: serializeValues(desired),
    noop: action === 'update' && !versionChanges && sameValues(current, desired),
    applyEniConfigsDirectly,
    versionReason: input.version.reason
  }
}

/** Inputs that only the manifest path reads. */
const MANIFEST_ONLY: readonly Inputs[] = [
  Inputs.Manifest,
  Inputs.ManifestSha256,
  Inputs.ManifestBaseUrl,
  Inputs.ImageRegistry
]

/**
 * Refuses manifest-only inputs set to anything but their default in add-on mode, naming them:
 * EKS installs the add-on's own images and manifest. `raw` reads an input as given.
 */
export function manifestInputsError(raw: (name: Inputs) => string): Error | undefined {
  const set = MANIFEST_ONLY.filter((name) => {
    const value = raw(name).trim()
    return value !== '' && value !== INPUT_DEFAULTS[name]
  })
  if (set.length === 0) return undefined
  return new Error(
    `${set.map((n) => `'${n}'`).join(', ')} ${set.length === 1 ? 'applies' : 'apply'} only to a ` +
      `self-managed VPC CNI, but this cluster runs the EKS managed add-on ${VPC_CNI_ADDON}, which ` +
      'installs its own manifest and images. Remove the input, or use cni-version to pick the ' +
      'add-on version. Nothing was changed.'
  )
}
