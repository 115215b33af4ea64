/**
 * scripts/python-tools.mjs, the set-up step of `npm test` and `npm run demo`: it passes when
 * python3 has moto and the aws CLI, builds a venv from the requirements file where pip can install
 * them, and otherwise stops with one message naming what is missing and how to install it.
 */
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { pathWithVenv, venvBin } from '../testbed/python-tools.js'

const execFileP = promisify(execFile)
const SCRIPT = resolve('scripts/python-tools.mjs')
/** The real interpreter behind python3 (past a pyenv shim). */
const PYTHON = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'])
  .toString()
  .trim()

type Result = { code: number; stdout: string; stderr: string }
const runScript = (env: NodeJS.ProcessEnv): Promise<Result> =>
  execFileP(process.execPath, [SCRIPT], { env, timeout: 300_000 }).then(
    (r) => ({ code: 0, ...r }),
    (e: Result) => e
  )

describe('python-tools', () => {
  let dir: string
  /** A bin/ with python3 = the real interpreter without site-packages (so without moto), and no aws. */
  let bare: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'python-tools-'))
    bare = join(dir, 'bare-bin')
    mkdirSync(bare)
    writeFileSync(join(bare, 'python3'), `#!/bin/sh\nexec ${PYTHON} -S "$@"\n`, { mode: 0o755 })
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('leaves PATH alone without a venv', () => {
    const saved = process.env.PYTHON_TOOLS_VENV
    process.env.PYTHON_TOOLS_VENV = join(dir, 'no-venv')
    try {
      expect(venvBin()).toBeUndefined()
      expect(pathWithVenv('/usr/bin:/bin')).toBe('/usr/bin:/bin')
    } finally {
      if (saved === undefined) delete process.env.PYTHON_TOOLS_VENV
      else process.env.PYTHON_TOOLS_VENV = saved
    }
  })

  it('passes at once when python3 has moto and the aws CLI is on PATH', async () => {
    const venv = join(dir, 'unused-venv')
    const r = await runScript({ ...process.env, PYTHON_TOOLS_VENV: venv })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^python-tools: moto \d+\.\d+\.\d+, aws-cli\/\d+\.\d+\.\d+\n$/)
    expect(existsSync(venv)).toBe(false)
  })

  it('stops with one message naming what is missing and the install command where pip cannot install', async () => {
    const venv = join(dir, 'venv-fail')
    // pip's index answers nothing here: the requirements come from an empty local folder only.
    const requirements = join(dir, 'requirements-offline.txt')
    mkdirSync(join(dir, 'empty'))
    writeFileSync(
      requirements,
      `--no-index\n--find-links ${join(dir, 'empty')}\nmoto[server]==5.2.1\n`
    )
    const r = await runScript({
      ...process.env,
      PATH: `${bare}:/usr/bin:/bin`,
      PYTHON_TOOLS_VENV: venv,
      PYTHON_TOOLS_REQUIREMENTS: requirements
    })
    expect(r.code).toBe(1)
    const message = r.stderr.trim().split('\n')
    expect(message[0]).toBe(
      'python-tools: the test bed needs moto and the aws CLI; missing: ' +
        'moto (python3 cannot import moto.server); the aws CLI (no aws command on PATH).'
    )
    expect(r.stderr).toContain('pip could not install them')
    expect(r.stderr).toContain('No matching distribution found for moto')
    expect(r.stderr).toContain(`Install them with:  python3 -m pip install -r ${requirements}`)
    // No half-built venv is left to hide the tools from the next try.
    expect(existsSync(venv)).toBe(false)
  }, 300_000)

  it('says so when the python to build the venv from is missing, naming the default requirements', async () => {
    const r = await runScript({
      ...process.env,
      PATH: `${bare}:/usr/bin:/bin`,
      PYTHON: join(dir, 'no-such-python'),
      PYTHON_TOOLS_VENV: join(dir, 'venv-nopython')
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`missing: moto (${join(dir, 'no-such-python')} not found)`)
    expect(r.stderr).toContain('Could not create')
    expect(r.stderr).toContain(
      `Install them with:  ${join(dir, 'no-such-python')} -m pip install -r testbed/requirements.txt`
    )
  })

  it('builds the venv from the requirements file where pip can install them, then uses it', async () => {
    // A stand-in wheel named like the real tools (a `moto` package with moto.server and an `aws`
    // command) in a local folder: the pip, venv and PATH plumbing is real, the tools are not.
    const wheels = join(dir, 'wheels')
    mkdirSync(wheels)
    execFileSync(PYTHON, [
      '-c',
      `import zipfile, sys
files = {
  'moto/__init__.py': "__version__ = '5.2.1'\\n",
  'moto/server.py': '',
  'standin_aws.py': "def main():\\n    print('aws-cli/1.45.11 Python/3 standin')\\n",
  'standin_tools-1.0.dist-info/METADATA': 'Metadata-Version: 2.1\\nName: standin-tools\\nVersion: 1.0\\n',
  'standin_tools-1.0.dist-info/WHEEL': 'Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n',
  'standin_tools-1.0.dist-info/entry_points.txt': '[console_scripts]\\naws = standin_aws:main\\n',
}
records = [f'{n},,' for n in files] + ['standin_tools-1.0.dist-info/RECORD,,']
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    for n, t in files.items():
        z.writestr(n, t)
    z.writestr('standin_tools-1.0.dist-info/RECORD', '\\n'.join(records) + '\\n')
`,
      join(wheels, 'standin_tools-1.0-py3-none-any.whl')
    ])
    const requirements = join(dir, 'requirements-standin.txt')
    writeFileSync(requirements, `--no-index\n--find-links ${wheels}\nstandin-tools==1.0\n`)
    const venv = join(dir, 'venv-ok')
    const env = {
      ...process.env,
      PATH: `${bare}:/usr/bin:/bin`,
      PYTHON_TOOLS_VENV: venv,
      PYTHON_TOOLS_REQUIREMENTS: requirements
    }
    const first = await runScript(env)
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('python-tools: missing moto')
    expect(first.stdout).toMatch(/python-tools: moto 5\.2\.1, aws-cli\/1\.45\.11 \(.*venv-ok\)\n$/)
    expect(existsSync(join(venv, 'bin', 'aws'))).toBe(true)
    // The second run finds the venv and installs nothing.
    const second = await runScript(env)
    expect(second.code).toBe(0)
    expect(second.stdout).toMatch(
      /^python-tools: moto 5\.2\.1, aws-cli\/1\.45\.11 \(.*venv-ok\)\n$/
    )
  }, 300_000)
})
