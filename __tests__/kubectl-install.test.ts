import { createHash, randomBytes } from 'node:crypto'
import { spawn } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync
} from 'node:fs'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'

// tool-cache and core read these; set them before either module is loaded (dynamic imports below).
const root = mkdtempSync(path.join(os.tmpdir(), 'kubectl-install-'))
const TOOL_CACHE = path.join(root, 'tool-cache')
const TEMP = path.join(root, 'temp')
process.env.RUNNER_TOOL_CACHE = TOOL_CACHE
process.env.RUNNER_TEMP = TEMP
process.env.GITHUB_PATH = path.join(root, 'github-path')
writeFileSync(process.env.GITHUB_PATH, '')

const { installKubectl, resolveKubectlVersion } = await import('../src/kubectl/install.js')
const { kubectlArch } = await import('../src/kubectl/platform.js')
const tc = await import('@actions/tool-cache')
const { fetchText } = await import('../src/download.js')
const { parseKubectlVersion } = await import('../src/inputs-parse.js')

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

/** A fake kubectl per version; 1 MiB so that concurrent copies overlap. */
const binaries = new Map<string, Buffer>(
  ['v1.31.2', 'v1.31.3', 'v1.31.4', 'v1.31.5', 'v1.31.6', 'v1.30.9', 'v1.29.1', 'v1.32.0'].map(
    (v) => [v, Buffer.concat([Buffer.from(`#!/bin/sh\necho ${v}\n`), randomBytes(1 << 20)])]
  )
)
// v1.31.3's published checksum does not match its binary.
const published = (v: string): string =>
  v === 'v1.31.3' ? sha256(Buffer.from('something else')) : sha256(binaries.get(v) as Buffer)

let server: Server
let mirror: string
let requests: string[] = []
/** Paths answered once with 503 and Retry-After: 20 (as a busy CDN might). */
let busyOnce = new Set<string>()

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? ''
    requests.push(url)
    const files: Record<string, string> = {
      '/release/stable.txt': 'v1.32.0',
      '/release/stable-1.31.txt': 'v1.31.2\n',
      '/release/stable-1.30.txt': 'v1.30.9',
      '/release/stable-1.29.txt': '<html>oops</html>'
    }
    if (busyOnce.delete(url)) {
      res.writeHead(503, { 'retry-after': '20' })
      return void res.end('busy')
    }
    const m =
      /^\/release\/(v[\d.]+)\/bin\/(?:linux|darwin)\/(?:amd64|arm64)\/kubectl(\.sha256)?$/.exec(url)
    const binary = m ? binaries.get(m[1]) : undefined
    const body = files[url] ?? (binary && (m?.[2] ? published(m[1]) : binary))
    res.statusCode = body === undefined ? 404 : 200
    // A short delay keeps concurrent installs in flight together.
    setTimeout(() => res.end(body ?? 'Not Found'), binary ? 30 : 0)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  rmSync(root, { recursive: true, force: true })
})
beforeEach(() => {
  requests = []
  busyOnce = new Set()
})

const deps = { fetchText: (url: string) => fetchText(url, { sleep: async () => undefined }) }
/** Install parameters for kubectl-version `raw`, parsed as the inputs parse it. */
const params = (raw = '') => ({
  version: parseKubectlVersion('kubectl-version', raw),
  clusterVersion: '1.31',
  mirror,
  arch: 'amd64'
})
const versionDirs = () => readdirSync(path.join(TOOL_CACHE, 'kubectl')).sort()
/** Staging or replaced directories that an install should have removed. */
const leftovers = () => versionDirs().filter((d) => !/^\d+\.\d+\.\d+$/.test(d))
const tempFiles = () => (existsSync(TEMP) ? readdirSync(TEMP) : [])

