/**
 * Makes sure the test bed's Python tools are there: moto (with its server) and the aws CLI. Runs
 * before `npm test` and `npm run demo`, and from .ci/run; plain Node with no dependency, so it
 * works before `npm ci` too.
 *
 * - python3 on PATH has moto and `aws` runs: nothing to do.
 * - Else a project-local virtualenv `.venv/` (git-ignored) gets the pinned versions of
 *   testbed/requirements.txt; the test bed and the tests put `.venv/bin` first on PATH when it
 *   exists (testbed/python-tools.ts).
 * - Where pip cannot install them (no route to its index, as on machines that reach only the npm
 *   registry), it stops with one message naming what is missing and the command that installs it.
 *
 * Environment: PYTHON (default python3) is the interpreter to check and to build the venv from;
 * PYTHON_TOOLS_VENV (default <repo>/.venv) and PYTHON_TOOLS_REQUIREMENTS override the paths.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { delimiter, dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO = dirname(dirname(fileURLToPath(import.meta.url)))
const VENV = process.env.PYTHON_TOOLS_VENV || join(REPO, '.venv')
const VENV_BIN = join(VENV, 'bin')
const REQUIREMENTS =
  process.env.PYTHON_TOOLS_REQUIREMENTS || join(REPO, 'testbed', 'requirements.txt')
const PYTHON = process.env.PYTHON || 'python3'
/** A path as the message shows it: relative to the repository (where npm runs) when inside it. */
const shown = (p) => (p.startsWith(REPO + sep) ? relative(REPO, p) : p)

/** Runs a command quietly; never throws. */
function run(cmd, args, path) {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: { ...process.env, PATH: path },
    timeout: 600_000
  })
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim(), error: r.error }
}

/** What the tools on `path` are: moto's version and the aws CLI's banner, or why not. */
function probe(python, path) {
  const moto = run(python, ['-c', 'import moto, moto.server; print(moto.__version__)'], path)
  const aws = run('aws', ['--version'], path)
  return {
    moto: moto.ok ? moto.out.split('\n').pop() : undefined,
    motoWhy: moto.error ? `${python} not found` : `${python} cannot import moto.server`,
    aws: aws.ok ? aws.out.split(/\s/)[0] : undefined,
    awsWhy: aws.error ? 'no aws command on PATH' : `aws --version failed: ${aws.out.slice(0, 200)}`
  }
}

const missingList = (p) =>
  [
    p.moto ? undefined : `moto (${p.motoWhy})`,
    p.aws ? undefined : `the aws CLI (${p.awsWhy})`
  ].filter(Boolean)

function fail(missing, why) {
  const req = shown(REQUIREMENTS)
  console.error(
    [
      `python-tools: the test bed needs moto and the aws CLI; missing: ${missing.join('; ')}.`,
      `  ${why}`,
      `  Install them with:  ${PYTHON} -m pip install -r ${req}`,
      `  (or let this script build ${shown(VENV)}/ with them: run it where pip can reach its package index)`
    ].join('\n')
  )
  process.exit(1)
}

const systemPath = process.env.PATH ?? ''
const venvPath = `${VENV_BIN}${delimiter}${systemPath}`
const venvPython = join(VENV_BIN, 'python3')
const hasVenv = existsSync(venvPython)

let found = hasVenv ? probe(venvPython, venvPath) : probe(PYTHON, systemPath)
if (found.moto && found.aws) {
  console.log(`python-tools: moto ${found.moto}, ${found.aws}${hasVenv ? ` (${shown(VENV)})` : ''}`)
  process.exit(0)
}
const missing = missingList(found)
console.log(
  `python-tools: missing ${missing.join('; ')}; installing ${shown(REQUIREMENTS)} into ${shown(VENV)}/`
)

if (!hasVenv) {
  const venv = run(PYTHON, ['-m', 'venv', VENV], systemPath)
  if (!venv.ok) {
    rmSync(VENV, { recursive: true, force: true })
    fail(
      missing,
      `Could not create ${shown(VENV)} with ${PYTHON} -m venv: ${venv.error?.message ?? venv.out.split('\n').pop()}`
    )
  }
}
const pip = run(
  venvPython,
  [
    '-m',
    'pip',
    'install',
    '--disable-pip-version-check',
    '--retries',
    '1',
    '--timeout',
    '30',
    '-r',
    REQUIREMENTS
  ],
  venvPath
)
if (!pip.ok) {
  // A venv without the tools would only hide them from the next try.
  if (!hasVenv) rmSync(VENV, { recursive: true, force: true })
  const reason =
    pip.out
      .split('\n')
      .filter((l) => l.startsWith('ERROR:'))
      .pop() ?? pip.out.split('\n').pop()
  fail(missing, `pip could not install them into ${shown(VENV)}/: ${reason}`)
}
found = probe(venvPython, venvPath)
if (!found.moto || !found.aws)
  fail(missingList(found), `They are still missing after pip installed ${shown(REQUIREMENTS)}.`)
console.log(`python-tools: moto ${found.moto}, ${found.aws} (${shown(VENV)})`)
