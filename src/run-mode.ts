/**
 * How the run goes. The inputs decide the run plan up front (dry run, settings or version,
 * kubectl); DescribeCluster ∥ DescribeAddon and the live aws-node then decide the one mode every
 * later step reads: the EKS managed add-on (UpdateAddon or CreateAddon) or a self-managed aws-node.
 */
import * as core from '@actions/core'
import type { EKSClient } from '@aws-sdk/client-eks'
import {
  type ModeDecision,
  awsNodeFacts,
  clusterRefusal,
  decideMode
} from './addon/cluster-kind.js'
import { type KindReading, readClusterKind } from './addon/flow.js'
import { VPC_CNI_ADDON } from './addon/names.js'
import { type ClusterInfo, clusterInfoFrom } from './aws/cluster.js'
import { type WriteMode, decideWriteMode } from './cni/partial.js'
import type { ActionInputs } from './inputs.js'
import type { LiveState } from './kube/live.js'

/** Pause between DescribeCluster, DescribeUpdate and DescribeAddon polls while something settles. */
export const EKS_POLL_MS = 3_000

/** What the inputs decide before any request: carried unchanged to every step that needs it. */
export interface RunPlan {
  /** Writes go as server-side dry runs (dryRun=All), nothing goes to EKS, kubectl is not installed. */
  dryRun: boolean
  /** What the inputs ask of a self-managed aws-node: its settings, or a whole manifest version. */
  writeMode: WriteMode
  /** Whether kubectl is installed (install-kubectl, and not a dry run). */
  installKubectl: boolean
}

/** The run plan: the one place that reads the dry-run input. */
export function planRun(inputs: ActionInputs): RunPlan {
  const dryRun = inputs.dryRun
  return {
    dryRun,
    writeMode: decideWriteMode(inputs),
    installKubectl: inputs.installKubectl && !dryRun
  }
}

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
    intervalMs: EKS_POLL_MS,
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
 * The one mode decision, from DescribeCluster, DescribeAddon, the live aws-node and the run plan
 * (a version change or settings only), before any write. Throws the refusal (no CNI, self-managed
 * forced on an add-on, an add-on in a state EKS accepts no update in).
 */
export function decideRunMode(
  kind: ClusterKind,
  live: LiveState,
  inputs: ActionInputs,
  plan: RunPlan
): ModeDecision {
  const decision = decideMode(kind.reading.kind, kind.reading.addon, awsNodeFacts(live.awsNode), {
    mode: inputs.mode,
    takeOverAddonFields: inputs.takeOverAddonFields,
    versionChange: plan.writeMode === 'version',
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
