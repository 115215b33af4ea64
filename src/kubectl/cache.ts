/**
 * kubectl's place in the runner's tool cache. Next to each cached binary its sha256 is recorded, so
 * a cache hit is verified without the network; and a finished version directory appears with one
 * atomic rename, so concurrent installs of one version into a shared tool cache cannot corrupt it.
 *
 * The record also holds the binary's size and modification time once its hash has been checked.
 * A cache hit whose file still has both is not hashed again: reading and hashing 50-odd MB costs
 * 50-90 ms of the run's one thread on every run, and a file changed or cut short in any way gets a
 * new size or time and is hashed (and refused) as before. The record sits beside the binary, so
 * re-hashing would not stop anyone able to replace both; it guards against corruption, which the
 * stamp catches too.
 */
import * as core from '@actions/core'
import type * as toolCache from '@actions/tool-cache'
import { createHash, randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { errorMessage } from '../errors.js'

export type ToolCache = typeof toolCache

export const TOOL = 'kubectl'
// Recorded next to the cached binary so a cache hit can be verified without the network.
const SHA_FILE = 'kubectl.sha256'
const RELEASE = /^(\d+)\.(\d+)\.(\d+)$/

/**
 * The verified cached kubectl of exactly `version` (v1.31.2), or of the newest patch of `minor`
 * (1.31) that verifies, or of the newest version at all; no network.
 */
export async function findCached(
  tc: ToolCache,
  arch: string,
  want: { version: string } | { minor: string } | 'newest'
): Promise<{ dir: string; version: string } | undefined> {
  const candidates =
    typeof want === 'object' && 'version' in want
      ? [want.version.replace(/^v/, '')]
      : tc
          .findAllVersions(TOOL, arch)
          .filter((v) => RELEASE.test(v))
          .filter((v) => want === 'newest' || v.startsWith(`${want.minor}.`))
          .sort(byReleaseDescending)
  for (const version of candidates) {
    const dir = tc.find(TOOL, version, arch)
    if (!dir) continue
    if (await matchesRecordedSha(dir)) return { dir, version: `v${version}` }
    core.warning(`The cached kubectl at ${dir} fails its sha256 check; it is not used`)
  }
  return undefined
}

function byReleaseDescending(a: string, b: string): number {
  const x = RELEASE.exec(a)?.slice(1).map(Number) ?? []
  const y = RELEASE.exec(b)?.slice(1).map(Number) ?? []
  return y[0] - x[0] || y[1] - x[1] || y[2] - x[2]
}

/**
 * tool-cache's cacheFile empties the version directory, copies, then writes the `.complete`
 * marker. Two jobs caching one version at once can therefore leave a half-copied binary behind a
 * marker. So the file is cached under a unique staging version and the finished directory is
 * moved into place with one atomic rename; whoever loses the race checks and uses the winner's copy.
 */
export async function cacheAtomically(
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

/**
 * Whether the binary in `dir` is the one whose sha256 was recorded: at once when it still has the
 * size and modification time recorded after its last check, else by hashing it (and then
 * recording its stamp, so the next run need not hash it).
 */
async function matchesRecordedSha(dir: string): Promise<boolean> {
  const binary = path.join(dir, TOOL)
  const record = path.join(dir, SHA_FILE)
  try {
    const [recorded, checkedStamp] = (await readFile(record, 'utf8')).trim().split('\n')
    const stamp = stampOf(await stat(binary))
    if (checkedStamp === stamp) return true
    if (recorded !== (await sha256File(binary))) return false
    await writeAtomically(record, `${recorded}\n${stamp}\n`).catch(() => undefined)
    return true
  } catch {
    return false
  }
}

/** "size mtime" of a file, to tell whether it changed since it was last hashed. */
function stampOf(file: { size: number; mtimeMs: number }): string {
  return `${file.size} ${file.mtimeMs}`
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const temp = `${file}.${randomUUID()}`
  await writeFile(temp, content)
  await rename(temp, file)
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

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
