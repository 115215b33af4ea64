/**
 * Helpers for driving real kubectl binaries against the emulator in tests: the versioned binaries
 * the gcloud SDK installs, a static-token kubeconfig, and an isolated run (own HOME and
 * KUBECACHEDIR, since kubectl caches discovery on disk for 6 h and results would depend on order).
 */
import { execFile } from 'node:child_process'
import https from 'node:https'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FaultInjector, RequestLog } from '../faults.js'
import type { TlsMaterial } from '../tls.js'
import { startKubeEmulator, type KubeEmulator, type KubeEmulatorOptions } from './emulator.js'

const KUBECTL_DIRS = ['/usr/lib/google-cloud-sdk/bin']

/** Path of `kubectl.<minor>` (e.g. '1.27'), or undefined when it is not installed. */
export function versionedKubectl(minor: string): string | undefined {
  for (const dir of KUBECTL_DIRS) {
    const p = join(dir, `kubectl.${minor}`)
    if (existsSync(p)) return p
  }
  return undefined
}

/** A kubeconfig with a bearer token (kubectl only sends it over TLS) and the test CA. */
export function kubeconfigYaml(server: string, caPem: string, token?: string): string {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'testbed',
        cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') }
      }
    ],
    users: [{ name: 'testbed', user: token === undefined ? {} : { token } }],
    contexts: [{ name: 'testbed', context: { cluster: 'testbed', user: 'testbed' } }],
    'current-context': 'testbed'
  }
  return JSON.stringify(config, null, 2)
}

export interface KubectlResult {
  code: number
  stdout: string
  stderr: string
}

/** A directory with a kubeconfig, HOME and discovery cache: one "kubectl user". */
export interface KubectlSession {
  dir: string
  kubeconfig: string
  run(args: string[], options?: { timeoutMs?: number }): Promise<KubectlResult>
}

export function kubectlSession(
  binary: string,
  server: string,
  caPem: string,
  token?: string
): KubectlSession {
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-session-'))
  const kubeconfig = join(dir, 'kubeconfig')
  writeFileSync(kubeconfig, kubeconfigYaml(server, caPem, token))
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    KUBECONFIG: kubeconfig,
    KUBECACHEDIR: join(dir, 'cache')
  }
  return {
    dir,
    kubeconfig,
    run: (args, options = {}) =>
      new Promise((resolve) => {
        const child = execFile(
          binary,
          args,
          { env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 << 20 },
          (err, stdout, stderr) => {
            const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0
            resolve({ code, stdout: String(stdout), stderr: String(stderr) })
          }
        )
        // No terminal: kubectl without credentials would otherwise wait for a username prompt.
        child.stdin?.end()
      })
  }
}

export interface RawReply {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** The body parsed as JSON, or {} when it is not JSON (OpenAPI v2, watch streams). */
  json: Record<string, unknown>
}

/** One HTTPS request to the emulator, trusting the test CA; `token: null` sends no Authorization. */
export function rawRequest(
  url: string,
  caPem: string,
  opts: {
    method?: string
    token?: string | null
    body?: unknown
    contentType?: string
    accept?: string
    agent?: https.Agent
    userAgent?: string
  } = {}
): Promise<RawReply> {
  const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json' }
  if (opts.userAgent !== undefined) headers['User-Agent'] = opts.userAgent
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`
  const payload =
    opts.body === undefined || typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body)
  if (payload !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json'
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: opts.method ?? 'GET', headers, ca: caPem, agent: opts.agent },
      (res) => {
        let text = ''
        res.on('data', (c: Buffer) => (text += c.toString()))
        res.on('end', () => {
          let json: Record<string, unknown> = {}
          try {
            const parsed: unknown = JSON.parse(text)
            if (typeof parsed === 'object' && parsed !== null)
              json = parsed as Record<string, unknown>
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json })
        })
        res.on('error', reject)
      }
    )
    req.on('error', reject)
    req.end(payload)
  })
}

/** ENIConfigs named after the zones, one subnet each: what the action creates. */
export function eniConfigsYaml(zones: string[]): string {
  return zones
    .map(
      (z, i) =>
        `apiVersion: crd.k8s.amazonaws.com/v1alpha1\nkind: ENIConfig\nmetadata:\n  name: ${z}\nspec:\n  subnet: subnet-0${i}\n  securityGroups: [sg-0123]\n`
    )
    .join('---\n')
}

/** An emulator plus one kubectl session pointed at it. */
export interface KubectlBed {
  emu: KubeEmulator
  log: RequestLog
  faults: FaultInjector
  k: KubectlSession
  close(): Promise<void>
}

/**
 * Starts an emulator that accepts exactly `token` and a kubectl session for it; the session uses
 * `sessionToken` instead when given (null: no credentials at all).
 */
export async function startKubectlBed(args: {
  binary: string
  tls: TlsMaterial
  token: string
  sessionToken?: string | null
  options?: Partial<KubeEmulatorOptions>
}): Promise<KubectlBed> {
  const log = new RequestLog()
  const faults = new FaultInjector()
  const emu = await startKubeEmulator({
    tls: args.tls,
    kubernetesVersion: /kubectl\.(\d+\.\d+)$/.exec(args.binary)?.[1] ?? '1.31',
    authenticate: async (t) =>
      t === args.token
        ? { ok: true, user: 'kubernetes-admin' }
        : { ok: false, status: 401, message: 'Unauthorized' },
    faults,
    log,
    ...args.options
  })
  const token = args.sessionToken === undefined ? args.token : (args.sessionToken ?? undefined)
  const k = kubectlSession(args.binary, emu.url, args.tls.caPem, token)
  return {
    emu,
    log,
    faults,
    k,
    async close() {
      await emu.close()
      rmSync(k.dir, { recursive: true, force: true })
    }
  }
}

/**
 * An emulator accepting one token, and raw HTTPS calls to it over one keep-alive agent (a call
 * sends the bed's token unless it names another; `token: null` sends none).
 */
export interface ApiBed {
  emu: KubeEmulator
  log: RequestLog
  faults: FaultInjector
  call(
    method: string,
    path: string,
    opts?: {
      body?: unknown
      contentType?: string
      accept?: string
      userAgent?: string
      token?: string | null
    }
  ): Promise<RawReply>
  close(): Promise<void>
}

export async function startApiBed(args: {
  tls: TlsMaterial
  token?: string
  options?: Partial<KubeEmulatorOptions>
}): Promise<ApiBed> {
  const token = args.token ?? 'good'
  const log = new RequestLog()
  const faults = new FaultInjector()
  const emu = await startKubeEmulator({
    tls: args.tls,
    kubernetesVersion: '1.31',
    authenticate: async (t) =>
      t === token
        ? { ok: true, user: 'kubernetes-admin' }
        : { ok: false, status: 401, message: 'Unauthorized' },
    faults,
    log,
    ...args.options
  })
  const agent = new https.Agent({ keepAlive: true, maxSockets: 4 })
  return {
    emu,
    log,
    faults,
    call: (method, path, opts = {}) =>
      rawRequest(`${emu.url}${path}`, args.tls.caPem, {
        ...opts,
        method,
        token: opts.token === undefined ? token : opts.token,
        agent
      }),
    async close() {
      agent.destroy()
      await emu.close()
    }
  }
}
