/**
 * Where the test bed's Python tools come from. scripts/python-tools.mjs builds a project-local
 * virtualenv `.venv/` (git-ignored) with moto and the aws CLI when the machine's python3 lacks
 * them; when it exists, the test bed runs moto with its python3 and puts its bin/ first on PATH,
 * so the tests' `aws` is the venv's too. PYTHON_TOOLS_VENV points at another venv.
 */
import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { REPO_ROOT } from './fixtures.js'

/** The venv's bin/ folder when the venv exists. */
export function venvBin(): string | undefined {
  const bin = join(process.env.PYTHON_TOOLS_VENV || join(REPO_ROOT, '.venv'), 'bin')
  return existsSync(join(bin, 'python3')) ? bin : undefined
}

/**
 * `path` with the venv's bin/ first, or unchanged without a venv or when `path` already holds it
 * (whatever stands before it was put there on purpose, e.g. a test's python3 without moto).
 */
export function pathWithVenv(path = process.env.PATH ?? ''): string {
  const bin = venvBin()
  if (!bin || path.split(delimiter).includes(bin)) return path
  return path ? `${bin}${delimiter}${path}` : bin
}
