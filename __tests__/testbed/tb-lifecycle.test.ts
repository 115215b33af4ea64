import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { startTestbed } from '../../testbed/index.js'
import { alive, descendants, stillAlive } from './procs.js'

describe('test bed lifecycle', () => {
  it('starts and stops, leaving no process or file behind (times logged, not asserted)', async () => {
    const t0 = Date.now()
    const tb = await startTestbed()
    const started = Date.now() - t0
    const children = descendants(process.pid)
    let stopped = 0
    try {
      expect(children).toContain(tb.moto.pid)
      expect(statSync(tb.adminKubeconfig).mode & 0o777).toBe(0o600)
      expect(tb.access.list()).toEqual([tb.roleArn])
      expect(tb.env).toMatchObject({
        AWS_ENDPOINT_URL: tb.endpoints.aws,
        AWS_REGION: 'ap-northeast-2',
        RUNNER_TEMP: join(tb.dir, 'runner-temp'),
        RUNNER_TOOL_CACHE: join(tb.dir, 'tool-cache'),
        GITHUB_REPOSITORY: 'octo-org/octo-repo'
      })
    } finally {
      const t1 = Date.now()
      await tb.stop()
      stopped = Date.now() - t1
    }
    await tb.stop() // a second stop is harmless
    console.log(
      `test bed start ${started} ms (${JSON.stringify(tb.startupMs)}), stop ${stopped} ms`
    )
    expect(alive(tb.moto.pid)).toBe(false)
    expect(children.filter(alive)).toEqual([])
    expect(existsSync(tb.dir)).toBe(false)
  })

  it('CLI prints one JSON line and exits 0 on SIGTERM, leaving nothing behind', async () => {
    // As `npm run testbed` runs it: node with tsx's loader, no tsx wrapper process (whose signal
    // relay SIGKILLs a child that does not confirm a signal within 30 ms, as happens under load).
    const cli = spawn(process.execPath, ['--import', 'tsx', 'testbed/cli.ts', '--nodes', '2'], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stderr = ''
    cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((r) => cli.on('exit', (code) => r(code)))
    const lines = createInterface({ input: cli.stdout })
    try {
      const first = await new Promise<string>((resolve, reject) => {
        lines.once('line', resolve)
        cli.once('exit', () => reject(new Error(`CLI exited before printing: ${stderr}`)))
      })
      const info = JSON.parse(first) as {
        endpoints: Record<string, string>
        clusterName: string
        region: string
        subnets: { node: string[]; pod: string[] }
        securityGroupId: string
        roleArn: string
        adminKubeconfig: string
        dir: string
        env: Record<string, string>
      }
      expect(info).toMatchObject({ clusterName: 'demo', region: 'ap-northeast-2' })
      expect(info.subnets.node).toHaveLength(3)
      expect(info.subnets.pod).toHaveLength(3)
      expect(info.securityGroupId).toMatch(/^sg-/)
      expect(info.roleArn).toMatch(/^arn:aws:iam::\d{12}:role\//)
      expect(Object.keys(info.endpoints).sort()).toEqual(
        ['aws', 'kube', 'kubectlMirror', 'manifestMirror', 'oidc'].sort()
      )
      expect(info.env.ACTIONS_ID_TOKEN_REQUEST_URL).toBe(info.endpoints.oidc)
      expect(existsSync(info.adminKubeconfig)).toBe(true)
      const children = descendants(cli.pid as number)
      expect(children.length).toBeGreaterThan(0)
      cli.kill('SIGTERM')
      expect(await exited).toBe(0)
      expect(await stillAlive(children)).toEqual([])
      expect(existsSync(info.dir)).toBe(false)
      let more = ''
      lines.on('line', (l) => (more += l))
      expect(more).toBe('')
    } finally {
      // A failed assertion must not leave the test bed running.
      if (cli.exitCode === null)
        for (const pid of [...descendants(cli.pid as number), cli.pid as number]) {
          try {
            process.kill(pid, 'SIGKILL')
          } catch {
            /* gone */
          }
        }
    }
  })

  it('CLI explains its options and rejects bad ones', async () => {
    const runCli = (
      args: string[],
      env: NodeJS.ProcessEnv = process.env
    ): Promise<{ code: number | null; out: string }> =>
      new Promise((resolve) => {
        const p = spawn(process.execPath, ['--import', 'tsx', 'testbed/cli.ts', ...args], { env })
        let out = ''
        p.stdout.on('data', (d: Buffer) => (out += d.toString()))
        p.stderr.on('data', (d: Buffer) => (out += d.toString()))
        p.on('exit', (code) => resolve({ code, out }))
      })
    // Without moto (here: a python3 that ignores site-packages) the CLI says so and fails.
    const shim = mkdtempSync(join(tmpdir(), 'tb-nomoto-'))
    try {
      const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'])
      writeFileSync(
        join(shim, 'python3'),
        `#!/bin/sh\nexec ${python.toString().trim()} -S "$@"\n`,
        {
          mode: 0o755
        }
      )
      const [help, bad, noMoto] = await Promise.all([
        runCli(['--help']),
        runCli(['--rollout', 'sideways']),
        runCli([], { ...process.env, PATH: `${shim}:${process.env.PATH}` })
      ])
      expect(help.code).toBe(0)
      expect(help.out).toContain('--cni-version')
      expect(bad.code).toBe(2)
      expect(bad.out).toContain('--rollout must be')
      expect(noMoto.code).toBe(1)
      expect(noMoto.out).toContain("pip install 'moto[server]'")
    } finally {
      rmSync(shim, { recursive: true, force: true })
    }
  })
})
