/**
 * Carries out an add-on plan: nothing for a no-op or a dry run; otherwise one UpdateAddon (or
 * CreateAddon) with the merged configurationValues, then the update until Successful and the
 * add-on until ACTIVE. The ENIConfigs travel inside the same write (eniConfig), so EKS applies
 * them together with the env that turns custom networking on.
 */
import type { EKSClient } from '@aws-sdk/client-eks'
import { createVpcCniAddon, updateVpcCniAddon } from '../aws/addon.js'
import { AddonUpdateError, waitForAddonActive, waitForAddonUpdate } from '../aws/addon-wait.js'
import type { ResolveConflicts } from './names.js'
import type { AddonPlan } from './plan.js'
import type { AddonOutcome } from './report.js'
import type { PollSettings } from './wait.js'

/** How to write the plan; DescribeUpdate / DescribeAddon are polled every 5 s / 10 s by default. */
export interface ApplyAddonOptions extends PollSettings {
  clusterName: string
  resolveConflicts: ResolveConflicts
  dryRun: boolean
  /** Wait for the update and the add-on (the `wait` input). */
  wait: boolean
}

/**
 * Writes the plan and returns what happened. On a Failed update it throws AddonUpdateError
 * (EKS's errors verbatim); failedOutcome turns it into the summary's outcome.
 */
export async function applyAddonPlan(
  eks: Pick<EKSClient, 'send'>,
  plan: AddonPlan,
  options: ApplyAddonOptions
): Promise<AddonOutcome> {
  if (options.dryRun) return { kind: 'dry-run', wouldChange: !plan.noop }
  if (plan.noop) return { kind: 'unchanged' }
  const write = {
    clusterName: options.clusterName,
    configurationValues: plan.configurationValues,
    addonVersion: plan.sendVersion,
    resolveConflicts: options.resolveConflicts
  }
  const waits = {
    deadline: options.deadline,
    intervalMs: options.intervalMs,
    clock: options.clock,
    log: options.log
  }
  if (plan.action === 'create') {
    await createVpcCniAddon(eks, write)
    if (options.wait) await waitForAddonActive(eks, options.clusterName, waits)
    return { kind: 'created' }
  }
  const updateId = await updateVpcCniAddon(eks, write)
  options.log?.(`UpdateAddon started update ${updateId}`)
  if (options.wait) {
    await waitForAddonUpdate(eks, options.clusterName, updateId, waits)
    await waitForAddonActive(eks, options.clusterName, waits)
  }
  return { kind: 'updated', updateId }
}

/** The summary outcome of a failed add-on update, or undefined for any other error. */
export function failedOutcome(error: unknown): AddonOutcome | undefined {
  if (!(error instanceof AddonUpdateError)) return undefined
  return { kind: 'failed', updateId: error.updateId, errors: error.errors }
}
