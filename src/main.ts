/**
 * The action's pipeline, top to bottom. DescribeCluster ∥ DescribeAddon tell the cluster's kind
 * (Auto Mode, IPv6 and unusable statuses stop there; CREATING is waited for); with the live
 * aws-node they decide the one mode every later step reads: ADDON (UpdateAddon or CreateAddon of
 * the EKS managed vpc-cni with configurationValues), or self-managed SETTINGS (only aws-node's
 * managed env) or VERSION (a whole manifest). Independent requests overlap (the manifest download
 * with AWS sign-in; EC2, the cluster reads and the kubectl download with each other). Self-managed
 * writes go CRD → Established → ENIConfigs → aws-node → rollout, each step waiting only for what
 * it needs, so on a cluster with the ENIConfig CRD a first run costs seven dependent round trips:
 * OIDC → STS → EKS → {EC2 ∥ reads} → ENIConfigs → aws-node → rollout. The reports (linter, max
 * pods, nodes to recycle, dry-run plan) only use what those batches read, so they add none.
 */
import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { mkdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KUBECONFIG_DIR_PREFIX } from './cleanup.js'
import { decideWriteMode } from './cni/partial.js'
import { errorMessage } from './errors.js'
import { KubectlInstallError, reportPartialRun } from './failure-report.js'
import type { RunFacts } from './features.js'
import { type ActionInputs, getInputs } from './inputs.js'
import { assertSupportedRunner } from './kubectl/platform.js'
import { setOutputs } from './outputs.js'
import { WriteProgress } from './progress.js'
import { saveKubeconfigDir, saveKubeconfigExported } from './state.js'
import { writeFailureSummary, writeSummary } from './summary.js'

/** Runs the action: the only place that calls core.setFailed. */
export async function run(): Promise<void> {
  let kubeconfigDir: string | undefined
  let keepKubeconfig = false
  // Set before the first write: what a failing run reports.
  let partial: { facts: RunFacts; progress: WriteProgress; changeTime: Date } | undefined
  try {
    // Before any input is read or request made: Windows cannot keep the kubeconfig private.
    assertSupportedRunner()
    const inputs = await core.group('Inputs', async () => logInputs(getInputs()))
    // What the inputs ask of a self-managed aws-node: its settings, or a whole manifest version.
    const writeMode = decideWriteMode(inputs)
    const steps = await import('./steps.js')
    const manifestP = background(steps.startManifest(inputs))
    const identity = await core.group('AWS credentials', () => steps.getCredentials(inputs))
    const deadline = Date.now() + inputs.timeoutSeconds * 1000
    // The SDK's retries stop at the deadline too.
    const aws = steps.createAwsClients(inputs.region, identity.credentials, { deadline })
    const waitOptions = { deadline, timeoutSeconds: inputs.timeoutSeconds, onProgress: core.info }
    // DescribeCluster ∥ DescribeAddon; Auto Mode, IPv6 and unusable statuses stop here.
    const kind = await core.group('EKS cluster', () =>
      steps.describeClusterKind(aws.eks, inputs, deadline)
    )
    const cluster = kind.cluster
    const tokens = steps.createTokenSource(identity.credentials, inputs)
    const dir = (kubeconfigDir = await newKubeconfigDir())
    const kubeconfig = await core.group('Kubeconfig', () =>
      steps.writeKubeconfig(dir, cluster, tokens)
    )
    const kube = steps.connect({ cluster, tokens, inputs, identity, sts: aws.sts, deadline })
    // EC2, the cluster reads and the kubectl download do not depend on each other.
    const networkP = background(steps.resolveNetwork(aws.ec2, inputs, cluster, aws.iam))
    const liveP = background(steps.readClusterState(kube, writeMode))
    const kubectlP = background(steps.installKubectlIfWanted(inputs, cluster.version, deadline))
    const network = await core.group('Subnets and security groups', async () =>
      steps.logNetwork(await networkP)
    )
    const live = await core.group('Cluster state', async () => steps.logClusterState(await liveP))
    // Decided once, before any write: every later step reads this value.
    const mode = await core.group('Mode', async () => steps.decideRunMode(kind, live, inputs))
    const eniConfigs = steps.buildEniConfigSet(network, inputs)
    const addonPlan = steps.isAddonMode(mode)
      ? await core.group('EKS add-on plan', () =>
          steps.planAddonRun(aws.eks, inputs, kind, mode, eniConfigs.objects)
        )
      : undefined
    const writes = addonPlan
      ? undefined
      : await core.group(writeMode === 'settings' ? 'aws-node settings' : 'CNI manifest', () =>
          steps.prepareWrites(
            inputs,
            writeMode,
            steps.manifestLoader(inputs, manifestP),
            live,
            kube
          )
        )
    const manifest = writes ?? steps.addonManifestFacts(inputs, live, addonPlan!)
    const facts = { inputs, cluster, live, manifest, eniConfigs, ...network }
    // Before any write, so fail-on-warnings leaves the cluster untouched.
    const findings = await core.group('Check the settings', async () => steps.checkSettings(facts))
    const ownership = writes
      ? await core.group('Field owners', async () => steps.checkOwnership(facts))
      : undefined
    // A kubectl install that has already failed stops the run before the cluster changes; one
    // still downloading is not waited for (race settles at once with undefined).
    await Promise.race([kubectlP, undefined])
    const dryRun = inputs.dryRun
    const changeTime = new Date()
    const progress = new WriteProgress()
    if (!dryRun) partial = { facts, progress, changeTime }
    const title = dryRun ? 'Dry run: writes' : 'Write to the cluster'
    const written = writes
      ? await core.group(title, () =>
          steps.writeCluster(
            kube,
            writes,
            eniConfigs.objects,
            live,
            inputs.settings,
            waitOptions,
            dryRun,
            progress
          )
        )
      : undefined
    const addonWritten = addonPlan
      ? await core.group(title, () =>
          steps.writeAddon({
            eks: aws.eks,
            kube,
            plan: addonPlan,
            eniConfigs: eniConfigs.objects,
            live,
            inputs,
            deadline,
            progress
          })
        )
      : undefined
    // The add-on path reads aws-node and the ENIConfigs again after EKS changed them.
    const after = steps.addonChangedCluster(addonWritten)
      ? await steps.readClusterState(kube, writeMode)
      : live
    const applied = written?.applied ?? steps.addonApplied(live, after, addonWritten?.direct ?? [])
    const awsNode = written?.awsNode ?? applied.find((a) => a.key === steps.AWS_NODE_KEY)
    const rollout = await core.group('aws-node rollout', () =>
      steps.awaitAwsNode(kube, awsNode, inputs.wait, waitOptions, dryRun)
    )
    const kubectl = await core.group('kubectl', () =>
      kubectlP.catch((error: unknown) => Promise.reject(new KubectlInstallError(error)))
    )
    if (inputs.exportKubeconfig) {
      await core.group('Export the kubeconfig', async () => {
        await steps.refreshKubeconfig(kubeconfig, cluster, tokens)
        exportKubeconfig(kubeconfig)
      })
      keepKubeconfig = true
    }
    const outcome = {
      applied,
      plans: dryRun && written ? steps.dryRunPlan(facts, written.applied) : undefined,
      rollout,
      changeTime,
      kubectlPath: kubectl?.path ?? '',
      kubeconfig: keepKubeconfig ? kubeconfig : undefined,
      findings,
      removed: progress.removed,
      resets: writes?.resets,
      ownership
    }
    const report = addonWritten
      ? steps.buildAddonReport(facts, outcome, {
          decision: mode,
          written: addonWritten,
          previousVersion: kind.reading.addon.present ? kind.reading.addon.version : undefined
        })
      : steps.buildReport(facts, outcome)
    setOutputs(report.result)
    await writeSummary(report.summary)
  } catch (error) {
    await writeFailureSummary(error)
    const message = partial?.progress.started
      ? await reportPartialRun(partial.facts, partial.progress, partial.changeTime, error)
      : errorMessage(error)
    core.setFailed(message)
  } finally {
    if (kubeconfigDir && !keepKubeconfig) await removeKubeconfigDir(kubeconfigDir)
  }
}

