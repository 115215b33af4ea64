/**
 * `npm run bench`: the action against the origin script on the test bed, side by side. For each
 * repetition and each injected latency (0 and 50 ms per request) it runs (a) the origin script on
 * a fresh test bed, (b) the action's first run with the origin's manifest version on another fresh
 * test bed and (c) its rerun there, and, in the first BENCH_SETTINGS_REPS repetitions, (sb) the
 * default settings-only first run on a third fresh test bed and (sc) its rerun. The groups take
 * turns going first, so that machine noise hits all of them alike. It adds the bundle size, the cold start
 * and a cold-tool-cache first run, prints the table and writes bench/RESULTS.md. Any failed run
 * stops the benchmark with a non-zero exit: a broken run is never timed. It runs a private copy of
 * dist/, so a rebuild by someone else meanwhile cannot change what is measured.
 *
 * Then the managed add-on: the CLI way against the action on add-on test beds (bench/addon.ts).
 *
 * Environment: BENCH_REPS (default 5) repetitions; BENCH_SETTINGS_REPS (default 3, at most
 * BENCH_REPS) repetitions that also run the settings-only scenario, fewer to keep the whole
 * benchmark under 5 minutes; BENCH_OUT (default bench/RESULTS.md); BENCH_ONLY=addon runs only the
 * add-on comparison and writes only its section.
 */
import { execFileSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startTestbed, type Testbed, type TestbedOptions } from '../testbed/index.js'
import { nodeForRuntime, readActionYaml } from '../testbed/runner.js'
import { renderAddonSection, runAddonBench } from './addon.js'
import { median } from './metrics.js'
import { renderReport, type BenchData } from './report.js'
import {
  coldStart,
  chunkImportMs,
  coldStartMissingInput,
  measureAction,
  measureBaseline,
  rssWrapper,
  RunFailure,
  type ActionRunOptions,
  type RunKind,
  type RunRecord
} from './runs.js'

/** The kinds of run that start the action. */
type ActionKind = Exclude<RunKind, 'a'>

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const LATENCIES = [0, 50]
const COLD_START_SAMPLES = 11
const REPS = Number(process.env.BENCH_REPS ?? 5)
const SETTINGS_REPS = Math.min(REPS, Number(process.env.BENCH_SETTINGS_REPS ?? 3))
const OUT = process.env.BENCH_OUT ?? join(ROOT, 'bench', 'RESULTS.md')
const ONLY_ADDON = process.env.BENCH_ONLY === 'addon'
/** How long an add-on update stays in progress on the add-on test beds. */
const ADDON_UPDATE_DELAY_MS = 1000

/** Test beds still running, so an interrupt or a failure can stop them all. */
const live = new Set<Testbed>()
/** The scratch folder, for the interrupt handler to remove. */
let scratch: string | undefined

const say = (line: string): void => void process.stderr.write(`${line}\n`)

async function startBeds(count: number, options: TestbedOptions): Promise<Testbed[]> {
  const started = await Promise.allSettled(
    Array.from({ length: count }, () => startTestbed(options))
  )
  for (const s of started) if (s.status === 'fulfilled') live.add(s.value)
  const failed = started.find((s) => s.status === 'rejected')
  if (failed) throw failed.reason
  return started.map((s) => (s as PromiseFulfilledResult<Testbed>).value)
}

async function stopBeds(beds: Testbed[]): Promise<void> {
  await Promise.all(beds.map((b) => b.stop()))
  for (const b of beds) live.delete(b)
}

