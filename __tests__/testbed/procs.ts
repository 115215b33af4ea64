/** Process helpers for the tests that start the test bed's CLI: which processes it started, and which live. */
import { readdirSync, readFileSync } from 'node:fs'

/** All live descendants of a process, from /proc (Linux). */
export function descendants(root: number): number[] {
  const parent = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      // Field 4 (ppid) follows the parenthesised command, which may contain spaces.
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // the process exited while we looked
    }
  }
  const out: number[] = []
  const walk = (pid: number): void => {
    for (const [child, ppid] of parent) {
      if (ppid === pid) {
        out.push(child)
        walk(child)
      }
    }
  }
  walk(root)
  return out
}

export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    // A zombie still answers signal 0; it is gone as far as resources go.
    return !/^\S+ \([^)]*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

/**
 * The processes of `pids` still alive once they have had up to `withinMs` to exit. A child that
 * exits when its parent's pipe closes (tsx's esbuild service) is gone a moment after the parent,
 * later still on a loaded machine; this waits for the outcome instead of racing it.
 */
export async function stillAlive(pids: readonly number[], withinMs = 10_000): Promise<number[]> {
  const until = Date.now() + withinMs
  for (;;) {
    const left = pids.filter(alive)
    if (left.length === 0 || Date.now() >= until) return left
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