/** Keeps a promise that is awaited later from counting as an unhandled rejection meanwhile. */
function background<T>(promise: Promise<T>): Promise<T>
function background<T>(promise: Promise<T> | undefined): Promise<T> | undefined
function background<T>(promise: Promise<T> | undefined): Promise<T> | undefined {
  promise?.catch(() => undefined)
  return promise
}

function logInputs(inputs: ActionInputs): ActionInputs {
  const m = inputs.manifest
  core.info(`Cluster ${inputs.clusterName} in ${inputs.region}`)
  core.info(
    `Credentials: ${inputs.roleToAssume ? `GitHub OIDC, role ${inputs.roleToAssume}` : 'the AWS SDK default chain'}`
  )
  core.info(
    `Pod subnets: ${inputs.subnets.map((s) => (s.zone ? `${s.zone}=${s.subnetId}` : s.subnetId)).join(', ')}`
  )
  core.info(`mode: ${inputs.mode} (the cluster's kind decides the rest)`)
  core.info(
    m || inputs.cniVersion
      ? `Version change: the whole manifest of ${m ? ('url' in m ? m.url : m.path) : `VPC CNI ${inputs.cniVersion}`}`
      : 'Settings only: the running aws-node keeps its version, images and other fields'
  )
  return inputs
}

/** A fresh folder name under RUNNER_TEMP, recorded for the post step before it exists. */
async function newKubeconfigDir(): Promise<string> {
  const name = `${KUBECONFIG_DIR_PREFIX}${randomBytes(8).toString('hex')}`
  const dir = join(process.env.RUNNER_TEMP || tmpdir(), name)
  saveKubeconfigDir(dir)
  await mkdir(dir, { mode: 0o700 })
  return dir
}

function exportKubeconfig(path: string): void {
  core.exportVariable('KUBECONFIG', path)
  saveKubeconfigExported()
  core.info(`KUBECONFIG=${path}; the post step deletes it at the end of the job`)
}

async function removeKubeconfigDir(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true })
  } catch (error) {
    core.warning(`Could not remove the kubeconfig folder ${dir}: ${errorMessage(error)}`)
  }
}
