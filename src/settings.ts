/**
 * The one home of the aws-node settings the action's named inputs write: each row names the input,
 * the env variable it sets, the container that carries it and the default action.yml declares.
 * Parsing, the linter and the add-on schema check all read this table, so a new setting is one row
 * here plus its entry in action.yml (and the Inputs enum).
 */
import { AWS_NODE, AWS_NODE_INIT_CONTAINER, type CniSettings } from './cni/aws-node.js'
import { ZONE_LABEL } from './cni/eniconfig.js'
import { Inputs } from './constants.js'
import {
  InputError,
  parseEnvLines,
  parseOptionalBoolean,
  parseOptionalCount
} from './inputs-parse.js'

/** The containers of the aws-node DaemonSet a setting can live on. */
export type SettingContainer = typeof AWS_NODE | typeof AWS_NODE_INIT_CONTAINER

/**
 * How a setting's input is read: 'boolean' and 'count' accept '' (the variable is then absent after
 * the run); 'label' is the ENIConfig label key, parsed with the inputs because the ENIConfigs use it.
 */
export type SettingKind = 'boolean' | 'count' | 'label'

export interface AwsNodeSetting {
  readonly input: Inputs
  readonly env: string
  readonly container: SettingContainer
  readonly kind: SettingKind
  /** The default action.yml declares. */
  readonly default: string
  /** Only the input may set it: the `env` input refuses a line for it. */
  readonly reserved?: true
}

/** The aws-node settings, in the order they are read (and errors are listed). */
export const AWS_NODE_SETTINGS = [
  {
    input: Inputs.EnablePodEni,
    env: 'ENABLE_POD_ENI',
    container: AWS_NODE,
    kind: 'boolean',
    default: 'true'
  },
  {
    input: Inputs.DisableTcpEarlyDemux,
    env: 'DISABLE_TCP_EARLY_DEMUX',
    container: AWS_NODE_INIT_CONTAINER,
    kind: 'boolean',
    default: 'true'
  },
  {
    input: Inputs.CustomNetworkCfg,
    env: 'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG',
    container: AWS_NODE,
    kind: 'boolean',
    default: 'true',
    reserved: true
  },
  {
    input: Inputs.ExternalSnat,
    env: 'AWS_VPC_K8S_CNI_EXTERNALSNAT',
    container: AWS_NODE,
    kind: 'boolean',
    default: 'true'
  },
  {
    input: Inputs.EnablePrefixDelegation,
    env: 'ENABLE_PREFIX_DELEGATION',
    container: AWS_NODE,
    kind: 'boolean',
    default: 'true'
  },
  {
    input: Inputs.WarmEniTarget,
    env: 'WARM_ENI_TARGET',
    container: AWS_NODE,
    kind: 'count',
    default: '1'
  },
  {
    input: Inputs.WarmIpTarget,
    env: 'WARM_IP_TARGET',
    container: AWS_NODE,
    kind: 'count',
    default: '1'
  },
  {
    input: Inputs.MinimumIpTarget,
    env: 'MINIMUM_IP_TARGET',
    container: AWS_NODE,
    kind: 'count',
    default: '30'
  },
  {
    input: Inputs.WarmPrefixTarget,
    env: 'WARM_PREFIX_TARGET',
    container: AWS_NODE,
    kind: 'count',
    default: '1'
  },
  {
    input: Inputs.EniConfigLabelDef,
    env: 'ENI_CONFIG_LABEL_DEF',
    container: AWS_NODE,
    kind: 'label',
    default: ZONE_LABEL,
    reserved: true
  }
] as const satisfies readonly AwsNodeSetting[]

/** An input that sets an aws-node variable. */
export type SettingInput = (typeof AWS_NODE_SETTINGS)[number]['input']

/** The named input that sets `env` on `container`, if any (otherwise `env` comes from the env input). */
export function settingInput(
  env: string,
  container: SettingContainer = AWS_NODE
): Inputs | undefined {
  return AWS_NODE_SETTINGS.find((s) => s.env === env && s.container === container)?.input
}

/**
 * Env on aws-node that only a named input may set: they decide how ENIConfigs are selected and
 * whether custom networking is on, which the ENIConfigs this action writes must agree with.
 * ENI_CONFIG_ANNOTATION_DEF is no setting of ours, but it selects ENIConfigs too.
 */
export const RESERVED_ENV: Readonly<Record<string, Inputs>> = {
  ...Object.fromEntries(
    AWS_NODE_SETTINGS.filter((s) => 'reserved' in s).map((s) => [s.env, s.input])
  ),
  ENI_CONFIG_ANNOTATION_DEF: Inputs.EniConfigLabelDef
}

