/**
 * The action's pipeline, top to bottom. The inputs decide the run plan (dry run, settings or
 * version, kubectl); DescribeCluster ∥ DescribeAddon tell the cluster's kind (Auto Mode, IPv6 and
 * unusable statuses stop there; CREATING is waited for); with the live aws-node they decide the one
 * mode every later step reads: ADDON (UpdateAddon or CreateAddon of the EKS managed vpc-cni with
 * configurationValues), or self-managed SETTINGS (only aws-node's managed env) or VERSION (a whole
 * manifest). Independent requests overlap (sign-in and the manifest download, started by main
 * before this module loaded; EC2, the cluster reads and the kubectl download with each other).
 * Self-managed writes go CRD → Established → ENIConfigs → aws-node → rollout, each step waiting
 * only for what it needs, so on a cluster with the ENIConfig CRD a first run costs seven dependent
 * round trips: OIDC → STS → EKS → {EC2 ∥ reads} → ENIConfigs → aws-node → rollout. The reports
 * (linter, max pods, nodes to recycle, dry-run plan) only use what those batches read, so they add
 * none.
 */
import * as core from '@actions/core'
import { addonApplied, addonDryRunPlan, buildAddonReport } from './addon/run-report.js'
import { addonChangedCluster, addonManifestFacts, planAddonRun, writeAddon } from './addon/run.js'
import { createAwsClients } from './aws/clients.js'
import { checkOwnership, checkSettings } from './checks.js'
import { connect, createTokenSource, refreshKubeconfig, writeKubeconfig } from './cluster-access.js'
import { logClusterState, readClusterState } from './cluster-state.js'
import { KubectlInstallError } from './failure-report.js'
import type { ActionInputs } from './inputs.js'
import { refKey } from './kube/client.js'
import { AWS_NODE_REF } from './kube/live.js'
import { type InstalledKubectl, installKubectl } from './kubectl/install.js'
import { exportKubeconfig, newKubeconfigDir } from './kubeconfig-dir.js'
import { setOutputs } from './outputs.js'
import { buildEniConfigSet, logNetwork, resolveNetwork } from './pod-network.js'
import { WriteProgress } from './progress.js'
import type { RunFacts } from './run-facts.js'
import {
  type RunPlan,
  decideRunMode,
  describeClusterKind,
  isAddonMode,
  planRun
} from './run-mode.js'
import type { RunRecord } from './run-record.js'
import { type Outcome, type RunReport, buildReport, dryRunPlan } from './run-report.js'
import type { Identity } from './sign-in.js'
import type { EarlyWork } from './start.js'
import { writeSummary } from './summary.js'
import { awaitAwsNode, writeCluster } from './write-cluster.js'
import { prepareWrites } from './write-plan.js'
import { background } from './errors.js'

/** aws-node's key among the objects a run applied. */
const AWS_NODE_KEY = refKey(AWS_NODE_REF)

/**
 * Runs the steps after the inputs, from sign-in to the outputs and the job summary. `record`
 * learns, as the run goes, what main needs to report a failure and to clean up.
 */
