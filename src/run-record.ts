/**
 * What the pipeline leaves for main as it goes, so that main can still report and clean up when a
 * step throws: the kubeconfig folder and whether it is kept, and, from just before the first
 * write, what a failing run reports.
 */
import type { WriteProgress } from './progress.js'
import type { RunFacts } from './run-facts.js'

/** What a run that fails after its first write reports. */
export interface PartialRun {
  facts: RunFacts
  progress: WriteProgress
  /** When the writes started: nodes created before it keep the old networking. */
  changeTime: Date
}

export interface RunRecord {
  /** The kubeconfig folder, once created. */
  kubeconfigDir?: string
  /** True once the kubeconfig was exported: main then leaves it for the post step. */
  keepKubeconfig: boolean
  /** Set before the first real write (never in a dry run). */
  partial?: PartialRun
}