/**
 * The defaults action.yml declares, by input: the settings' from the table, the rest here. Required
 * inputs and inputs whose default is computed at run time (region, security groups, CNI and kubectl
 * versions, registry) default to ''.
 */
const OTHER_DEFAULTS: Readonly<Record<Exclude<Inputs, SettingInput>, string>> = {
  [Inputs.ClusterName]: '',
  [Inputs.AwsRegion]: '',
  [Inputs.RoleToAssume]: '',
  [Inputs.RoleSessionName]: 'GitHubActions',
  [Inputs.RoleDurationSeconds]: '3600',
  [Inputs.Audience]: 'sts.amazonaws.com',
  [Inputs.Subnets]: '',
  [Inputs.SecurityGroups]: '',
  [Inputs.CniVersion]: '',
  [Inputs.Manifest]: '',
  [Inputs.AllowDowngrade]: 'false',
  [Inputs.ManifestSha256]: '',
  [Inputs.ManifestBaseUrl]: 'https://raw.githubusercontent.com',
  [Inputs.ImageRegistry]: '',
  [Inputs.Env]: '',
  [Inputs.Wait]: 'true',
  [Inputs.TimeoutSeconds]: '600',
  [Inputs.InstallKubectl]: 'true',
  [Inputs.KubectlVersion]: '',
  [Inputs.KubectlMirror]: 'https://dl.k8s.io',
  [Inputs.ExportKubeconfig]: 'false',
  [Inputs.InstanceTypes]: '',
  [Inputs.ExpectedNodes]: '',
  [Inputs.FailOnWarnings]: 'false',
  [Inputs.DryRun]: 'false',
  [Inputs.Mode]: 'auto',
  [Inputs.ResolveConflicts]: 'OVERWRITE',
  [Inputs.TakeOverAddonFields]: 'false'
}

/** The defaults action.yml declares, for every input. */
export const INPUT_DEFAULTS: Readonly<Record<Inputs, string>> = {
  ...OTHER_DEFAULTS,
  ...(Object.fromEntries(AWS_NODE_SETTINGS.map((s) => [s.input, s.default])) as Record<
    SettingInput,
    string
  >)
}

/** Parses one input, recording (not throwing) its error; see getInputs. */
export type FieldReader = <T>(
  name: Inputs,
  parse: (input: string, raw: string) => T,
  fallback?: string
) => T

const PARSERS = { boolean: parseOptionalBoolean, count: parseOptionalCount } as const

/**
 * The table's inputs → aws-node env. An input set to '' (every one of them has a default, so '' is
 * always the user's choice) means the variable is absent after the run. `labelDef` is the parsed
 * `eni-config-label-def`.
 */
export function readSettings(field: FieldReader, labelDef: string | undefined): CniSettings {
  const env: Record<string, string> = {}
  const initEnv: Record<string, string> = {}
  const unset: string[] = []
  const initUnset: string[] = []
  for (const setting of AWS_NODE_SETTINGS) {
    const init = setting.container === AWS_NODE_INIT_CONTAINER
    if (setting.kind === 'label') {
      if (labelDef !== undefined) env[setting.env] = labelDef
      continue
    }
    const parse: (input: string, raw: string) => boolean | number | undefined =
      PARSERS[setting.kind]
    const value = field(setting.input, parse)
    if (value !== undefined) (init ? initEnv : env)[setting.env] = String(value)
    else (init ? initUnset : unset).push(setting.env)
  }
  // `env` is the escape hatch for everything else, so it also overrides the named inputs, except
  // for the variables that decide ENIConfig selection: those have one home, their input.
  const extra = field(Inputs.Env, (input, raw) => withoutReserved(input, parseEnvLines(input, raw)))
  return {
    env: { ...env, ...extra },
    initEnv,
    unset: unset.filter((k) => !(k in (extra ?? {}))),
    initUnset
  }
}

/** Refuses `env` lines that set a variable a named input owns, naming that input. */
function withoutReserved(input: string, extra: Record<string, string>): Record<string, string> {
  for (const key of Object.keys(extra)) {
    const owner = RESERVED_ENV[key]
    if (owner !== undefined) {
      throw new InputError(
        input,
        `${key}=${extra[key]}`,
        `no ${key} line: set it with the input '${owner}' instead, so the ENIConfigs and aws-node agree`
      )
    }
  }
  return extra
}
