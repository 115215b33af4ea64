/**
 * kubectl through the runner's tool cache (issue 3, behaviour 7), after Azure/setup-kubectl's
 * downloadKubectl, plus what it lacks: the published sha256 is checked before anything is cached,
 * and concurrent installs of one version into a shared tool cache cannot corrupt it.
 */
import * as core from '@actions/core'
import * as toolCache from '@actions/tool-cache'
import { createHash, randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fetchText as defaultFetchText, redactUrl } from '../download.js'
import { errorMessage } from '../errors.js'

/** What to install and where from. */
export interface KubectlInstallParams {
  /** 'v1.31.2' | '1.31' | 'latest' | undefined (the latest patch of `clusterVersion`). */
  version?: string
  /** The cluster's Kubernetes version, e.g. '1.31'. */
  clusterVersion: string
  /** Base URL in dl.k8s.io layout, e.g. https://dl.k8s.io */
  mirror: string
  /** kubectl's name for the architecture (amd64, arm64); defaults to this machine's. */
  arch?: string
}

type ToolCache = typeof toolCache
type FetchText = (url: string) => Promise<string>

const TOOL = 'kubectl'
// Recorded next to the cached binary so a cache hit can be verified without the network.
const SHA_FILE = 'kubectl.sha256'
const FULL_VERSION = /^v?(\d+)\.(\d+)\.(\d+)$/
const MINOR_VERSION = /^v?(\d+)\.(\d+)$/

/** kubectl's architecture name for a Node.js `os.arch()`. */
export function kubectlArch(nodeArch: string = os.arch()): string {
  const names: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ppc64: 'ppc64le'
  }
  return names[nodeArch] ?? nodeArch
}

/**
 * The exact kubectl version to install: a full version as is (with `v`), a major.minor (or, with
 * no input, the cluster's minor) from `stable-<minor>.txt`, 'latest' from `stable.txt`.
 *
 * @throws Error naming the input kubectl-version and the accepted forms; there is no fallback
 */
export async function resolveKubectlVersion(
  p: KubectlInstallParams,
  fetchText: FetchText
): Promise<string> {
  const raw = p.version?.trim() ?? ''
  const full = FULL_VERSION.exec(raw)
  if (full) return `v${full[1]}.${full[2]}.${full[3]}`
  const mirror = p.mirror.replace(/\/+$/, '')
  let url: string
  if (raw === 'latest') {
    url = `${mirror}/release/stable.txt`
  } else if (raw !== '') {
    const minor = MINOR_VERSION.exec(raw)
    if (!minor) {
      throw new Error(
        `Invalid kubectl-version '${raw}': expected 'latest', a minor version such as '1.31' ` +
          `(its latest patch) or a full version such as 'v1.31.2'`
      )
    }
    url = `${mirror}/release/stable-${minor[1]}.${minor[2]}.txt`
  } else {
    const minor = MINOR_VERSION.exec(p.clusterVersion.trim())
    if (!minor) {
      throw new Error(
        `Cannot pick a kubectl for cluster version '${p.clusterVersion}' (expected e.g. '1.31'); ` +
          'set kubectl-version'
      )
    }
    url = `${mirror}/release/stable-${minor[1]}.${minor[2]}.txt`
  }
  let answer: string
  try {
    answer = (await fetchText(url)).trim()
  } catch (error) {
    throw new Error(
      `Cannot resolve kubectl-version '${raw || `latest ${p.clusterVersion}.x`}': ${errorMessage(error)}`,
      { cause: error }
    )
  }
  const resolved = FULL_VERSION.exec(answer)
  if (!resolved) {
    throw new Error(`${url} answered '${answer.slice(0, 60)}', which is not a version like v1.31.2`)
  }
  return `v${resolved[1]}.${resolved[2]}.${resolved[3]}`
}

/**
 * Installs kubectl and puts it on PATH. A cached copy is used without any network request when the
 * version is given in full; otherwise the version is resolved first. A download is checked against
 * the published `.sha256` before it is cached.
 *
 * @returns the binary's path, the exact version, and whether it came from the cache
 */
export async function installKubectl(
  p: KubectlInstallParams,
  deps: { fetchText?: FetchText; tc?: ToolCache } = {}
): Promise<{ path: string; version: string; cacheHit: boolean }> {
  const tc = deps.tc ?? toolCache
  const fetchText = deps.fetchText ?? ((url: string) => defaultFetchText(url))
  const arch = p.arch ?? kubectlArch()
  const version = await resolveKubectlVersion(p, fetchText)
  const cached = tc.find(TOOL, version, arch)
  if (cached) {
    if (await matchesRecordedSha(cached)) {
      core.info(`kubectl ${version} found in the tool cache at ${cached}`)
      core.addPath(cached)
      return { path: path.join(cached, TOOL), version, cacheHit: true }
    }
    core.warning(`The cached kubectl at ${cached} fails its sha256 check; downloading it again`)
  }
  const dir = await downloadAndCache(tc, fetchText, p.mirror.replace(/\/+$/, ''), version, arch)
  core.info(`kubectl ${version} installed at ${dir}`)
  core.addPath(dir)
  return { path: path.join(dir, TOOL), version, cacheHit: false }
}

