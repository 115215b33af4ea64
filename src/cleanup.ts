/**
 * The post step (post-if: always()): removes the kubeconfig folder main recorded, whether main
 * finished, failed or was killed, and the exported one at the end of the job. Best effort: it only
 * warns, and running it twice is harmless.
 */
import * as core from '@actions/core'
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { basename, dirname, resolve } from 'node:path'
import { errorMessage } from './errors.js'
import { getKubeconfigDir, getKubeconfigExported } from './state.js'

/** Prefix of the kubeconfig folder main creates under RUNNER_TEMP. */
export const KUBECONFIG_DIR_PREFIX = 'eks-cni-'

/** Runs the post step. */
export async function post(): Promise<void> {
  const dir = getKubeconfigDir()
  if (!dir) {
    core.debug('No kubeconfig was created; nothing to clean up')
    return
  }
  try {
    if (!isOurFolder(dir)) {
      core.warning(`Not removing ${dir}: it is not a kubeconfig folder this action created`)
      return
    }
    if (!existsSync(dir)) {
      core.debug(`The kubeconfig folder ${dir} is already gone`)
      return
    }
    await rm(dir, { recursive: true, force: true })
    core.info(
      getKubeconfigExported()
        ? `Removed the exported kubeconfig (${dir})`
        : `Removed the kubeconfig folder ${dir}`
    )
  } catch (error) {
    core.warning(`Could not remove the kubeconfig folder ${dir}: ${errorMessage(error)}`)
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
