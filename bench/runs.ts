/**
 * One measured run of each kind: the origin script, the action through the runner harness, and a
 * bare cold start of the bundle. Every runner checks that the run really succeeded (or, for the
 * cold start, really failed the expected way) and throws otherwise, so the benchmark never times a
 * broken run.
 */
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { prepareBaseline, runBaseline } from '../testbed/baseline.js'
import type { Testbed } from '../testbed/index.js'
import { runAction } from '../testbed/runner.js'
import { longestDependentChain, parseMaxRss, type TimedRequest } from './metrics.js'

/**
 * a: origin script; b: the action's first run in version mode (the origin's manifest); c: its
 * rerun; sb and sc: the same pair with the default settings-only inputs; cold: a version-mode first
 * run with an empty tool cache.
 */
export type RunKind = 'a' | 'b' | 'c' | 'sb' | 'sc' | 'cold'

/** The kinds that run the action with the default inputs, which change only aws-node's settings. */
const SETTINGS_ONLY: readonly RunKind[] = ['sb', 'sc']
/** The kinds that rerun on a configured test bed and must change nothing. */
const RERUNS: readonly RunKind[] = ['c', 'sc']

/** What one run measured. */
export interface RunRecord {
  kind: RunKind
  latencyMs: number
  rep: number
  /** Script wall time, or the harness's main + post durations. */
  wallMs: number
  mainMs?: number
  postMs?: number
  /** Requests the test bed logged during the run (all services). */
  requests: number
  chain: TimedRequest[]
  /** Every request of the run (action runs only), for the timeline in the report. */
  log?: TimedRequest[]
  /** Peak RSS of the action's main and post processes, KiB. */
  mainRssKiB?: number
  postRssKiB?: number
  /** Action only: spawn of main to its first request, and its last response to main's exit. */
  startupMs?: number
  tailMs?: number
  /** The action's `changed` output. */
  changed?: string
}

/** A run that did not do what it should; the benchmark stops on it. */
export class RunFailure extends Error {}

const tail = (text: string, n = 1500): string => text.slice(-n)

/**
 * The inputs of a run. The settings-only scenario is the action as a user calls it: the default
 * inputs plus the cluster, the role and the subnets (the kubectl mirror only points the download at
 * the test bed). The version scenario adds the origin script's manifest version (v1.11.2); the test
 * bed runs v1.19.6 as EKS installs it, so this is a downgrade, allowed on purpose to keep the
 * comparison with the script's apply of the same manifest.
 */
export function benchInputs(tb: Testbed, settingsOnly = false): Record<string, string> {
  const user = {
    'cluster-name': tb.clusterName,
    'role-to-assume': tb.roleArn,
    subnets: tb.podSubnets.map((s) => s.id).join(','),
    'kubectl-mirror': tb.env.TESTBED_KUBECTL_MIRROR
  }
  if (settingsOnly) return user
  return {
    ...user,
    'manifest-base-url': tb.env.TESTBED_MANIFEST_BASE_URL,
    'cni-version': 'v1.11.2',
    'allow-downgrade': 'true'
  }
}

/** The ENIConfig names the origin creates, to check a run's effect on the cluster. */
function expectEniConfigs(tb: Testbed, what: string): void {
  const names = tb.kube
    .list('crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig')
    .map((o) => o.metadata.name)
    .sort()
  const want = ['a', 'b', 'c'].map((z) => `${tb.region}${z}`)
  if (names.join() !== want.join()) {
    throw new RunFailure(`${what}: ENIConfigs are [${names.join(', ')}], want [${want.join(', ')}]`)
  }
}

/** Runs bench/baseline-origin.sh once on `tb`; the role is assumed before the timing starts. */
export async function measureBaseline(tb: Testbed, latencyMs: number, rep: number) {
  const prepared = await prepareBaseline(tb)
  const seq = tb.log.lastSeq
  const result = await runBaseline(prepared, 180_000)
  const entries = tb.log.since(seq)
  if (result.code !== 0) {
    throw new RunFailure(`baseline-origin.sh exited ${result.code}:\n${tail(result.stderr)}`)
  }
  expectEniConfigs(tb, 'baseline-origin.sh')
  const record: RunRecord = {
    kind: 'a',
    latencyMs,
    rep,
    wallMs: result.ms,
    requests: entries.length,
    chain: longestDependentChain(entries)
  }
  return record
}

/**
 * A `node` for the harness that records each step's peak RSS with GNU time. The wrapper adds a
 * shell and a fork (a few ms) to the measured step durations, the same for every action run. It
 * is bash, not sh: dash drops variables like INPUT_CLUSTER-NAME whose names are not identifiers.
 */
export function rssWrapper(dir: string, node: string): string {
  const path = join(dir, 'node-rss.sh')
  writeFileSync(
    path,
    `#!/bin/bash\nexec /usr/bin/time -q -a -o "$BENCH_RSS_FILE" -f %M ${JSON.stringify(node)} "$@"\n`
  )
  chmodSync(path, 0o755)
  return path
}

