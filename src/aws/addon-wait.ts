/**
 * The waits after an add-on write: DescribeUpdate until the update is Successful, then DescribeAddon
 * until the add-on is ACTIVE, each within the run's deadline with an injectable clock.
 */
import { DescribeUpdateCommand, type EKSClient } from '@aws-sdk/client-eks'
import { ADDON_SETTLING, VPC_CNI_ADDON } from '../addon/names.js'
import { type Clock, poll } from '../addon/wait.js'
import { type AddonState, describeVpcCniAddon, explain } from './addon.js'

type Eks = Pick<EKSClient, 'send'>

/** An add-on update that ended Failed or Cancelled; `errors` are EKS's, verbatim. */
export class AddonUpdateError extends Error {
  constructor(
    readonly updateId: string,
    readonly status: string,
    readonly errors: readonly string[]
  ) {
    super(
      `The ${VPC_CNI_ADDON} add-on update ${updateId} ended ${status}` +
        (errors.length > 0 ? `:\n${errors.map((e) => `- ${e}`).join('\n')}` : '.')
    )
    this.name = 'AddonUpdateError'
  }
}

/** Deadline and time seams of the waits. */
export interface WaitOptions {
  log?: (line: string) => void
  deadline: number
  intervalMs?: number
  clock?: Clock
}

/** DescribeUpdate until Successful; Failed or Cancelled throw AddonUpdateError. */
export async function waitForAddonUpdate(
  eks: Eks,
  clusterName: string,
  updateId: string,
  options: WaitOptions
): Promise<void> {
  await poll({
    label: `${VPC_CNI_ADDON} add-on update ${updateId}`,
    read: async () => {
      try {
        const response = await eks.send(
          new DescribeUpdateCommand({ name: clusterName, updateId, addonName: VPC_CNI_ADDON })
        )
        return response.update
      } catch (error) {
        throw explain(error, 'eks:DescribeUpdate', clusterName)
      }
    },
    judge: (update) => {
      const status = update?.status ?? 'UNKNOWN'
      if (status === 'Successful') return { state: 'done' }
      if (status === 'InProgress') return { state: 'pending', status }
      const errors = (update?.errors ?? []).map((e) => e.errorMessage ?? e.errorCode ?? 'Unknown')
      throw new AddonUpdateError(updateId, status, errors)
    },
    deadline: options.deadline,
    intervalMs: options.intervalMs ?? 5_000,
    clock: options.clock,
    log: options.log
  })
}

/**
 * DescribeAddon until ACTIVE (as the SDK's AddonActive waiter: CREATE_FAILED and DEGRADED fail),
 * also failing on UPDATE_FAILED and on a missing add-on. Returns the ACTIVE add-on.
 */
export async function waitForAddonActive(
  eks: Eks,
  clusterName: string,
  options: WaitOptions
): Promise<AddonState & { present: true }> {
  return (await poll({
    label: `the ${VPC_CNI_ADDON} add-on to be ACTIVE`,
    read: () => describeVpcCniAddon(eks, clusterName),
    judge: (addon) => {
      if (!addon.present) {
        return { state: 'failed', message: `The ${VPC_CNI_ADDON} add-on disappeared while waiting` }
      }
      if (addon.status === 'ACTIVE') return { state: 'done' }
      if ((ADDON_SETTLING as readonly string[]).includes(addon.status))
        return { state: 'pending', status: addon.status }
      return {
        state: 'failed',
        message:
          `The ${VPC_CNI_ADDON} add-on is ${addon.status}` +
          (addon.issues.length > 0 ? `:\n${addon.issues.map((i) => `- ${i}`).join('\n')}` : '')
      }
    },
    deadline: options.deadline,
    intervalMs: options.intervalMs ?? 10_000,
    clock: options.clock,
    log: options.log
  })) as AddonState & { present: true }
}
