/**
 * The add-on path of a run, as a thin layer over the add-on modules: the plan (refused for
 * manifest-only inputs, logged key by key before any write), then the write: the ENIConfigs first
 * when the version's schema has no eniConfig, then UpdateAddon or CreateAddon and its waits.
 */
import * as core from '@actions/core'
import type { EKSClient } from '@aws-sdk/client-eks'
import { awsNodeEnv, editAwsNode } from '../cni/aws-node.js'
import type { EniConfigObject } from '../cni/eniconfig.js'
import { customNetworkingOn } from '../cni/partial.js'
import type { ActionInputs } from '../inputs.js'
import type { AppliedObject } from '../kube/apply.js'
import { type KubeClient, type KubernetesObject, refKey, refOf } from '../kube/client.js'
import type { LiveState } from '../kube/live.js'
import type { WriteProgress } from '../progress.js'
import type { ManifestFacts } from '../run-facts.js'
import { type ClusterKind, EKS_POLL_MS } from '../run-mode.js'
import { applyEniConfigSet } from '../write-cluster.js'
import { applyAddonPlan } from './apply.js'
import type { ModeDecision } from './cluster-kind.js'
import { prepareAddonPlan } from './flow.js'
import { VPC_CNI_ADDON } from './names.js'
import { type AddonPlan, manifestInputsError } from './plan.js'
import { type AddonOutcome, changeLines } from './report.js'

/** The row of the add-on write in the progress table and the failure summary. */
const ADDON_KEY = `EKS add-on ${VPC_CNI_ADDON}`

/**
 * The add-on plan, before any write: refuses manifest-only inputs, picks the version, reads its
 * schema, merges and validates the values, and logs the before → after key by key.
 */
export async function planAddonRun(
  eks: EKSClient,
  inputs: ActionInputs,
  kind: ClusterKind,
  decision: ModeDecision,
  eniConfigs: readonly EniConfigObject[]
): Promise<AddonPlan> {
  const refused = manifestInputsError(inputs.raw)
  if (refused) throw refused
  const addon = kind.reading.addon
  const plan = await prepareAddonPlan(eks, {
    clusterName: inputs.clusterName,
    kubernetesVersion: kind.cluster.version,
    region: inputs.region,
    addon: decision.kind === 'ADDON' && addon.present ? addon : undefined,
    cniVersion: inputs.cniVersion,
    allowDowngrade: inputs.allowDowngrade,
    settings: inputs.settings,
    eniConfigs
  })
  core.info(`${VPC_CNI_ADDON} ${plan.addonVersion}: ${plan.versionReason}`)
  for (const line of changeLines(plan.changes)) core.info(line)
  if (plan.applyEniConfigsDirectly) {
    core.info(
      `The configuration schema of ${plan.addonVersion} has no eniConfig: the ENIConfigs are ` +
        'applied directly, before the add-on update'
    )
  }
  return plan
}

/** What the add-on write did. */
export interface AddonWritten {
  outcome: AddonOutcome
  /** The ENIConfigs applied directly (only when the version's schema has no eniConfig). */
  direct: AppliedObject[]
  plan: AddonPlan
}

/**
 * ENIConfigs first when they cannot travel in configurationValues (so no node ever runs custom
 * networking without its zone's ENIConfig), then UpdateAddon or CreateAddon and its waits. No call
 * at all for a no-op; a dry run sends the ENIConfigs as server-side dry runs and nothing to EKS.
 */
export async function writeAddon(p: {
  eks: EKSClient
  kube: KubeClient
  plan: AddonPlan
  eniConfigs: EniConfigObject[]
  live: LiveState
  inputs: ActionInputs
  deadline: number
  dryRun: boolean
  progress: WriteProgress
}): Promise<AddonWritten> {
  const { plan, inputs, progress, dryRun } = p
  const eniKeys = plan.applyEniConfigsDirectly ? p.eniConfigs.map((o) => refKey(refOf(o))) : []
  progress.expect([...eniKeys, ...(plan.noop ? [] : [ADDON_KEY])])
  let direct: AppliedObject[] = []
  if (plan.applyEniConfigsDirectly) {
    if (!dryRun) progress.sending(eniKeys)
    direct = await applyEniConfigSet(p.kube, p.eniConfigs, p.live, dryRun, (a) =>
      progress.record([a])
    )
  }
  if (!dryRun && !plan.noop) progress.sending([ADDON_KEY])
  const outcome = await applyAddonPlan(p.eks, plan, {
    clusterName: inputs.clusterName,
    resolveConflicts: inputs.resolveConflicts,
    dryRun,
    wait: inputs.wait,
    deadline: p.deadline,
    intervalMs: EKS_POLL_MS,
    log: core.info
  })
  if (outcome.kind === 'updated' || outcome.kind === 'created') {
    progress.record([
      { key: ADDON_KEY, change: outcome.kind === 'created' ? 'created' : 'configured' }
    ])
    progress.customNetworkingAfter = customNetworkingOn(
      addonManifestFacts(inputs, p.live, plan).objects[0]
    )
  }
  core.info(
    outcome.kind === 'unchanged'
      ? 'configurationValues already hold these settings: no UpdateAddon call'
      : outcome.kind === 'dry-run'
        ? `Dry run: nothing was sent to EKS${outcome.wouldChange ? '; a real run would call UpdateAddon' : ''}`
        : `${VPC_CNI_ADDON} ${outcome.kind}`
  )
  return { outcome, direct, plan }
}

/** True when the add-on write changed the cluster: EKS applied an update or a create. */
export function addonChangedCluster(written: AddonWritten | undefined): boolean {
  return written?.outcome.kind === 'updated' || written?.outcome.kind === 'created'
}

/**
 * aws-node as the add-on leaves it, for the linter, max pods and the reports: the live DaemonSet
 * with the settings merged (nothing when aws-node does not exist yet).
 */
export function addonManifestFacts(
  inputs: ActionInputs,
  live: LiveState,
  plan: AddonPlan
): ManifestFacts {
  const objects = live.awsNode
    ? editAwsNode([live.awsNode as KubernetesObject], inputs.settings, undefined)
    : []
  const images = objects.length > 0 ? awsNodeEnv(objects[0]).images : []
  return { objects, images, cniVersion: plan.addonVersion.replace(/-eksbuild\.\d+$/, '') }
}
