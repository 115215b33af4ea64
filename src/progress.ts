/**
 * What a run has done to the cluster so far, kept as it happens so that a run that fails after its
 * first write can still say which objects changed, which did not and which it never reached, and
 * in what state it left custom networking.
 */
import type { Change } from './kube/apply.js'
import type { KubernetesObject } from './kube/client.js'

/** What happened to one object: an apply's result, or why there is none ('failed': sent, no answer). */
export type ObjectOutcome = Change | 'not reached' | 'failed'

/** One object and what happened to it, in the order the run meant to write them. */
export interface ProgressRow {
  key: string
  outcome: ObjectOutcome
}

export class WriteProgress {
  private readonly rows = new Map<string, ObjectOutcome>()
  /** Variables removed from aws-node, as "container NAME". */
  readonly removed: string[] = []
  /** Custom networking on aws-node as the last aws-node write left it; undefined before one. */
  customNetworkingAfter: boolean | undefined

  /** Marks writes as sent: each stays 'failed' until its result is recorded. */
  sending(keys: readonly string[]): void {
    for (const key of keys) this.rows.set(key, 'failed')
  }

  /** True once any write was sent. */
  get started(): boolean {
    return [...this.rows.values()].some((o) => o !== 'not reached')
  }

  /** Lists every object the run will write, each not reached yet. */
  expect(keys: readonly string[]): void {
    for (const key of keys) if (!this.rows.has(key)) this.rows.set(key, 'not reached')
  }

  /** Objects as the server returned them, by key (for nodes-to-recycle after a failure). */
  readonly stored = new Map<string, KubernetesObject>()

  /** Records what applies did. */
  record(results: readonly { key: string; change: Change; object?: KubernetesObject }[]): void {
    for (const r of results) {
      this.rows.set(r.key, r.change)
      if (r.object) this.stored.set(r.key, r.object)
    }
  }

  /** True once any write stored a change. */
  get changed(): boolean {
    return (
      this.removed.length > 0 ||
      [...this.rows.values()].some((o) => o === 'created' || o === 'configured')
    )
  }

  list(): ProgressRow[] {
    return [...this.rows].map(([key, outcome]) => ({ key, outcome }))
  }
}

/**
 * The error of a run that failed after writing: the cause, what the run left behind, and that a
 * rerun with the same inputs completes it.
 */
export function describePartialRun(
  cause: string,
  rows: readonly ProgressRow[],
  customNetworking: { before: boolean; after: boolean | undefined }
): string {
  const by = (o: ObjectOutcome[]) => rows.filter((r) => o.includes(r.outcome)).map((r) => r.key)
  const changed = by(['created', 'configured'])
  const notReached = by(['not reached'])
  const unknown = by(['failed'])
  const cn =
    customNetworking.after === undefined
      ? `custom networking on aws-node is as it was (${onOff(customNetworking.before)})`
      : customNetworking.after === customNetworking.before
        ? `custom networking on aws-node is ${onOff(customNetworking.after)}, as it was`
        : `custom networking on aws-node is now ${onOff(customNetworking.after)}`
  const lines = [
    cause,
    '',
    changed.length === 0
      ? `The cluster was not changed; ${cn}.`
      : `The run stopped part-way: ${cn}. Changed: ${changed.join(', ')}.`
  ]
  if (unknown.length > 0) lines.push(`Sent without an answer: ${unknown.join(', ')}.`)
  if (notReached.length > 0) lines.push(`Not reached: ${notReached.join(', ')}.`)
  lines.push(
    'A rerun with the same inputs completes the change; the job summary lists each object.'
  )
  return lines.join('\n')
}

function onOff(on: boolean): string {
  return on ? 'on' : 'off'
}