describe('resolveKubectlVersion', () => {
  test.each([
    [undefined, 'v1.31.2', ['/release/stable-1.31.txt']],
    ['', 'v1.31.2', ['/release/stable-1.31.txt']],
    ['1.30', 'v1.30.9', ['/release/stable-1.30.txt']],
    ['v1.30', 'v1.30.9', ['/release/stable-1.30.txt']],
    ['latest', 'v1.32.0', ['/release/stable.txt']],
    ['v1.31.2', 'v1.31.2', []],
    ['1.28.15', 'v1.28.15', []]
  ])('%p → %s', async (version, expected, urls) => {
    expect(await resolveKubectlVersion(params(version), deps.fetchText)).toBe(expected)
    expect(requests).toEqual(urls)
  })

  it('has no fallback when the stable file is missing or not a version', async () => {
    await expect(resolveKubectlVersion(params('1.5'), deps.fetchText)).rejects.toThrow(
      `Cannot resolve kubectl-version '1.5': GET ${mirror}/release/stable-1.5.txt failed: HTTP 404`
    )
    await expect(resolveKubectlVersion(params('1.29'), deps.fetchText)).rejects.toThrow(
      "answered '<html>oops</html>', which is not a version"
    )
    await expect(
      resolveKubectlVersion({ ...params(), clusterVersion: 'unknown' }, deps.fetchText)
    ).rejects.toThrow("cluster version 'unknown'")
  })

  it('maps Node architectures to kubectl ones', () => {
    expect(kubectlArch('x64')).toBe('amd64')
    expect(kubectlArch('arm64')).toBe('arm64')
  })
})