/** Options shared by every action run of the benchmark. */
export interface ActionRunOptions {
  /** Folder with action.yml and dist/. */
  actionDir: string
  toolCache: string
  /** From {@link rssWrapper}. */
  node: string
  scratch: string
}

/** Runs the action once on `tb` through the harness and checks it did what `kind` expects. */
export async function measureAction(
  tb: Testbed,
  kind: Exclude<RunKind, 'a'>,
  latencyMs: number,
  rep: number,
  opts: ActionRunOptions
): Promise<RunRecord> {
  const rssFile = join(opts.scratch, `rss-${kind}-${latencyMs}-${rep}.txt`)
  rmSync(rssFile, { force: true })
  const seq = tb.log.lastSeq
  const t0 = Date.now()
  const run = await runAction({
    env: { ...tb.env, RUNNER_TOOL_CACHE: opts.toolCache, BENCH_RSS_FILE: rssFile },
    inputs: benchInputs(tb, SETTINGS_ONLY.includes(kind)),
    actionDir: opts.actionDir,
    node: opts.node,
    timeoutMs: 90_000
  })
  try {
    const entries = tb.log.since(seq)
    const label = `action run ${kind} (latency ${latencyMs} ms, rep ${rep})`
    if (run.main.exitCode !== 0 || run.post?.exitCode !== 0) {
      throw new RunFailure(
        `${label}: main exited ${run.main.exitCode ?? run.main.signal}, post ${
          run.post?.exitCode ?? run.post?.signal
        }:\n${tail(run.log)}`
      )
    }
    // A first run must change the cluster and a rerun must not: else the wrong thing was timed.
    const wantChanged = RERUNS.includes(kind) ? 'false' : 'true'
    if (run.outputs.changed !== wantChanged) {
      throw new RunFailure(`${label}: output changed=${run.outputs.changed}, want ${wantChanged}`)
    }
    expectEniConfigs(tb, label)
    const rss = existsSync(rssFile) ? parseMaxRss(readFileSync(rssFile, 'utf8')) : []
    return {
      kind,
      latencyMs,
      rep,
      wallMs: run.main.durationMs + (run.post?.durationMs ?? 0),
      mainMs: run.main.durationMs,
      postMs: run.post?.durationMs,
      requests: entries.length,
      chain: longestDependentChain(entries),
      log: entries,
      startupMs: Math.min(...entries.map((e) => e.start)) - t0,
      tailMs: t0 + run.main.durationMs - Math.max(...entries.map((e) => e.end)),
      mainRssKiB: rss[0],
      postRssKiB: rss[1],
      changed: run.outputs.changed
    }
  } finally {
    run.cleanup()
  }
}

/** One cold start: ms to the first stdout byte and to exit, with what the process printed. */
export interface ColdStart {
  firstByteMs: number
  exitMs: number
  code: number | null
  stdout: string
}

/** Spawns `node args…` with a bare environment and times its first output and its exit. */
export function coldStart(node: string, args: string[], env: Record<string, string>) {
  return new Promise<ColdStart>((resolve, reject) => {
    const t0 = performance.now()
    let firstByteMs = Number.NaN
    let stdout = ''
    const child = spawn(node, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.on('data', (d: Buffer) => {
      if (Number.isNaN(firstByteMs)) firstByteMs = performance.now() - t0
      stdout += d.toString()
    })
    child.stderr.resume()
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ firstByteMs, exitMs: performance.now() - t0, code, stdout })
    })
  })
}

/**
 * The action's main with no inputs at all: it must fail, naming the missing cluster-name. The
 * runner's file commands are absent, so everything the action says goes to stdout.
 */
export async function coldStartMissingInput(node: string, mainJs: string, home: string) {
  const result = await coldStart(node, [mainJs], { PATH: process.env.PATH ?? '', HOME: home })
  if (result.code === 0 || !/cluster-name/.test(result.stdout)) {
    throw new RunFailure(
      `dist/index.js without inputs exited ${result.code} without naming cluster-name:\n${tail(
        result.stdout,
        600
      )}`
    )
  }
  return result
}

/**
 * Milliseconds for a fresh Node to import one ncc chunk: the chunk only defines its module
 * factories, so this is close to the cost of parsing and compiling it, which a run pays before
 * its first request.
 */
export async function chunkImportMs(node: string, file: string, home: string): Promise<number> {
  const script =
    'const t = performance.now(); await import(process.argv[1]); ' +
    'process.stdout.write(String(performance.now() - t))'
  const url = pathToFileURL(file).href
  const result = await coldStart(node, ['--input-type=module', '-e', script, url], {
    PATH: process.env.PATH ?? '',
    HOME: home
  })
  const ms = Number(result.stdout)
  if (result.code !== 0 || !Number.isFinite(ms)) {
    throw new RunFailure(
      `importing ${file} failed (exit ${result.code}): ${tail(result.stdout, 300)}`
    )
  }
  return ms
}