/** Bytes of the two entry points, and of all JS under dist/ (ncc splits lazy imports into chunks). */
function bundleSize(distDir: string, entries: string[]): BenchData['bundle'] {
  const files = readdirSync(distDir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.js'))
  const size = (f: string): number => statSync(join(distDir, f)).size
  const chunks = files.filter((f) => !entries.includes(f)).sort((x, y) => size(y) - size(x))
  return {
    entryBytes: entries.reduce((n, f) => n + size(f), 0),
    totalJsBytes: files.reduce((n, f) => n + size(f), 0),
    chunks: chunks.length,
    largestChunk: chunks.length ? { file: `dist/${chunks[0]}`, bytes: size(chunks[0]) } : undefined,
    builtAt: statSync(join(distDir, entries[0]))
      .mtime.toISOString()
      .replace(/\.\d+Z$/, 'Z')
  }
}

/** Cold starts of the bundle without inputs, interleaved with the bare-Node anchor. */
async function measureColdStart(node: string, mainJs: string, home: string) {
  const result: BenchData['coldStart'] = { firstLineMs: [], errorExitMs: [], anchorMs: [] }
  const env = { PATH: process.env.PATH ?? '', HOME: home }
  // One unmeasured round first: it pulls the files into the page cache, as any runner has them.
  for (let i = 0; i <= COLD_START_SAMPLES; i++) {
    const anchor = await coldStart(node, ['-e', 'process.stdout.write("x")'], env)
    const action = await coldStartMissingInput(node, mainJs, home)
    if (i === 0) continue
    result.anchorMs.push(anchor.exitMs)
    result.firstLineMs.push(action.firstByteMs)
    result.errorExitMs.push(action.exitMs)
  }
  return result
}

function toolVersions(node: string, pythonBin?: string): { actionNode: string; tools: string } {
  const out = (bin: string, args: string[]): string => {
    try {
      return execFileSync(bin, args, { encoding: 'utf8', stdio: 'pipe' }).trim()
    } catch {
      return 'missing'
    }
  }
  const kubectl = /v\d+\.\d+\.\d+/.exec(out('kubectl', ['version', '--client']))?.[0] ?? 'missing'
  const aws = out('aws', ['--version']).split(' ')[0]
  const where = pythonBin ? ` from ${pythonBin} (past the pyenv shim)` : ''
  return {
    actionNode: out(node, ['--version']),
    tools: `the script runs kubectl ${kubectl} and ${aws}${where}`
  }
}

/**
 * Puts the Python behind a pyenv shim first on PATH, for moto and for the origin script's aws CLI.
 * Each shim costs a bash and `pyenv exec` (0.1–0.4 s) that no runner pays: the hosted runners' aws
 * is a plain binary. Returns the folder, or undefined when there is nothing to bypass.
 */
function bypassPyenvShims(): string | undefined {
  try {
    const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
      encoding: 'utf8'
    }).trim()
    const bin = dirname(python)
    if (!existsSync(join(bin, 'aws')) || process.env.PATH?.startsWith(`${bin}:`)) return undefined
    process.env.PATH = `${bin}:${process.env.PATH ?? ''}`
    process.env.TESTBED_PYTHON ??= python
    return bin
  } catch {
    return undefined
  }
}

const line = (r: RunRecord): string =>
  `${r.kind} ${r.wallMs} ms, ${r.requests} requests, chain ${r.chain.length}` +
  (r.mainRssKiB ? `, main RSS ${Math.round(r.mainRssKiB / 1024)} MiB` : '')

