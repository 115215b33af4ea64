/**
 * `npm run testbed` as a user runs it: faults and a request log from the command line, and SIGINT
 * or SIGTERM to npm stopping everything it started (moto's python child included).
 */
import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import { alive, descendants } from './procs.js'

const execFileP = promisify(execFile)

/** Waits until no pid in `pids` is alive, checking every 100 ms, at most `tries` times. */
async function gone(pids: number[], tries = 100): Promise<number[]> {
  for (let i = 0; i < tries && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 100))
  return pids.filter(alive)
}

const ENICONFIG = `apiVersion: crd.k8s.amazonaws.com/v1alpha1
kind: ENIConfig
metadata:
  name: injected
spec:
  subnet: subnet-0123456789abcdef0
`

describe.each(['SIGINT', 'SIGTERM'] as const)('npm run testbed, stopped by %s', (signal) => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tb-cli-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('injects the --fault rules, writes --request-log, and leaves no process behind', async () => {
    const logFile = join(dir, 'requests.jsonl')
    const npm = spawn(
      'npm',
      [
        'run',
        '--silent',
        'testbed',
        '--',
        '--nodes',
        '1',
        '--fault',
        'PATCH /apis/.../eniconfigs/*=500x*',
        '--fault',
        'oidc:GET /_apis/token=503x1,message=try again',
        '--request-log',
        logFile
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    )
    let stderr = ''
    npm.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((r) => npm.on('exit', (code) => r(code)))
    const lines = createInterface({ input: npm.stdout })
    let tree: number[] = []
    try {
      const first = await new Promise<string>((resolve, reject) => {
        lines.once('line', resolve)
        npm.once('exit', () => reject(new Error(`npm run testbed exited early: ${stderr}`)))
      })
      const info = JSON.parse(first) as {
        adminKubeconfig: string
        dir: string
        env: Record<string, string>
      }
      tree = descendants(npm.pid as number)
      const python = tree.filter((pid) =>
        readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('moto_launcher.py')
      )
      expect(python).toHaveLength(1)

      // The OIDC fault answers the first token request only.
      const token = () =>
        fetch(info.env.ACTIONS_ID_TOKEN_REQUEST_URL, {
          headers: { authorization: `Bearer ${info.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` }
        })
      const refused = await token()
      expect(refused.status).toBe(503)
      expect(await refused.text()).toContain('try again')
      expect((await token()).status).toBe(200)

      // Real kubectl's server-side apply of an ENIConfig meets the injected 500, every time.
      const child = execFileP(
        'kubectl',
        ['--kubeconfig', info.adminKubeconfig, 'apply', '--server-side', '-f', '-'],
        { env: { ...process.env, KUBECACHEDIR: join(dir, `kube-cache-${signal}`) } }
      )
      child.child.stdin?.end(ENICONFIG)
      const failed = await child.then(
        () => 'applied',
        (e: { stderr: string }) => e.stderr
      )
      expect(failed).toMatch(/injected fault|InternalError|500/)

      npm.kill(signal)
      expect(await exited).toBe(0)
      expect(await gone([...tree, npm.pid as number])).toEqual([])
      expect(existsSync(info.dir)).toBe(false)

      const entries = readFileSync(logFile, 'utf8')
        .trim()
        .split('\n')
        .map(
          (l) =>
            JSON.parse(l) as {
              service: string
              method: string
              path: string
              status: number
              fault?: string
            }
        )
      const faulted = entries.filter((e) => e.fault)
      expect(faulted.some((e) => e.service === 'oidc' && e.status === 503)).toBe(true)
      const patches = faulted.filter((e) => e.service === 'kube' && e.method === 'PATCH')
      expect(patches.length).toBeGreaterThan(0)
      for (const e of patches) {
        expect(e.path).toBe('/apis/crd.k8s.amazonaws.com/v1alpha1/eniconfigs/injected')
        expect(e.status).toBe(500)
        expect(e.fault).toBe('cli: PATCH /apis/.../eniconfigs/*=500x*')
      }
      expect(readFileSync(logFile, 'utf8')).not.toContain(info.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
    } finally {
      // A failed assertion must not leave the test bed running.
      for (const pid of [...tree, ...descendants(npm.pid as number), npm.pid as number]) {
        try {
          if (alive(pid)) process.kill(pid, 'SIGKILL')
        } catch {
          /* gone */
        }
      }
    }
  }, 120_000)
})

describe('the test bed CLI under a wrapper that dies without forwarding a signal', () => {
  it('stops everything when its parent is SIGKILLed', async () => {
    // `; true` keeps sh from exec'ing node, so node's parent is the shell killed below.
    const sh = spawn(
      'sh',
      ['-c', `'${process.execPath}' --import tsx testbed/cli.ts --nodes 1; true`],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    )
    let stderr = ''
    sh.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const lines = createInterface({ input: sh.stdout })
    let tree: number[] = []
    try {
      const first = await new Promise<string>((resolve, reject) => {
        lines.once('line', resolve)
        sh.once('exit', () => reject(new Error(`the CLI exited early: ${stderr}`)))
      })
      const info = JSON.parse(first) as { dir: string }
      tree = descendants(sh.pid as number)
      expect(tree.length).toBeGreaterThan(1)
      sh.kill('SIGKILL')
      expect(await gone(tree)).toEqual([])
      expect(existsSync(info.dir)).toBe(false)
    } finally {
      for (const pid of [...tree, sh.pid as number]) {
        try {
          if (alive(pid)) process.kill(pid, 'SIGKILL')
        } catch {
          /* gone */
        }
      }
    }
  }, 120_000)
})

describe('npm run testbed -- --fault', () => {
  it('documents the syntax in --help and rejects a bad spec with exit 2', async () => {
    const help = await execFileP('npm', ['run', '--silent', 'testbed', '--', '--help'])
    expect(help.stdout).toContain('--fault <spec>')
    expect(help.stdout).toContain("--fault 'PATCH /apis/.../eniconfigs/*=500x*'")
    expect(help.stdout).toContain('--request-log <file>')
    const bad = await execFileP('npm', [
      'run',
      '--silent',
      'testbed',
      '--',
      '--fault',
      'GET /x=5'
    ]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e
    )
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("--fault 'GET /x=5': no =EFFECT")
  })
})
