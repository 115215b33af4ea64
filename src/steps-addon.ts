/**
 * The steps of the cluster-kind decision and of the add-on path, as thin layers over src/addon/:
 * DescribeCluster ∥ DescribeAddon (waiting for a CREATING cluster), the one mode decision, the
 * add-on plan, its write (ENIConfigs first when the version's schema has no eniConfig, then
 * UpdateAddon or CreateAddon and the waits) and the report. main loads this module with steps.ts.
 */
import * as core from '@actions/core'
import type { EKSClient } from '@aws-sdk/client-eks'
import { applyAddonPlan } from './addon/apply.js'
import {
  type ModeDecision,
  awsNodeFacts,
  clusterRefusal,
  decideMode
} from './addon/cluster-kind.js'
import { type KindReading, prepareAddonPlan, readClusterKind } from './addon/flow.js'
import { VPC_CNI_ADDON } from './addon/names.js'
import { type AddonPlan, manifestInputsError } from './addon/plan.js'
import { type AddonOutcome, changeLines } from './addon/report.js'
import { type ClusterInfo, clusterInfoFrom } from './aws/cluster.js'
import type { EniConfigObject } from './cni/eniconfig.js'
import { customNetworkingOn } from './cni/partial.js'
import type { ActionInputs } from './inputs.js'
import type { AppliedObject } from './kube/apply.js'
import { type KubeClient, refKey, refOf } from './kube/client.js'
import { AWS_NODE_REF, type LiveState } from './kube/live.js'
import type { WriteProgress } from './progress.js'
import { applyEniConfigSet } from './steps-apply.js'
import { addonManifestFacts } from './steps-addon-report.js'

/** Pause between DescribeCluster, DescribeUpdate and DescribeAddon polls while something settles. */
const POLL_MS = 3_000

/** aws-node's key among the AppliedObjects. */
export const AWS_NODE_KEY = refKey(AWS_NODE_REF)

/** The row of the add-on write in the progress table and the failure summary. */
const ADDON_KEY = `EKS add-on ${VPC_CNI_ADDON}`

/** What DescribeCluster ∥ DescribeAddon said, and the cluster facts later steps use. */
export interface ClusterKind {
  cluster: ClusterInfo
  reading: KindReading
}

/**
 * DescribeCluster ∥ DescribeAddon, waiting (within timeout-seconds) for a CREATING or UPDATING
 * cluster or add-on. An Auto Mode, IPv6, FAILED, DELETING or PENDING cluster is refused here,
 * before the cluster is even connected to.
 */
export async function describeClusterKind(
  eks: EKSClient,
  inputs: ActionInputs,
  deadline: number
): Promise<ClusterKind> {
  const reading = await readClusterKind(eks, inputs.clusterName, inputs.region, {
    deadline,
    intervalMs: POLL_MS,
    log: core.info
  })
  const refusal = clusterRefusal(reading.kind, refusalFacts(inputs))
  if (refusal) throw new Error(refusal)
  const cluster = clusterInfoFrom(reading.cluster, inputs.clusterName, inputs.region)
  core.info(
    `${cluster.arn}: ${cluster.status}, Kubernetes ${cluster.version}, ${cluster.vpcId}, ` +
      `cluster security group ${cluster.clusterSecurityGroupId}`
  )
  const addon = reading.addon
  core.info(
    addon.present
      ? `EKS managed add-on ${VPC_CNI_ADDON} ${addon.version}: ${addon.status}`
      : `No EKS managed add-on ${VPC_CNI_ADDON}`
  )
  return { cluster, reading }
}

function refusalFacts(inputs: ActionInputs) {
  return {
    subnetIds: [...new Set(inputs.subnets.map((s) => s.subnetId))],
    securityGroupIds: [...(inputs.securityGroups ?? [])]
  }
}

/**
 * The one mode decision, from DescribeCluster, DescribeAddon and the live aws-node, before any
 * write. Throws the refusal (no CNI, self-managed forced on an add-on, an add-on in a state EKS
 * accepts no update in).
 */
export function decideRunMode(
  kind: ClusterKind,
  live: LiveState,
  inputs: ActionInputs
): ModeDecision {
  const decision = decideMode(kind.reading.kind, kind.reading.addon, awsNodeFacts(live.awsNode), {
    mode: inputs.mode,
    takeOverAddonFields: inputs.takeOverAddonFields,
    versionChange: inputs.cniVersion !== undefined || inputs.manifest !== undefined,
    ...refusalFacts(inputs)
  })
  if (decision.kind === 'REFUSE') throw new Error(decision.message)
  // readClusterKind has already waited for a settling cluster or add-on.
  if (decision.kind === 'WAIT') {
    throw new Error(`The ${decision.what} is still ${decision.status}. Nothing was changed.`)
  }
  core.info(modeLine(decision))
  return decision
}

function modeLine(d: Exclude<ModeDecision, { kind: 'REFUSE' | 'WAIT' }>): string {
  switch (d.kind) {
    case 'ADDON':
      return `Mode: addon (UpdateAddon of ${VPC_CNI_ADDON} ${d.addonVersion}, configurationValues)`
    case 'CREATE_ADDON':
      return `Mode: addon (CreateAddon of ${VPC_CNI_ADDON}${d.replacesSelfManaged ? ', over the self-managed aws-node' : ''})`
    case 'SETTINGS':
    case 'VERSION':
      return (
        `Mode: self-managed (${d.kind === 'SETTINGS' ? 'settings' : 'version'})` +
        (d.takeOverAddonFields ? ', taking over the add-on fields (take-over-addon-fields)' : '')
      )
  }
}

/** True when the run configures the CNI through the EKS managed add-on. */
export function isAddonMode(decision: ModeDecision): boolean {
  return decision.kind === 'ADDON' || decision.kind === 'CREATE_ADDON'
}

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
  progress: WriteProgress
}): Promise<AddonWritten> {
  const { plan, inputs, progress } = p
  const dryRun = inputs.dryRun
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
    intervalMs: POLL_MS,
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