async function main(): Promise<void> {
  const t0 = performance.now()
  // Sampled before each step: other work on the machine skews every figure, so the report says how much.
  const load = [loadavg()[0]]
  const pythonBin = bypassPyenvShims()
  say(
    ONLY_ADDON
      ? `bench: the add-on comparison only, ${REPS} repetitions, load ${load[0]}`
      : `bench: ${REPS} repetitions (settings-only in ${SETTINGS_REPS}) × latencies ` +
          `${LATENCIES.join('/')} ms, load ${load[0]}`
  )

  if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('no dist/: run npm run package')
  scratch = mkdtempSync(join(tmpdir(), 'bench-'))
  try {
    const home = join(scratch, 'home')
    mkdirSync(home)
    // A private copy of the action: `npm run package` replaces dist/ wholesale, and a rebuild in
    // the middle of the benchmark would break a run or mix two builds in the medians.
    const actionDir = join(scratch, 'action')
    cpSync(join(ROOT, 'dist'), join(actionDir, 'dist'), { recursive: true })
    cpSync(join(ROOT, 'action.yml'), join(actionDir, 'action.yml'))
    const action = readActionYaml(actionDir)
    const node = nodeForRuntime(action.runs.using)
    const entries = [action.runs.main, action.runs.post ?? ''].map((p) => p.replace(/^dist\//, ''))
    for (const e of entries) statSync(join(actionDir, 'dist', e)) // no bundle: fail now
    const opts: ActionRunOptions = {
      actionDir,
      toolCache: join(scratch, 'tool-cache'),
      node: rssWrapper(scratch, node),
      scratch
    }
    mkdirSync(opts.toolCache)
    const addonBench = () =>
      runAddonBench({
        reps: REPS,
        opts,
        updateDelayMs: ADDON_UPDATE_DELAY_MS,
        startBeds,
        stopBeds,
        say
      })
    if (ONLY_ADDON) {
      const section = renderAddonSection(await addonBench(), ADDON_UPDATE_DELAY_MS)
      writeFileSync(OUT, section)
      process.stdout.write(`${section}\nWritten to ${OUT}\n`)
      return
    }
    const bundle = bundleSize(join(actionDir, 'dist'), entries)
    const cold = await measureColdStart(node, join(actionDir, action.runs.main), home)
    say(`cold start: first line ${cold.firstLineMs.map(Math.round).join(', ')} ms`)
    if (bundle.largestChunk) {
      const chunk = join(actionDir, bundle.largestChunk.file)
      const ms: number[] = []
      // One after another: concurrent imports would compete for the same two cores.
      for (let i = 0; i < 3; i++) ms.push(await chunkImportMs(node, chunk, home))
      bundle.largestChunk.importMs = median(ms)
    }

    const bedOptions: TestbedOptions = { rollout: { mode: 'instant' } }
    // The cold-tool-cache run also fills the cache that every later first run finds warm.
    const [coldBed] = await startBeds(1, bedOptions)
    const coldRun = await measureAction(coldBed, 'cold', 0, 0, opts).finally(() =>
      stopBeds([coldBed])
    )
    say(`cold tool cache: ${line(coldRun)}`)

    const runs: RunRecord[] = []
    for (let rep = 1; rep <= REPS; rep++) {
      for (const latencyMs of LATENCIES) {
        load.push(loadavg()[0])
        const bedsAt = performance.now()
        const settings = rep <= SETTINGS_REPS
        const beds = await startBeds(settings ? 3 : 2, { ...bedOptions, latencyMs })
        const bedsMs = Math.round(performance.now() - bedsAt)
        try {
          const [bedA, bedB, bedS] = beds
          const pair = (bed: Testbed, first: ActionKind, rerun: ActionKind) => async () => [
            await measureAction(bed, first, latencyMs, rep, opts),
            await measureAction(bed, rerun, latencyMs, rep, opts)
          ]
          const groups = [
            async () => [await measureBaseline(bedA, latencyMs, rep)],
            pair(bedB, 'b', 'c'),
            ...(settings ? [pair(bedS, 'sb', 'sc')] : [])
          ]
          // Rotate which group goes first, so none always runs right after the test beds start.
          const batch: RunRecord[] = []
          for (let i = 0; i < groups.length; i++) {
            batch.push(...(await groups[(i + rep) % groups.length]()))
          }
          runs.push(...batch)
          say(
            `rep ${rep}/${REPS}, ${latencyMs} ms (beds ${bedsMs} ms): ${batch.map(line).join(' | ')}`
          )
        } finally {
          await stopBeds(beds)
        }
      }
    }

    const addonRuns = await addonBench()

    const data: BenchData = {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      machine: {
        nproc: availableParallelism(),
        cpu: cpus()[0]?.model ?? 'unknown CPU',
        node: process.versions.node,
        ...toolVersions(node, pythonBin)
      },
      load: [...load, loadavg()[0]],
      totalMs: performance.now() - t0,
      reps: REPS,
      settingsReps: SETTINGS_REPS,
      latencies: LATENCIES,
      runs,
      cold: coldRun,
      bundle,
      coldStart: cold
    }
    const report = `${renderReport(data)}\n${renderAddonSection(addonRuns, ADDON_UPDATE_DELAY_MS)}`
    writeFileSync(OUT, report)
    process.stdout.write(`${report}\nWritten to ${OUT}\n`)
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`bench: ${signal}, stopping ${live.size} test bed(s)`)
    void stopBeds([...live]).finally(() => {
      if (scratch) rmSync(scratch, { recursive: true, force: true })
      process.exit(130)
    })
  })
}

main().catch(async (err: unknown) => {
  await stopBeds([...live])
  const kind = err instanceof RunFailure ? 'a run failed' : 'error'
  say(`bench: ${kind}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
  process.exitCode = 1
})
