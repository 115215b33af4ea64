/**
 * The notes under bench/RESULTS.md's tables: test-bed stalls, what the settings-only path sends
 * instead of the version path, and where a no-op rerun's time goes (and what that leaves for the
 * stretch targets).
 */
import { chainBreakdown, describeObjects, fmtMs, median, objectsOf, summarize } from './metrics.js'
import type { BenchData } from './report.js'
import type { RunKind, RunRecord } from './runs.js'
import { TARGETS } from './targets.js'

/** The run whose chain length is the median one, as the representative critical path. */
export function representative(runs: RunRecord[], kind: RunKind, latencyMs: number): RunRecord {
  const rs = runs
    .filter((r) => r.kind === kind && r.latencyMs === latencyMs)
    .sort((x, y) => x.chain.length - y.chain.length || x.rep - y.rep)
  return rs[Math.floor((rs.length - 1) / 2)]
}

/**
 * Action runs with a Kubernetes or AWS request that took over a second at the server, which no
 * work here needs: a stall of the test bed, worth telling apart from the action's own time.
 */
export const slow = (r: RunRecord) =>
  (r.log ?? []).filter((e) => e.service !== 'mirror' && e.end - e.start >= 1000)

export function stallNote(runs: RunRecord[]): string[] {
  const actionRuns = runs.filter((r) => r.kind !== 'a' && r.kind !== 'cold')
  const hit = actionRuns.filter((r) => slow(r).length > 0)
  if (!hit.length) return []
  const total = actionRuns.length
  const example = slow(hit[0])[0]
  return [
    `- ${hit.length} of ${total} action runs had a request the test bed took over 1 s to answer`,
    `  (e.g. ${example.method} ${example.path}, ${example.end - example.start} ms). The cause: every`,
    "  kube request verifies its token through moto's control server, which listens with a backlog",
    '  of 5, so a burst of parallel requests overflows it and one waits the 1 s SYN retransmit (in a',
    '  probe the kernel counted one TcpExtListenOverflows per stall). It hits the',
    "  action's parallel batches, not the script's one-at-a-time requests; the medians absorb some."
  ]
}

export function settingsNote(d: BenchData, top: number): string[] {
  if (!d.runs.some((r) => r.kind === 'sb') || !d.runs.some((r) => r.kind === 'b')) return []
  const s = (k: RunKind) => summarize(d.runs, k, top)
  const [b, c, sb, sc] = [s('b'), s('c'), s('sb'), s('sc')]
  const version = objectsOf(representative(d.runs, 'b', top))
  const settings = objectsOf(representative(d.runs, 'sb', top))
  const skipped = [...version.keys()].filter((k) => !settings.has(k))
  const added = [...settings.keys()].filter((k) => !version.has(k))
  return [
    `- The settings-only first run sends ${sb.requests} requests instead of the version path's ` +
      `${b.requests} (rerun ${sc.requests} instead of ${c.requests}), with a dependent chain of ` +
      `${sb.chain} instead of ${b.chain} (rerun ${sc.chain} instead of ${c.chain}) at ${top} ms: ` +
      (skipped.length
        ? `of what the version path sends, it skips ${describeObjects(skipped, version)}`
        : 'it skips nothing the version path sends') +
      (added.length ? `; it adds ${describeObjects(added, settings)}` : '') +
      '.'
  ]
}

/**
 * Where a no-op rerun's time goes at 0 ms latency (the settings-only one when it ran, else the
 * version one), taken from its median run: what the stretch targets would have to take away.
 */
export function startupNote(d: BenchData): string[] {
  const kind: RunKind = d.runs.some((r) => r.kind === 'sc') ? 'sc' : 'c'
  const rep = d.runs.some((r) => r.kind === kind && r.latencyMs === 0)
    ? representative(d.runs, kind, 0)
    : undefined
  if (!rep) return []
  const { requestMs, gapMs } = chainBreakdown(rep.chain)
  const anchor = median(d.coldStart.anchorMs)
  const firstLine = median(d.coldStart.firstLineMs)
  return [
    `- Where a no-op rerun's time goes (${kind} at 0 ms, rep ${rep.rep}, ${fmtMs(rep.wallMs)} in all):`,
    `  the post step ${fmtMs(rep.postMs ?? Number.NaN)} (a bare \`node -e\` alone takes ${fmtMs(anchor)});`,
    `  spawn to the first request ${fmtMs(rep.startupMs ?? Number.NaN)} (Node's start, then dist/index.js with`,
    `  @actions/core and the undici it loads: first log line at ${fmtMs(firstLine)}); ${fmtMs(requestMs)}`,
    `  waiting on the ${rep.chain.length} responses of the critical path and ${fmtMs(gapMs)} of the`,
    `  action's own work between them (loading the sign-in and pipeline chunks, building requests,`,
    `  the checks); ${fmtMs(rep.tailMs ?? Number.NaN)} from the last response to exit.`,
    ...floorNote(d, kind)
  ]
}

/**
 * At the highest latency: whether the no-op rerun's dependent responses, its start-up and the
 * post step alone already exceed what the stretch ratio allows, before any work of the action.
 */
function floorNote(d: BenchData, kind: RunKind): string[] {
  const top = Math.max(...d.latencies)
  const runs = d.runs.filter((r) => r.kind === kind && r.latencyMs === top)
  const script = d.runs.filter((r) => r.kind === 'a' && r.latencyMs === top).map((r) => r.wallMs)
  if (runs.length === 0 || script.length === 0) return []
  const rep = representative(d.runs, kind, top)
  const waits = chainBreakdown(rep.chain).requestMs
  const floor = waits + (rep.startupMs ?? 0) + (rep.postMs ?? 0)
  const allowed = TARGETS.stretch.cOverA * median(script)
  return [
    `- At ${top} ms, that rerun (rep ${rep.rep}) waits ${fmtMs(waits)} on the ${rep.chain.length} dependent`,
    `  responses of its critical path; with ${fmtMs(rep.startupMs ?? Number.NaN)} from spawn to the first`,
    `  request and ${fmtMs(rep.postMs ?? Number.NaN)} of post step that is ${fmtMs(floor)} before any work of`,
    `  the action, ${floor > allowed ? 'above' : 'within'} the ${fmtMs(allowed)} that ${TARGETS.stretch.cOverA}× the script's ${fmtMs(median(script))} allows.`,
    ...(floor > allowed
      ? [
          '  A smaller or faster bundle cannot close that: only fewer dependent round trips (OIDC →',
          '  STS → EKS → reads → applies) or a faster runtime start could.'
        ]
      : [])
  ]
}
