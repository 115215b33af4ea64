/**
 * What main leaves for the post step, through the runner's state file (plain text, kept until the
 * job ends, so never a secret: only the kubeconfig's folder and whether it was exported).
 */
import * as core from '@actions/core'
import { State } from './constants.js'

/** Records the kubeconfig folder. Called before the folder exists, so a killed main is covered. */
export function saveKubeconfigDir(dir: string): void {
  core.saveState(State.KubeconfigDir, dir)
}

/** The kubeconfig folder main recorded, or '' when main never got that far. */
export function getKubeconfigDir(): string {
  return core.getState(State.KubeconfigDir)
}

/** Records that the kubeconfig was handed to later steps (KUBECONFIG). */
export function saveKubeconfigExported(): void {
  core.saveState(State.KubeconfigExported, 'true')
}

/** Whether main exported the kubeconfig. */
export function getKubeconfigExported(): boolean {
  return core.getState(State.KubeconfigExported) === 'true'
}