async function downloadAndCache(
  tc: ToolCache,
  fetchText: FetchText,
  mirror: string,
  version: string,
  arch: string
): Promise<string> {
  const url = `${mirror}/release/${version}/bin/linux/${arch}/kubectl`
  const [binary, checksum] = await Promise.allSettled([
    tc.downloadTool(url),
    fetchText(`${url}.sha256`)
  ])
  if (binary.status === 'rejected') {
    throw downloadError(binary.reason, version, arch, redactUrl(url))
  }
  const downloaded = binary.value
  try {
    if (checksum.status === 'rejected') {
      throw new Error(
        `Cannot fetch the published sha256 of kubectl ${version}: ${errorMessage(checksum.reason)}`,
        { cause: checksum.reason }
      )
    }
    const expected = parseSha256(checksum.value, `${redactUrl(url)}.sha256`)
    const actual = await sha256File(downloaded)
    if (actual !== expected) {
      const shown = redactUrl(url)
      throw new Error(
        `kubectl ${version} from ${shown} has sha256 ${actual}, but ${shown}.sha256 publishes ` +
          `${expected}. Nothing was cached.`
      )
    }
    await chmod(downloaded, 0o755)
    return await cacheAtomically(tc, downloaded, version, arch, expected)
  } finally {
    await rm(downloaded, { force: true })
  }
}

/**
 * tool-cache's cacheFile empties the version directory, copies, then writes the `.complete`
 * marker. Two jobs caching one version at once can therefore leave a half-copied binary behind a
 * marker. So the file is cached under a unique staging version and the finished directory is
 * moved into place with one atomic rename; whoever loses the race checks and uses the winner's copy.
 */
async function cacheAtomically(
  tc: ToolCache,
  file: string,
  version: string,
  arch: string,
  sha256: string
): Promise<string> {
  const clean = version.replace(/^v/, '')
  const staging = `${clean}-staging.x${randomUUID().replace(/-/g, '')}`
  const staged = await tc.cacheFile(file, TOOL, TOOL, staging, arch)
  const stagingRoot = path.dirname(staged)
  const finalDir = path.join(path.dirname(stagingRoot), clean, arch)
  try {
    await writeFile(path.join(staged, SHA_FILE), `${sha256}\n`)
    await mkdir(path.dirname(finalDir), { recursive: true })
    await moveIntoPlace(staged, finalDir, sha256)
    await writeFile(`${finalDir}.complete`, '')
    return finalDir
  } catch (error) {
    throw new Error(`Cannot cache kubectl ${version} at ${finalDir}: ${errorMessage(error)}`, {
      cause: error
    })
  } finally {
    await rm(stagingRoot, { recursive: true, force: true })
  }
}

async function moveIntoPlace(staged: string, finalDir: string, sha256: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await rename(staged, finalDir)
      return
    } catch (error) {
      if (!hasCode(error, 'ENOTEMPTY', 'EEXIST')) throw error
    }
    // Another install got there first; its binary is as good as ours if the hash matches.
    if ((await sha256File(path.join(finalDir, TOOL)).catch(() => '')) === sha256) {
      await writeAtomically(path.join(finalDir, SHA_FILE), `${sha256}\n`)
      core.info(`A concurrent install already cached the same kubectl at ${finalDir}; using it`)
      return
    }
    if (attempt >= 3) throw new Error(`a different kubectl keeps appearing at ${finalDir}`)
    // A broken copy (e.g. from an interrupted older install): move it aside, then retry.
    const aside = `${finalDir}.replaced-${randomUUID()}`
    await rename(finalDir, aside).catch((error: unknown) => {
      if (!hasCode(error, 'ENOENT')) throw error
    })
    await rm(aside, { recursive: true, force: true })
  }
}

async function matchesRecordedSha(dir: string): Promise<boolean> {
  try {
    const recorded = (await readFile(path.join(dir, SHA_FILE), 'utf8')).trim()
    return recorded === (await sha256File(path.join(dir, TOOL)))
  } catch {
    return false
  }
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const temp = `${file}.${randomUUID()}`
  await writeFile(temp, content)
  await rename(temp, file)
}

function parseSha256(text: string, url: string): string {
  // dl.k8s.io publishes the bare digest; a "digest  filename" line is accepted too.
  const digest = text.trim().split(/\s+/)[0]?.toLowerCase() ?? ''
  if (!/^[0-9a-f]{64}$/.test(digest)) {
    throw new Error(`${url} does not hold a sha256 digest (got '${text.trim().slice(0, 80)}')`)
  }
  return digest
}

function downloadError(error: unknown, version: string, arch: string, url: string): Error {
  const status =
    typeof error === 'object' && error !== null && 'httpStatusCode' in error
      ? error.httpStatusCode
      : undefined
  if (status === 404) {
    return new Error(`kubectl ${version} for linux/${arch} not found at ${url}`, { cause: error })
  }
  return new Error(`Failed to download kubectl ${version} from ${url}: ${errorMessage(error)}`, {
    cause: error
  })
}

function hasCode(error: unknown, ...codes: string[]): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    codes.includes(error.code)
  )
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
