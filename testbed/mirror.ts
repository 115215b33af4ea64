/**
 * A download mirror with two layouts on one server:
 * - `<url>/dl`: dl.k8s.io (`/release/stable.txt`, `/release/stable-1.N.txt`,
 *   `/release/vX.Y.Z/bin/linux/<arch>/kubectl` and `.sha256`), serving the kubectl binaries
 *   installed on this machine: versioned `kubectl.1.N` files beside kubectl (the gcloud SDK ships
 *   `kubectl.1.27` … `kubectl.1.33`) and a plain `kubectl` (GitHub's runners have one), whose
 *   version is asked of the binary;
 * - `<url>/raw`: raw.githubusercontent.com (`/aws/amazon-vpc-cni-k8s/<tag>/config/master/<file>`),
 *   serving the VPC CNI manifests in the repository's fixtures.
 * Versions and checksums are computed lazily, so starting the mirror costs nothing.
 */
import { execFile, execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, existsSync, readdirSync, realpathSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { arch } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { VPC_CNI_FIXTURES } from './fixtures.js'
import { delay, type FaultInjector, type RequestLog } from './faults.js'

export interface MirrorOptions {
  faults: FaultInjector
  log: RequestLog
  /** Directory of `aws-k8s-cni-<tag>.yaml`; default: the repository's fixtures. */
  fixturesDir?: string
  /**
   * Directory holding `kubectl.1.N` files and/or a plain `kubectl`; default: every directory of a
   * `kubectl` on PATH, symlinks resolved.
   */
  kubectlDir?: string
  latencyMs?: number
}

export interface Mirror {
  url: string
  /** Base URL in dl.k8s.io layout (`<dl>/release/stable.txt`). */
  dlBase: string
  /** Base URL in raw.githubusercontent.com layout (`<raw>/aws/amazon-vpc-cni-k8s/<tag>/…`). */
  rawBase: string
  /** Full versions (`v1.33.1`) of the served kubectl binaries, newest first. */
  versions(): Promise<string[]>
  /** The served kubectl binaries (version and file), newest first. */
  served(): Promise<KubectlBinary[]>
  setLatency(ms: number): void
  close(): Promise<void>
}

/** The directory of the VPC CNI manifests the mirror serves. */
export function fixturesDir(): string {
  return VPC_CNI_FIXTURES
}

/** One kubectl binary the mirror serves. */
export interface KubectlBinary {
  /** `v1.33.1` */
  version: string
  path: string
}

/** Directories of the `kubectl` files on PATH, symlinks resolved, in PATH order, once each. */
export function kubectlDirsOnPath(): string[] {
  const dirs: string[] = []
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'kubectl')
    if (!dir || !existsSync(candidate)) continue
    const real = dirname(realpathSync(candidate))
    if (!dirs.includes(real)) dirs.push(real)
  }
  return dirs
}

/** Finds the directory of versioned `kubectl.1.N` binaries: beside a `kubectl` on PATH. */
export function findKubectlDir(): string | undefined {
  return kubectlDirsOnPath().find((d) => readdirSync(d).some((f) => VERSIONED.test(f)))
}

const VERSIONED = /^kubectl\.1\.(\d+)$/

