/**
 * kubectl through the runner's tool cache, after Azure/setup-kubectl's downloadKubectl, plus what
 * it lacks: a warm cache needs no network at all, the published sha256 is checked before anything
 * is cached, downloads stop at the run's deadline, and concurrent installs of one version into a
 * shared tool cache cannot corrupt it.
 */
import * as core from '@actions/core'
import * as toolCache from '@actions/tool-cache'
import { randomUUID } from 'node:crypto'
import { chmod, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {
  downloadFile as defaultDownloadFile,
  fetchText as defaultFetchText,
  HttpStatusError,
  redactUrl
} from '../download.js'
import { errorMessage } from '../errors.js'
import type { KubectlVersion } from '../inputs-parse.js'
import { TOOL, cacheAtomically, findCached, sha256File, type ToolCache } from './cache.js'
import { kubectlPlatform, type KubectlOs } from './platform.js'

/** An installed kubectl: the binary's path, the exact version, and whether it came from the cache. */
export interface InstalledKubectl {
  path: string
  version: string
  cacheHit: boolean
}

/** What to install and where from. */
export interface KubectlInstallParams {
  /** The parsed kubectl-version; undefined means the latest patch of `clusterVersion`. */
  version?: KubectlVersion
  /** The cluster's Kubernetes version, e.g. '1.31'. */
  clusterVersion: string
  /** Base URL in dl.k8s.io layout, e.g. https://dl.k8s.io */
  mirror: string
  /** kubectl's name for the architecture (amd64, arm64); defaults to this machine's. */
  arch?: string
  /** dl.k8s.io's name for the OS (linux, darwin); defaults to this machine's. */
  os?: KubectlOs
  /** Requests stop retrying, and a download in flight is aborted, at this time (ms since the epoch). */
  deadline?: number
  /** Waits between retries; injectable so tests never wait. */
  sleep?: (ms: number) => Promise<void>
}

type FetchText = (url: string) => Promise<string>
type DownloadFile = (url: string, dest: string) => Promise<void>

/** What to look for in the cache, and where the stable file that names the release is. */
type Wanted =
  | { kind: 'exact'; version: string }
  | { kind: 'minor'; minor: string; stableUrl: string; label: string }
  | { kind: 'latest'; stableUrl: string }

const FULL_VERSION = /^v?(\d+)\.(\d+)\.(\d+)$/
const MINOR_VERSION = /^v?(\d+)\.(\d+)$/

/**
 * The parsed kubectl-version (or, with none, the cluster's minor as EKS reports it) with the
 * mirror's stable-file URL, without any request.
 *
 * @throws Error when there is no kubectl-version and the cluster version is not a major.minor
 */
function wantedOf(p: KubectlInstallParams): Wanted {
  const mirror = p.mirror.replace(/\/+$/, '')
  const v = p.version
  if (v?.kind === 'exact') return v
  if (v?.kind === 'latest') return { kind: 'latest', stableUrl: `${mirror}/release/stable.txt` }
  const stable = (minor: string) => `${mirror}/release/stable-${minor}.txt`
  if (v?.kind === 'minor') {
    return { kind: 'minor', minor: v.minor, stableUrl: stable(v.minor), label: v.minor }
  }
  const cluster = MINOR_VERSION.exec(p.clusterVersion.trim())
  if (!cluster) {
    throw new Error(
      `Cannot pick a kubectl for cluster version '${p.clusterVersion}' (expected e.g. '1.31'); ` +
        'set kubectl-version'
    )
  }
  const minor = `${cluster[1]}.${cluster[2]}`
  return {
    kind: 'minor',
    minor,
    stableUrl: stable(minor),
    label: `latest ${p.clusterVersion}.x`
  }
}

/**
 * The exact kubectl version to install: a full version as is (with `v`), a major.minor (or, with
 * no input, the cluster's minor) from `stable-<minor>.txt`, 'latest' from `stable.txt`.
 *
 * @throws Error naming kubectl-version and the stable file that could not be read; there is no fallback
 */
export async function resolveKubectlVersion(
  p: KubectlInstallParams,
  fetchText: FetchText
): Promise<string> {
  const wanted = wantedOf(p)
  if (wanted.kind === 'exact') return wanted.version
  const url = wanted.stableUrl
  let answer: string
  try {
    answer = (await fetchText(url)).trim()
  } catch (error) {
    const label = wanted.kind === 'minor' ? wanted.label : 'latest'
    throw new Error(`Cannot resolve kubectl-version '${label}': ${errorMessage(error)}`, {
      cause: error
    })
  }
  const resolved = FULL_VERSION.exec(answer)
  if (!resolved) {
    throw new Error(`${url} answered '${answer.slice(0, 60)}', which is not a version like v1.31.2`)
  }
  return `v${resolved[1]}.${resolved[2]}.${resolved[3]}`
}

/**
 * Installs kubectl and puts it on PATH. The tool cache serves without any request when it holds
 * the exact version asked for, or (for a minor, or no version) a verified patch of that minor; only
 * otherwise is the version resolved and downloaded. `latest` needs `stable.txt`, but when that
 * cannot be read the newest cached kubectl serves, with a warning. A download is checked against
 * the published `.sha256` before it is cached.
 *
 * @returns the binary's path, the exact version, and whether it came from the cache
 */
export async function installKubectl(
  p: KubectlInstallParams,
  deps: { fetchText?: FetchText; downloadFile?: DownloadFile; tc?: ToolCache } = {}
): Promise<InstalledKubectl> {
  const tc = deps.tc ?? toolCache
  const retryOptions = { deadline: p.deadline, sleep: p.sleep }
  const fetchText = deps.fetchText ?? ((url: string) => defaultFetchText(url, retryOptions))
  const downloadFile =
    deps.downloadFile ??
    ((url: string, dest: string) => defaultDownloadFile(url, dest, retryOptions))
  const platform = { ...kubectlPlatform(), ...pick(p) }
  const wanted = wantedOf(p)
  const fromCache =
    wanted.kind === 'exact'
      ? await findCached(tc, platform.arch, { version: wanted.version })
      : wanted.kind === 'minor'
        ? await findCached(tc, platform.arch, { minor: wanted.minor })
        : undefined
  if (fromCache) return useCached(fromCache, 'no download needed')
  let version: string
  try {
    version = await resolveKubectlVersion(p, fetchText)
  } catch (error) {
    const newest = wanted.kind === 'latest' && (await findCached(tc, platform.arch, 'newest'))
    if (!newest) throw error
    core.warning(
      `${errorMessage(error)}. Using the newest kubectl in the tool cache, ${newest.version}, instead.`
    )
    return useCached(newest, `${wanted.stableUrl} could not be read`)
  }
  // `latest` resolved to a version the cache may already hold (the other forms were looked up above).
  const cached = wanted.kind === 'latest' && (await findCached(tc, platform.arch, { version }))
  if (cached) return useCached(cached, 'no download needed')
  const mirror = p.mirror.replace(/\/+$/, '')
  const dir = await downloadAndCache(tc, { fetchText, downloadFile }, mirror, version, platform)
  core.info(`kubectl ${version} installed at ${dir}`)
  core.addPath(dir)
  return { path: path.join(dir, TOOL), version, cacheHit: false }
}

function pick(p: KubectlInstallParams): { os?: KubectlOs; arch?: string } {
  return { ...(p.os ? { os: p.os } : {}), ...(p.arch ? { arch: p.arch } : {}) }
}

function useCached(
  found: { dir: string; version: string },
  why: string
): { path: string; version: string; cacheHit: boolean } {
  core.info(`kubectl ${found.version} found in the tool cache at ${found.dir} (${why})`)
  core.addPath(found.dir)
  return { path: path.join(found.dir, TOOL), version: found.version, cacheHit: true }
}

async function downloadAndCache(
  tc: ToolCache,
  io: { fetchText: FetchText; downloadFile: DownloadFile },
  mirror: string,
  version: string,
  platform: { os: KubectlOs; arch: string }
): Promise<string> {
  const url = `${mirror}/release/${version}/bin/${platform.os}/${platform.arch}/kubectl`
  const downloaded = path.join(process.env.RUNNER_TEMP || os.tmpdir(), randomUUID())
  try {
    const [binary, checksum] = await Promise.allSettled([
      io.downloadFile(url, downloaded),
      io.fetchText(`${url}.sha256`)
    ])
    if (binary.status === 'rejected') {
      throw downloadError(binary.reason, version, platform, redactUrl(url))
    }
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
    return await cacheAtomically(tc, downloaded, version, platform.arch, expected)
  } finally {
    await rm(downloaded, { force: true })
  }
}

function parseSha256(text: string, url: string): string {
  // dl.k8s.io publishes the bare digest; a "digest  filename" line is accepted too.
  const digest = text.trim().split(/\s+/)[0]?.toLowerCase() ?? ''
  if (!/^[0-9a-f]{64}$/.test(digest)) {
    throw new Error(`${url} does not hold a sha256 digest (got '${text.trim().slice(0, 80)}')`)
  }
  return digest
}

function downloadError(
  error: unknown,
  version: string,
  platform: { os: KubectlOs; arch: string },
  url: string
): Error {
  if (error instanceof HttpStatusError && error.status === 404) {
    return new Error(`kubectl ${version} for ${platform.os}/${platform.arch} not found at ${url}`, {
      cause: error
    })
  }
  return new Error(`Failed to download kubectl ${version} from ${url}: ${errorMessage(error)}`, {
    cause: error
  })
}
