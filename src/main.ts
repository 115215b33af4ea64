/**
 * The action's entry: check the runner, read and validate the inputs, start what needs only them
 * (sign-in and, when the inputs name the version, the manifest download; start.ts), load the
 * pipeline while those requests are in flight, and run it (pipeline.ts: sign-in → EKS → EC2 ∥
 * cluster reads → mode → checks → writes → rollout → outputs and job summary). Each step is loaded
 * with import() only after the inputs are valid: parsing the AWS SDK and the Kubernetes client is
 * most of the cold start, and a typo should fail fast. Whatever fails, this is the one place that
 * calls core.setFailed, after a failure summary, and the kubeconfig folder goes unless exported.
 */
import * as core from '@actions/core'
import { errorMessage } from './errors.js'
import { reportPartialRun } from './failure-report.js'
import { type ActionInputs, getInputs } from './inputs.js'
import { removeKubeconfigDir } from './kubeconfig-dir.js'
import { assertSupportedRunner } from './kubectl/platform.js'
import type { RunRecord } from './run-record.js'
import { begin } from './start.js'
import { writeFailureSummary } from './summary.js'

/** Runs the action: the only place that calls core.setFailed. */
export async function run(): Promise<void> {
  // What the pipeline leaves for a failure's report and for the cleanup.
  const record: RunRecord = { keepKubeconfig: false }
  try {
    // Before any input is read or request made: Windows cannot keep the kubeconfig private.
    assertSupportedRunner()
    const inputs = await core.group('Inputs', async () => logInputs(getInputs()))
    const early = begin(inputs)
    // Loading the pipeline holds the event loop: first let the token request get out.
    await early.tokenRequestSent
    const pipeline = await import('./pipeline.js')
    await pipeline.runPipeline(inputs, early, record)
  } catch (error) {
    await writeFailureSummary(error)
    const partial = record.partial
    const message = partial?.progress.started
      ? await reportPartialRun(partial.facts, partial.progress, partial.changeTime, error)
      : errorMessage(error)
    core.setFailed(message)
  } finally {
    if (record.kubeconfigDir && !record.keepKubeconfig) {
      await removeKubeconfigDir(record.kubeconfigDir)
    }
  }
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
