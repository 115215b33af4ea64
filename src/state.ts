/**
 * What main leaves for the post step, through the runner's state file (plain text, kept until the
 * job ends, so never a secret: only the kubeconfig's folder and whether it was exported).
 *
 * This is main's side. The post step reads the values back in cleanup.ts, from the STATE_<name>
 * environment variables the runner sets for it, so that it need not load @actions/core.
 */
import * as core from '@actions/core'
import { State } from './constants.js'

/** Records the kubeconfig folder. Called before the folder exists, so a killed main is covered. */
export function saveKubeconfigDir(dir: string): void {
  core.saveState(State.KubeconfigDir, dir)
}

/** Records that the kubeconfig was handed to later steps (KUBECONFIG). */
export function saveKubeconfigExported(): void {
  core.saveState(State.KubeconfigExported, 'true')
}
