/**
 * The folder that holds the kubeconfig: created private under RUNNER_TEMP and recorded for the
 * post step before it exists, exported as KUBECONFIG when asked, and removed at the end of main
 * otherwise.
 */
import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { mkdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KUBECONFIG_DIR_PREFIX } from './cleanup.js'
import { errorMessage } from './errors.js'
import { saveKubeconfigDir, saveKubeconfigExported } from './state.js'

/** A fresh folder name under RUNNER_TEMP, recorded for the post step before it exists. */
export async function newKubeconfigDir(): Promise<string> {
  const name = `${KUBECONFIG_DIR_PREFIX}${randomBytes(8).toString('hex')}`
  const dir = join(process.env.RUNNER_TEMP || tmpdir(), name)
  saveKubeconfigDir(dir)
  await mkdir(dir, { mode: 0o700 })
  return dir
}

/** Hands the kubeconfig to the job's later steps; the post step deletes it. */
export function exportKubeconfig(path: string): void {
  core.exportVariable('KUBECONFIG', path)
  saveKubeconfigExported()
  core.info(`KUBECONFIG=${path}; the post step deletes it at the end of the job`)
}

/** Removes the folder; a failure only warns (the post step tries again). */
export async function removeKubeconfigDir(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true })
  } catch (error) {
    core.warning(`Could not remove the kubeconfig folder ${dir}: ${errorMessage(error)}`)
  }
}