export async function runPipeline(
  inputs: ActionInputs,
  early: EarlyWork,
  record: RunRecord
): Promise<void> {
  // Decided once, before any request: every later step is handed these values.
  const plan = planRun(inputs)
  const identity = await core.group('AWS credentials', async () =>
    logIdentity(await early.identity)
  )
  const deadline = Date.now() + inputs.timeoutSeconds * 1000
  // The SDK's retries stop at the deadline too.
  const aws = createAwsClients(inputs.region, identity.credentials, { deadline })
  const waitOptions = { deadline, timeoutSeconds: inputs.timeoutSeconds, onProgress: core.info }
  // DescribeCluster ∥ DescribeAddon; Auto Mode, IPv6 and unusable statuses stop here.
  const kind = await core.group('EKS cluster', () => describeClusterKind(aws.eks, inputs, deadline))
  const cluster = kind.cluster
  const tokens = createTokenSource(identity.credentials, inputs)
  const dir = (record.kubeconfigDir = await newKubeconfigDir())
  const kubeconfig = await core.group('Kubeconfig', () => writeKubeconfig(dir, cluster, tokens))
  const kube = connect({ cluster, tokens, inputs, identity, sts: aws.sts, deadline })
  // EC2, the cluster reads and the kubectl download do not depend on each other.
  const networkP = background(resolveNetwork(aws.ec2, inputs, cluster, aws.iam))
  const liveP = background(readClusterState(kube, plan.writeMode))
  const kubectlP = background(installKubectlIfPlanned(plan, inputs, cluster.version, deadline))
  const network = await core.group('Subnets and security groups', async () =>
    logNetwork(await networkP)
  )
  const live = await core.group('Cluster state', async () => logClusterState(await liveP))
  // Decided once, before any write: every later step reads this value.
  const mode = await core.group('Mode', async () => decideRunMode(kind, live, inputs, plan))
  const eniConfigs = buildEniConfigSet(network, inputs)
  const addonPlan = isAddonMode(mode)
    ? await core.group('EKS add-on plan', () =>
        planAddonRun(aws.eks, inputs, kind, mode, eniConfigs.objects)
      )
    : undefined
  const writes = addonPlan
    ? undefined
    : await core.group(plan.writeMode === 'settings' ? 'aws-node settings' : 'CNI manifest', () =>
        prepareWrites(inputs, plan.writeMode, early.manifest, live, kube)
      )
  const manifest = writes ?? addonManifestFacts(inputs, live, addonPlan!)
  const facts: RunFacts = { inputs, cluster, live, manifest, eniConfigs, ...network }
  // Before any write, so fail-on-warnings leaves the cluster untouched.
  const findings = await core.group('Check the settings', async () => checkSettings(facts))
  const ownership = writes
    ? await core.group('Field owners', async () => checkOwnership(facts, plan.dryRun))
    : undefined
  // A kubectl install that has already failed stops the run before the cluster changes; one
  // still downloading is not waited for (race settles at once with undefined).
  await Promise.race([kubectlP, undefined])
  const changeTime = new Date()
  const progress = new WriteProgress()
  if (!plan.dryRun) record.partial = { facts, progress, changeTime }
  const title = plan.dryRun ? 'Dry run: writes' : 'Write to the cluster'
  const written = writes
    ? await core.group(title, () =>
        writeCluster(
          kube,
          writes,
          eniConfigs.objects,
          live,
          inputs.settings,
          waitOptions,
          plan.dryRun,
          progress
        )
      )
    : undefined
  const addonWritten = addonPlan
    ? await core.group(title, () =>
        writeAddon({
          eks: aws.eks,
          kube,
          plan: addonPlan,
          eniConfigs: eniConfigs.objects,
          live,
          inputs,
          deadline,
          dryRun: plan.dryRun,
          progress
        })
      )
    : undefined
  // The add-on path reads aws-node and the ENIConfigs again after EKS changed them.
  const after = addonChangedCluster(addonWritten)
    ? await readClusterState(kube, plan.writeMode)
    : live
  const applied = written?.applied ?? addonApplied(live, after, addonWritten?.direct ?? [])
  const awsNode = written?.awsNode ?? applied.find((a) => a.key === AWS_NODE_KEY)
  const rollout = await core.group('aws-node rollout', () =>
    awaitAwsNode(kube, awsNode, inputs.wait, waitOptions, plan.dryRun)
  )
  const kubectl = await core.group('kubectl', () =>
    kubectlP.catch((error: unknown) => Promise.reject(new KubectlInstallError(error)))
  )
  if (inputs.exportKubeconfig) {
    await core.group('Export the kubeconfig', async () => {
      await refreshKubeconfig(kubeconfig, cluster, tokens)
      exportKubeconfig(kubeconfig)
    })
    record.keepKubeconfig = true
  }
  const outcome: Outcome = {
    applied,
    // A dry run's report is its plan: before → after of every object it sent.
    plans: !plan.dryRun
      ? undefined
      : addonWritten
        ? addonDryRunPlan(facts, addonWritten)
        : dryRunPlan(facts, applied),
    rollout,
    changeTime,
    kubectlPath: kubectl?.path ?? '',
    kubeconfig: record.keepKubeconfig ? kubeconfig : undefined,
    findings,
    removed: progress.removed,
    resets: writes?.resets,
    ownership
  }
  const report = addonWritten
    ? buildAddonReport(facts, outcome, {
        decision: mode,
        written: addonWritten,
        previousVersion: kind.reading.addon.present ? kind.reading.addon.version : undefined
      })
    : buildReport(facts, outcome)
  await publish(report)
}

/** Logs whose credentials the run holds (when its group is open, not when sign-in finished). */
function logIdentity(identity: Identity): Identity {
  core.info(
    identity.assumedRoleArn
      ? `Assumed ${identity.assumedRoleArn}`
      : 'Using the AWS SDK default credential chain'
  )
  return identity
}

/** kubectl through the tool cache when the plan installs it; its requests stop at `deadline`. */
async function installKubectlIfPlanned(
  plan: RunPlan,
  inputs: ActionInputs,
  clusterVersion: string,
  deadline: number
): Promise<InstalledKubectl | undefined> {
  if (!plan.installKubectl) return undefined
  return installKubectl({
    version: inputs.kubectlVersion,
    clusterVersion,
    mirror: inputs.kubectlMirror,
    deadline
  })
}

/** The report's annotations, then the outputs and the job summary. */
async function publish(report: RunReport): Promise<void> {
  for (const a of report.annotations) core.notice(a.message, { title: a.title })
  setOutputs(report.result)
  await writeSummary(report.summary)
}
