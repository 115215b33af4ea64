/**
 * Reads every input once, before any network call, into one typed object. All problems are
 * reported together, so a workflow author fixes them in one round.
 */
import * as core from '@actions/core'
import { Inputs } from './constants.js'
import type { CniSettings } from './cni/aws-node.js'
import { INPUT_DEFAULTS, readSettings } from './settings.js'
import {
  type ImageRegistrySetting,
  type KubectlVersion,
  type ManifestLocation,
  InputError,
  parseAudience,
  parseBoolean,
  parseClusterName,
  parseHttpsUrl,
  parseImageRegistry,
  parseInteger,
  parseKubectlVersion,
  parseLabelKey,
  parseManifest,
  parseRegion,
  parseRoleArn,
  parseSessionName,
  parseSha256,
  parseVersionTag
} from './inputs-parse.js'
import {
  type SubnetEntry,
  parseInstanceTypes,
  parseSecurityGroups,
  parseSubnets
} from './inputs-ec2.js'
import { parseMode, parseResolveConflicts } from './addon/inputs.js'
import type { ModeInput, ResolveConflicts } from './addon/names.js'
import type { ExpectedNodes } from './report/capacity.js'
import { parseExpectedNodes } from './report/capacity-report.js'

/** Everything the action was asked to do, validated. */
export interface ActionInputs {
  /** EKS cluster name. */
  readonly clusterName: string
  /** Region of the cluster (input, else AWS_REGION, else AWS_DEFAULT_REGION). */
  readonly region: string
  /** Role to assume through GitHub OIDC; undefined means the SDK's default credential chain. */
  readonly roleToAssume?: string
  readonly roleSessionName: string
  readonly roleDurationSeconds: number
  /** Audience of the GitHub ID token. */
  readonly audience: string
  /** Pod subnets as given (order does not matter; EC2 decides the zones). */
  readonly subnets: readonly SubnetEntry[]
  /** Security groups for every ENIConfig; undefined means the cluster security group. */
  readonly securityGroups?: readonly string[]
  /** Node label that selects the ENIConfig (ENI_CONFIG_LABEL_DEF). */
  readonly eniConfigLabelDef: string
  /** Manifest tag; undefined means the version running on the cluster. */
  readonly cniVersion?: string
  /** A manifest to use instead of the official one. */
  readonly manifest?: ManifestLocation
  /** Let `cni-version` or `manifest` install a release older than the running one. */
  readonly allowDowngrade: boolean
  /** Pin for the manifest (lower-case hex). */
  readonly manifestSha256?: string
  /** Base of the official manifest URL, without a trailing slash. */
  readonly manifestBaseUrl: string
  readonly imageRegistry: ImageRegistrySetting
  /** aws-node settings from the CNI inputs and `env` (env lines win over the named inputs). */
  readonly settings: CniSettings
  /** Wait for the ENIConfig CRD and the aws-node rollout. */
  readonly wait: boolean
  /** Budget for the waits, in seconds. */
  readonly timeoutSeconds: number
  readonly installKubectl: boolean
  /** The kubectl to install; undefined means the latest patch of the cluster's minor. */
  readonly kubectlVersion?: KubectlVersion
  /** Base URL of the kubectl download mirror, without a trailing slash. */
  readonly kubectlMirror: string
  /** Keep the kubeconfig for later steps (the post step deletes it). */
  readonly exportKubeconfig: boolean
  /** Instance types to compute the max-pods output for (none: the output is {}). */
  readonly instanceTypes: readonly string[]
  /** Nodes planned per zone, for the pod-subnet capacity check (empty: today's nodes). */
  readonly expectedNodes?: ExpectedNodes
  /** Turn the linter's findings into an error before anything changes. */
  readonly failOnWarnings: boolean
  /** Send every write as a server-side dry run; install and wait for nothing. */
  readonly dryRun: boolean
  /** auto | addon | self-managed: how the CNI is configured. */
  readonly mode: ModeInput
  /** resolveConflicts of the add-on update. */
  readonly resolveConflicts: ResolveConflicts
  /** With mode self-managed on a managed add-on: write aws-node anyway. */
  readonly takeOverAddonFields: boolean
  /** The raw value of each input as given (trimmed), for checks that depend on what was set. */
  readonly raw: (name: Inputs) => string
}

/** Reads one raw input; the default reads the runner's INPUT_ variables (trimmed). */
export type InputReader = (name: Inputs) => string

const readFromRunner: InputReader = (name) => core.getInput(name)

/**
 * Parses all inputs. `read` and `env` are seams for tests. Throws one Error listing every invalid
 * input.
 */