/** `v1.N.P` from `kubectl version --client -o json` output (build suffixes such as `-dispatcher` dropped). */
function parseClientVersion(stdout: string): string | undefined {
  try {
    const git = (JSON.parse(stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion
      ?.gitVersion
    return /^v1\.\d+\.\d+/.exec(git ?? '')?.[0]
  } catch {
    return undefined
  }
}

/** Asks a kubectl binary for its version; undefined when it does not run or answer. */
export function clientVersion(bin: string): Promise<string | undefined> {
  return new Promise((res) =>
    execFile(bin, ['version', '--client', '-o', 'json'], { timeout: 30_000 }, (err, stdout) =>
      res(err ? undefined : parseClientVersion(stdout))
    )
  )
}

/** The kubectl files in `dirs`: `kubectl.1.N` by minor (first directory wins), and plain `kubectl`s. */
function scanKubectl(dirs: string[]): { versioned: Map<number, string>; plain: string[] } {
  const versioned = new Map<number, string>()
  const plain: string[] = []
  for (const dir of dirs) {
    for (const f of readdirSync(dir)) {
      const m = VERSIONED.exec(f)
      if (m && !versioned.has(Number(m[1]))) versioned.set(Number(m[1]), join(dir, f))
      if (f === 'kubectl') plain.push(join(dir, f))
    }
  }
  return { versioned, plain }
}

/**
 * A kubectl binary of minor `minor` on this machine: `kubectl.1.N` beside a kubectl on PATH, else a
 * plain kubectl of that minor; undefined when there is none. Asks plain binaries their version.
 */
export function findKubectl(minor: number, dirs = kubectlDirsOnPath()): string | undefined {
  const { versioned, plain } = scanKubectl(dirs)
  if (versioned.has(minor)) return versioned.get(minor)
  return plain.find((bin) => {
    try {
      const out = execFileSync(bin, ['version', '--client', '-o', 'json'], { timeout: 30_000 })
      return parseClientVersion(out.toString())?.startsWith(`v1.${minor}.`)
    } catch {
      return false
    }
  })
}

const MANIFESTS = ['aws-k8s-cni', 'aws-k8s-cni-cn', 'aws-k8s-cni-us-gov-west-1']

/** Starts the mirror on 127.0.0.1. */
export async function startMirror(options: MirrorOptions): Promise<Mirror> {
  const { faults, log } = options
  let latencyMs = options.latencyMs ?? 0
  const fixtures = options.fixturesDir ?? fixturesDir()
  const hostArch = arch() === 'x64' ? 'amd64' : arch()
  // minor → binary path: the versioned files, then each plain kubectl for a minor they lack.
  const { versioned: binaries, plain } = scanKubectl(
    options.kubectlDir ? [options.kubectlDir] : kubectlDirsOnPath()
  )
  const versionCache = new Map<number, Promise<string | undefined>>()
  const shaCache = new Map<string, Promise<string>>()
  let plainProbe: Promise<void> | undefined
  /** Asks each plain kubectl its version once, on the first request that needs the inventory. */
  const inventory = (): Promise<void> =>
    (plainProbe ??= (async () => {
      for (const bin of plain) {
        const v = await clientVersion(bin)
        const minor = v === undefined ? undefined : Number(v.split('.')[1])
        if (minor === undefined || binaries.has(minor)) continue
        binaries.set(minor, bin)
        versionCache.set(minor, Promise.resolve(v))
      }
    })())

  /** The full version of the binary for a minor, asked of the binary itself once. */
  const versionOf = async (minor: number): Promise<string | undefined> => {
    await inventory()
    const bin = binaries.get(minor)
    if (!bin) return undefined
    let p = versionCache.get(minor)
    if (!p) {
      p = clientVersion(bin)
      versionCache.set(minor, p)
    }
    return p
  }
  const served = async (): Promise<KubectlBinary[]> => {
    await inventory()
    const minors = [...binaries.keys()].sort((a, b) => b - a)
    const all = await Promise.all(
      minors.map(async (m) => ({ version: await versionOf(m), path: binaries.get(m) as string }))
    )
    return all.filter((b): b is KubectlBinary => b.version !== undefined)
  }

  const sha256Of = (path: string): Promise<string> => {
    let p = shaCache.get(path)
    if (!p) {
      p = new Promise((res, rej) => {
        const hash = createHash('sha256')
        createReadStream(path)
          .on('data', (chunk) => hash.update(chunk))
          .on('error', rej)
          .on('end', () => res(hash.digest('hex')))
      })
      shaCache.set(path, p)
    }
    return p
  }

  const send = (res: ServerResponse, status: number, body: string, type = 'text/plain'): void => {
    res.writeHead(status, {
      'content-type': `${type}; charset=utf-8`,
      'content-length': Buffer.byteLength(body)
    })
    res.end(res.req.method === 'HEAD' ? undefined : body)
  }
  const notFound = (res: ServerResponse): void => send(res, 404, '404: Not Found\n')

  const sendFile = (res: ServerResponse, path: string, type: string): void => {
    res.writeHead(200, { 'content-type': type, 'content-length': statSync(path).size })
    if (res.req.method === 'HEAD') return void res.end()
    createReadStream(path)
      .on('error', () => res.destroy())
      .pipe(res)
  }

  const serveDl = async (path: string, res: ServerResponse): Promise<void> => {
    if (path === '/release/stable.txt') {
      const [newest] = await served()
      return newest ? send(res, 200, `${newest.version}\n`) : notFound(res)
    }
    const stable = /^\/release\/stable-1\.(\d+)\.txt$/.exec(path)
    if (stable) {
      const v = await versionOf(Number(stable[1]))
      return v ? send(res, 200, `${v}\n`) : notFound(res)
    }
    // dl.k8s.io answers both `/release/vX.Y.Z/…` and `/vX.Y.Z/…`.
    const bin =
      /^(?:\/release)?\/v1\.(\d+)\.(\d+)\/bin\/linux\/([a-z0-9]+)\/kubectl(\.sha256)?$/.exec(path)
    if (!bin || bin[3] !== hostArch) return notFound(res)
    const minor = Number(bin[1])
    if ((await versionOf(minor)) !== `v1.${minor}.${bin[2]}`) return notFound(res)
    const file = binaries.get(minor) as string
    if (bin[4]) return send(res, 200, await sha256Of(file))
    sendFile(res, file, 'application/octet-stream')
  }

  const serveRaw = (path: string, res: ServerResponse): void => {
    const m =
      /^\/aws\/amazon-vpc-cni-k8s\/(v\d+\.\d+\.\d+)\/config\/master\/([a-z0-9-]+)\.yaml$/.exec(path)
    if (!m || !MANIFESTS.includes(m[2])) return notFound(res)
    const file = join(fixtures, `${m[2]}-${m[1]}.yaml`)
    if (!existsSync(file)) return notFound(res)
    sendFile(res, file, 'text/plain; charset=utf-8')
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const entry = log.begin('mirror', req)
    log.track(entry, res)
    req.resume()
    if (latencyMs > 0) await delay(latencyMs)
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const fault = faults.take('mirror', req.method ?? 'GET', path)
    if (fault) {
      entry.fault = fault.name ?? 'fault'
      if (fault.delayMs) await delay(fault.delayMs)
      if (fault.reset) return void req.socket.destroy()
      if (fault.body !== undefined) {
        // A replaced body keeps the original's type, as a corrupted download would.
        res.writeHead(fault.status ?? 200, {
          'content-type': 'application/octet-stream',
          'content-length': Buffer.byteLength(fault.body)
        })
        return void res.end(fault.body)
      }
      if (fault.status !== undefined) {
        if (fault.retryAfter !== undefined) res.setHeader('retry-after', String(fault.retryAfter))
        return send(res, fault.status, `${fault.message ?? 'injected fault'}\n`)
      }
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method Not Allowed\n')
    if (path.startsWith('/dl/')) return serveDl(path.slice(3), res)
    if (path.startsWith('/raw/')) return serveRaw(path.slice(4), res)
    notFound(res)
  }

  const http = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'Internal Server Error\n')
      else res.destroy()
    })
  })
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  return {
    url,
    dlBase: `${url}/dl`,
    rawBase: `${url}/raw`,
    versions: async () => (await served()).map((b) => b.version),
    served,
    setLatency: (ms) => {
      latencyMs = ms
    },
    close: () =>
      new Promise<void>((r) => {
        http.closeAllConnections()
        http.close(() => r())
      })
  }
}