describe('installKubectl', () => {
  it('resolves, downloads, verifies and caches the latest patch of the cluster minor', async () => {
    const result = await installKubectl(params(), deps)
    const dir = path.join(TOOL_CACHE, 'kubectl', '1.31.2', 'amd64')
    expect(result).toEqual({ path: path.join(dir, 'kubectl'), version: 'v1.31.2', cacheHit: false })
    expect(requests.sort()).toEqual([
      '/release/stable-1.31.txt',
      '/release/v1.31.2/bin/linux/amd64/kubectl',
      '/release/v1.31.2/bin/linux/amd64/kubectl.sha256'
    ])
    expect(readFileSync(result.path).equals(binaries.get('v1.31.2') as Buffer)).toBe(true)
    expect(statSync(result.path).mode & 0o777).toBe(0o755)
    expect(tc.find('kubectl', '1.31.2', 'amd64')).toBe(dir)
    expect(process.env.PATH?.split(path.delimiter)).toContain(dir)
    expect(readFileSync(process.env.GITHUB_PATH as string, 'utf8')).toContain(dir)
    // No staging directory or download is left behind.
    expect(versionDirs()).toContain('1.31.2')
    expect(leftovers()).toEqual([])
    expect(tempFiles()).toEqual([])
  })

  it('uses the cache on the second call without any request', async () => {
    const result = await installKubectl(params('v1.31.2'), deps)
    expect(result.cacheHit).toBe(true)
    expect(result.version).toBe('v1.31.2')
    expect(requests).toEqual([])
  })

  it('rejects a binary whose sha256 differs from the published one and caches nothing', async () => {
    const url = `${mirror}/release/v1.31.3/bin/linux/amd64/kubectl`
    await expect(installKubectl(params('v1.31.3'), deps)).rejects.toThrow(
      `kubectl v1.31.3 from ${url} has sha256 ${sha256(binaries.get('v1.31.3') as Buffer)}, ` +
        `but ${url}.sha256 publishes ${published('v1.31.3')}. Nothing was cached.`
    )
    expect(tc.find('kubectl', '1.31.3', 'amd64')).toBe('')
    expect(versionDirs()).not.toContain('1.31.3')
    expect(leftovers()).toEqual([])
    expect(tempFiles()).toEqual([])
  })

  it('says which version and architecture is missing on 404', async () => {
    await expect(installKubectl(params('v1.99.0'), deps)).rejects.toThrow(
      `kubectl v1.99.0 for linux/amd64 not found at ${mirror}/release/v1.99.0/bin/linux/amd64/kubectl`
    )
    expect(versionDirs()).not.toContain('1.99.0')
    expect(tempFiles()).toEqual([])
  })

  it('lets 4 concurrent installs of one version share one valid cached binary', async () => {
    const results = await Promise.all(
      Array.from({ length: 4 }, () => installKubectl(params('v1.31.4'), deps))
    )
    const dir = path.join(TOOL_CACHE, 'kubectl', '1.31.4', 'amd64')
    for (const r of results) {
      expect(r).toMatchObject({ path: path.join(dir, 'kubectl'), version: 'v1.31.4' })
    }
    expect(readFileSync(path.join(dir, 'kubectl')).equals(binaries.get('v1.31.4') as Buffer)).toBe(
      true
    )
    expect(readdirSync(dir).sort()).toEqual(['kubectl', 'kubectl.sha256'])
    expect(tc.find('kubectl', '1.31.4', 'amd64')).toBe(dir)
    expect(versionDirs()).toContain('1.31.4')
    expect(leftovers()).toEqual([])
    expect(tempFiles()).toEqual([])
    // And a later job finds it.
    requests = []
    expect((await installKubectl(params('v1.31.4'), deps)).cacheHit).toBe(true)
    expect(requests).toEqual([])
  })

  it('replaces a cached binary that no longer matches its recorded sha256', async () => {
    await installKubectl(params('v1.31.5'), deps)
    const file = path.join(TOOL_CACHE, 'kubectl', '1.31.5', 'amd64', 'kubectl')
    writeFileSync(file, 'truncated')
    requests = []
    const result = await installKubectl(params('v1.31.5'), deps)
    expect(result.cacheHit).toBe(false)
    expect(requests).toHaveLength(2)
    expect(readFileSync(file).equals(binaries.get('v1.31.5') as Buffer)).toBe(true)
    expect(leftovers()).toEqual([])
    expect(readdirSync(path.join(TOOL_CACHE, 'kubectl', '1.31.5')).sort()).toEqual([
      'amd64',
      'amd64.complete'
    ])
  })

  it('hashes a cached binary again only when its size or modification time changed', async () => {
    await installKubectl(params('v1.31.4'), deps)
    const dir = path.join(TOOL_CACHE, 'kubectl', '1.31.4', 'amd64')
    const file = path.join(dir, 'kubectl')
    const time = new Date('2026-01-02T03:04:05Z')
    utimesSync(file, time, time)
    // The first hit checks the hash and records the binary's stamp beside it.
    expect((await installKubectl(params('v1.31.4'), deps)).cacheHit).toBe(true)
    const [sha, stamp] = readFileSync(path.join(dir, 'kubectl.sha256'), 'utf8').trim().split('\n')
    expect(sha).toBe(sha256(binaries.get('v1.31.4') as Buffer))
    expect(stamp).toBe(`${statSync(file).size} ${time.getTime()}`)
    // Same size and time: trusted without reading the file (proved by a same-size change that
    // keeps the time).
    const good = readFileSync(file)
    writeFileSync(file, Buffer.alloc(good.length, 0x20))
    utimesSync(file, time, time)
    expect((await installKubectl(params('v1.31.4'), deps)).cacheHit).toBe(true)
    // A new time: hashed, refused and downloaded again.
    utimesSync(file, new Date(time.getTime() + 5000), new Date(time.getTime() + 5000))
    requests = []
    const result = await installKubectl(params('v1.31.4'), deps)
    expect(result.cacheHit).toBe(false)
    expect(requests).toHaveLength(2)
    expect(readFileSync(file).equals(good)).toBe(true)
  })

  it('lets 4 concurrent processes (matrix jobs on one runner) share one valid cached binary', async () => {
    const script = path.join(root, 'child.mts')
    writeFileSync(
      script,
      [
        'const { installKubectl } = await import(process.env.INSTALL_MODULE as string)',
        'const [version, mirror] = process.argv.slice(2)',
        'const r = await installKubectl({',
        "  version: { kind: 'exact', version },",
        "  clusterVersion: '1.30',",
        '  mirror,',
        "  arch: 'amd64'",
        '})',
        'process.stdout.write(`RESULT ${JSON.stringify(r)}\\n`)'
      ].join('\n')
    )
    const env = {
      ...process.env,
      INSTALL_MODULE: path.resolve('src/kubectl/install.ts'),
      GITHUB_PATH: path.join(root, 'child-path')
    }
    writeFileSync(env.GITHUB_PATH, '')
    const runChild = () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, 'v1.30.9', mirror], {
          cwd: process.cwd(),
          env,
          stdio: ['ignore', 'pipe', 'pipe']
        })
        let out = ''
        child.stdout.on('data', (d: Buffer) => (out += d.toString()))
        child.stderr.on('data', (d: Buffer) => (out += d.toString()))
        child.on('close', (code) => resolve({ code, out }))
      })
    const runs = await Promise.all(Array.from({ length: 4 }, runChild))
    const dir = path.join(TOOL_CACHE, 'kubectl', '1.30.9', 'amd64')
    for (const run of runs) {
      expect(run.out).toContain(`RESULT {"path":"${path.join(dir, 'kubectl')}","version":"v1.30.9"`)
      expect(run.code).toBe(0)
    }
    expect(readFileSync(path.join(dir, 'kubectl')).equals(binaries.get('v1.30.9') as Buffer)).toBe(
      true
    )
    expect(tc.find('kubectl', '1.30.9', 'amd64')).toBe(dir)
    expect(leftovers()).toEqual([])
    expect(tempFiles()).toEqual([])
  })

  describe('with a warm cache', () => {
    beforeAll(async () => {
      // v1.31.2 (the stable patch of 1.31) is cached by the first test; make sure either way.
      await installKubectl(params('v1.31.2'), deps)
    })

    test.each([
      ['no version (the cluster minor)', undefined],
      ['a minor', '1.31'],
      ['an exact cached version', 'v1.31.2']
    ])('%s is served by the cache without any request', async (_what, version) => {
      const result = await installKubectl(params(version), deps)
      expect(result.cacheHit).toBe(true)
      expect(result.version).toMatch(/^v1\.31\.\d+$/)
      expect(result.path).toBe(
        path.join(TOOL_CACHE, 'kubectl', result.version.slice(1), 'amd64', 'kubectl')
      )
      expect(requests).toEqual([])
    })

    it('serves a minor from the cache even when the download host is down', async () => {
      const down = { ...params('1.31'), mirror: 'http://127.0.0.1:9' }
      const result = await installKubectl(down, deps)
      expect(result).toMatchObject({ cacheHit: true })
      expect(result.version).toMatch(/^v1\.31\.\d+$/)
    })

    it('serves the newest verified cached patch of the minor', async () => {
      await installKubectl(params('v1.31.6'), deps)
      // A corrupt newer copy is passed over.
      const corrupt = path.join(TOOL_CACHE, 'kubectl', '1.31.6', 'amd64', 'kubectl')
      const good = readFileSync(corrupt)
      writeFileSync(corrupt, 'truncated')
      requests = []
      try {
        const result = await installKubectl(params('1.31'), deps)
        expect(requests).toEqual([])
        expect(result.cacheHit).toBe(true)
        expect(result.version).not.toBe('v1.31.6')
        expect(result.version).toMatch(/^v1\.31\.[2-5]$/)
      } finally {
        writeFileSync(corrupt, good)
      }
      expect((await installKubectl(params('1.31'), deps)).version).toBe('v1.31.6')
    })

    it('asks the mirror for an exact version the cache lacks', async () => {
      const result = await installKubectl(params('v1.29.1'), deps)
      expect(result.cacheHit).toBe(false)
      expect(requests.sort()).toEqual([
        '/release/v1.29.1/bin/linux/amd64/kubectl',
        '/release/v1.29.1/bin/linux/amd64/kubectl.sha256'
      ])
    })

    it("asks only stable.txt for 'latest' once its version is cached", async () => {
      expect((await installKubectl(params('latest'), deps)).version).toBe('v1.32.0')
      requests = []
      const result = await installKubectl(params('latest'), deps)
      expect(result).toMatchObject({ cacheHit: true, version: 'v1.32.0' })
      expect(requests).toEqual(['/release/stable.txt'])
    })

    it("uses the newest cached kubectl, with a warning, when 'latest' cannot be resolved", async () => {
      const down = { ...params('latest'), mirror: 'http://127.0.0.1:9' }
      const newest = versionDirs()
        .filter((d) => /^\d+\.\d+\.\d+$/.test(d))
        .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))[0]
      const result = await installKubectl(down, deps)
      expect(result).toMatchObject({ cacheHit: true, version: `v${newest}` })
    })

    it("still fails for 'latest' when it cannot be resolved and the cache is empty", async () => {
      const empty = { find: () => '', findAllVersions: () => [] } as unknown as typeof tc
      const down = { ...params('latest'), mirror: 'http://127.0.0.1:9' }
      await expect(installKubectl(down, { ...deps, tc: empty })).rejects.toThrow(
        "Cannot resolve kubectl-version 'latest': GET http://127.0.0.1:9/release/stable.txt failed"
      )
    })
  })

  it('downloads the darwin build on macOS runners', async () => {
    const result = await installKubectl({ ...params('v1.31.4'), os: 'darwin', arch: 'arm64' }, deps)
    expect(result.cacheHit).toBe(false)
    expect(requests.sort()).toEqual([
      '/release/v1.31.4/bin/darwin/arm64/kubectl',
      '/release/v1.31.4/bin/darwin/arm64/kubectl.sha256'
    ])
    expect(result.path).toBe(path.join(TOOL_CACHE, 'kubectl', '1.31.4', 'arm64', 'kubectl'))
  })

  describe('retries and the deadline', () => {
    const binaryUrl = '/release/v1.31.5/bin/linux/amd64/kubectl'
    const sleeps: number[] = []
    const sleep = async (ms: number) => void sleeps.push(ms)
    const emptyCache = mkdtempSync(path.join(root, 'empty-'))
    /** A tool cache with nothing in it, so every call downloads. */
    const cold = {
      ...tc,
      find: () => '',
      findAllVersions: () => []
    } as typeof tc
    beforeEach(() => {
      sleeps.length = 0
      process.env.RUNNER_TOOL_CACHE = emptyCache
    })
    afterEach(() => {
      process.env.RUNNER_TOOL_CACHE = TOOL_CACHE
    })

    it('retries a 503 on the binary with the injected sleep, not tool-cache’s 10-20 s', async () => {
      busyOnce.add(binaryUrl)
      const deadline = Date.now() + 3_600_000
      const result = await installKubectl({ ...params('v1.31.5'), deadline, sleep }, { tc: cold })
      expect(result.cacheHit).toBe(false)
      expect(requests.filter((r) => r === binaryUrl)).toHaveLength(2)
      // The server's Retry-After, through the injected sleep.
      expect(sleeps).toEqual([20_000])
    })

    it('gives up at once when the retry would end after the deadline', async () => {
      busyOnce.add(binaryUrl)
      const deadline = Date.now() + 10_000
      await expect(
        installKubectl({ ...params('v1.31.5'), deadline, sleep }, { tc: cold })
      ).rejects.toThrow(`Failed to download kubectl v1.31.5 from ${mirror}${binaryUrl}: GET`)
      expect(sleeps).toEqual([])
      expect(requests.filter((r) => r === binaryUrl)).toHaveLength(1)
      expect(tempFiles()).toEqual([])
    })

    it('makes no binary request once the deadline has passed', async () => {
      await expect(
        installKubectl({ ...params('v1.31.5'), deadline: Date.now() - 1, sleep }, { tc: cold })
      ).rejects.toThrow('timeout-seconds ran out')
      expect(requests).not.toContain(binaryUrl)
      expect(sleeps).toEqual([])
    })
  })
})