export function getInputs(
  read: InputReader = readFromRunner,
  env: NodeJS.ProcessEnv = process.env
): ActionInputs {
  const errors: string[] = []
  // Each field is parsed on its own, so one bad input does not hide the next.
  const field = <T>(
    name: Inputs,
    parse: (input: string, raw: string) => T,
    fallback?: string
  ): T => {
    const raw = read(name).trim()
    try {
      return parse(name, raw === '' && fallback !== undefined ? fallback : raw)
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error))
      return undefined as T
    }
  }
  // An input left empty takes action.yml's default (the runner fills it in, but tests and a
  // step that sets the input to '' may not). The aws-node settings are read by `field` alone:
  // for them '' means "absent after the run".
  const withDefault = <T>(name: Inputs, parse: (input: string, raw: string) => T): T =>
    field(name, parse, INPUT_DEFAULTS[name])

  const clusterName = field(Inputs.ClusterName, required(parseClusterName))
  const region = field(Inputs.AwsRegion, (input, raw) => regionOf(input, raw, env))
  const roleToAssume = field(Inputs.RoleToAssume, parseRoleArn)
  const roleSessionName = withDefault(Inputs.RoleSessionName, parseSessionName)
  const roleDurationSeconds = withDefault(Inputs.RoleDurationSeconds, (i, r) =>
    parseInteger(i, r, 900, 43200)
  )
  const audience = withDefault(Inputs.Audience, parseAudience)
  const subnets = field(Inputs.Subnets, parseSubnets)
  const securityGroups = field(Inputs.SecurityGroups, parseSecurityGroups)
  const eniConfigLabelDef = withDefault(Inputs.EniConfigLabelDef, parseLabelKey)
  const cniVersion = field(Inputs.CniVersion, (i, r) => parseVersionTag(i, r, 'v1.19.6'))
  const manifest = field(Inputs.Manifest, parseManifest)
  const allowDowngrade = withDefault(Inputs.AllowDowngrade, parseBoolean)
  const manifestSha256 = field(Inputs.ManifestSha256, parseSha256)
  const manifestBaseUrl = withDefault(Inputs.ManifestBaseUrl, (i, r) =>
    parseHttpsUrl(i, r, 'a raw.githubusercontent.com mirror')
  )
  const imageRegistry = field(Inputs.ImageRegistry, parseImageRegistry)
  const settings = readSettings(field, eniConfigLabelDef)
  const wait = withDefault(Inputs.Wait, parseBoolean)
  const timeoutSeconds = withDefault(Inputs.TimeoutSeconds, (i, r) => parseInteger(i, r, 1, 86400))
  const installKubectl = withDefault(Inputs.InstallKubectl, parseBoolean)
  const kubectlVersion = field(Inputs.KubectlVersion, parseKubectlVersion)
  const kubectlMirror = withDefault(Inputs.KubectlMirror, (i, r) =>
    parseHttpsUrl(i, r, 'a dl.k8s.io mirror')
  )
  const exportKubeconfig = withDefault(Inputs.ExportKubeconfig, parseBoolean)
  const instanceTypes = field(Inputs.InstanceTypes, parseInstanceTypes)
  const expectedNodes = field(Inputs.ExpectedNodes, parseExpectedNodes)
  const failOnWarnings = withDefault(Inputs.FailOnWarnings, parseBoolean)
  const dryRun = withDefault(Inputs.DryRun, parseBoolean)
  const mode = field(Inputs.Mode, parseMode)
  const resolveConflicts = field(Inputs.ResolveConflicts, parseResolveConflicts)
  const takeOverAddonFields = withDefault(Inputs.TakeOverAddonFields, parseBoolean)

  if (errors.length === 1) throw new Error(errors[0])
  if (errors.length > 1)
    throw new Error(`${errors.length} inputs are invalid:\n- ${errors.join('\n- ')}`)
  return {
    clusterName,
    region,
    roleToAssume,
    roleSessionName,
    roleDurationSeconds,
    audience,
    subnets,
    securityGroups,
    eniConfigLabelDef,
    cniVersion,
    manifest,
    allowDowngrade,
    manifestSha256,
    manifestBaseUrl,
    imageRegistry,
    settings,
    wait,
    timeoutSeconds,
    installKubectl,
    kubectlVersion,
    kubectlMirror,
    exportKubeconfig,
    instanceTypes,
    expectedNodes,
    failOnWarnings,
    dryRun,
    mode,
    resolveConflicts,
    takeOverAddonFields,
    raw: (name) => read(name).trim()
  }
}

function required<T>(parse: (input: string, raw: string) => T): (input: string, raw: string) => T {
  return (input, raw) => {
    if (raw === '') throw new InputError(input, raw, 'a value (this input is required)')
    return parse(input, raw)
  }
}

/** The input, else AWS_REGION, else AWS_DEFAULT_REGION, as the AWS CLI and SDKs do. */
function regionOf(input: string, raw: string, env: NodeJS.ProcessEnv): string {
  if (raw !== '') return parseRegion(input, raw)
  const fromEnv = env.AWS_REGION || env.AWS_DEFAULT_REGION
  if (!fromEnv) {
    throw new InputError(
      input,
      raw,
      'a region such as ap-northeast-2 (or AWS_REGION set by an earlier step)'
    )
  }
  try {
    return parseRegion(input, fromEnv)
  } catch {
    throw new InputError(
      input,
      fromEnv,
      'AWS_REGION or AWS_DEFAULT_REGION to hold a region code such as ap-northeast-2'
    )
  }
}
