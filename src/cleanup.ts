/**
 * The post step (post-if: always()): removes the kubeconfig folder main recorded, whether main
 * finished, failed or was killed, and the exported one at the end of the job. Best effort: it only
 * warns, and running it twice is harmless.
 *
 * Deleting a folder should cost little more than starting Node, so this module and everything it
 * imports stay free of @actions/core (whose import graph is most of the post bundle's load time):
 * the saved state comes from the environment and the log lines are written as workflow commands,
 * both exactly as @actions/core reads and writes them.
 */
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { EOL } from 'node:os'
import { basename, dirname, resolve } from 'node:path'
import { State } from './constants.js'
import { errorMessage } from './errors.js'

/** Prefix of the kubeconfig folder main creates under RUNNER_TEMP. */
export const KUBECONFIG_DIR_PREFIX = 'eks-cni-'

/** The log lines the post step writes. */
export interface PostLog {
  debug(message: string): void
  info(message: string): void
  warning(message: string): void
}

/** Escapes a workflow command's message as the runner expects (as @actions/core does). */
export function escapeCommandData(message: string): string {
  return message.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** Writes to the job log: plain lines, and ::debug:: / ::warning:: workflow commands. */
export const workflowLog: PostLog = {
  debug: (message) => process.stdout.write(`::debug::${escapeCommandData(message)}${EOL}`),
  info: (message) => process.stdout.write(`${message}${EOL}`),
  warning: (message) => process.stdout.write(`::warning::${escapeCommandData(message)}${EOL}`)
}

/**
 * A value main saved with core.saveState: the runner hands it to the post step as the environment
 * variable STATE_<name> ('' when main never saved it), which is what core.getState reads.
 */
function savedState(name: State): string {
  return process.env[`STATE_${name}`] ?? ''
}

/** Runs the post step. */
export async function post(log: PostLog = workflowLog): Promise<void> {
  const dir = savedState(State.KubeconfigDir)
  if (!dir) {
    log.debug('No kubeconfig was created; nothing to clean up')
    return
  }
  try {
    if (!isOurFolder(dir)) {
      log.warning(`Not removing ${dir}: it is not a kubeconfig folder this action created`)
      return
    }
    if (!existsSync(dir)) {
      log.debug(`The kubeconfig folder ${dir} is already gone`)
      return
    }
    await rm(dir, { recursive: true, force: true })
    log.info(
      savedState(State.KubeconfigExported) === 'true'
        ? `Removed the exported kubeconfig (${dir})`
        : `Removed the kubeconfig folder ${dir}`
    )
  } catch (error) {
    log.warning(`Could not remove the kubeconfig folder ${dir}: ${errorMessage(error)}`)
  }
}

/**
 * The state file is trusted, but a folder is deleted recursively, so only one that looks like ours:
 * named eks-cni-*, directly under RUNNER_TEMP when that is set.
 */
function isOurFolder(dir: string): boolean {
  const runnerTemp = process.env.RUNNER_TEMP
  const parentOk = !runnerTemp || resolve(dirname(dir)) === resolve(runnerTemp)
  return parentOk && basename(dir).startsWith(KUBECONFIG_DIR_PREFIX)
}
