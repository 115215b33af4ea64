/**
 * Concurrent runs: four runs at once against four clusters, on ONE runner temp and
 * ONE tool cache, as a matrix on a self-hosted runner would do, starting from an empty tool cache
 * so all four install the same kubectl version at the same time. All succeed, they share no file
 * (kubeconfig folder and file, download and staging paths all distinct), the tool cache ends with
 * one valid kubectl (the mirror's published sha256), and RUNNER_TEMP is empty after the posts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { run as runCommand, startTestbed, type Testbed } from '../testbed/index.js'
import { runAction, type RunActionResult } from '../testbed/runner.js'
import { cachedKubectls, sha256Of } from './faults/cases.js'
import { errors, expectNoSecretsInLog, filesIn, originInputs } from './integration/helpers.js'

const CLUSTERS = ['alpha', 'bravo', 'charlie', 'delta']
const KUBECONFIG_FILE = /eks-cni-[0-9a-f]+\/eks-cni-kubeconfig-[0-9a-f]+\.yaml$/

let beds: Testbed[] = []
let temp: string
let toolCache: string

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'concurrency-runner-temp-'))
  toolCache = mkdtempSync(join(tmpdir(), 'concurrency-tool-cache-'))
  const started = await Promise.allSettled(
    CLUSTERS.map((clusterName) => startTestbed({ clusterName }))
  )
  beds = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const failed = started.find((s) => s.status === 'rejected')
  if (failed) throw (failed as PromiseRejectedResult).reason
}, 180_000)

afterAll(async () => {
  await Promise.all(beds.map((b) => b.stop()))
  for (const dir of [temp, toolCache]) if (dir) rmSync(dir, { recursive: true, force: true })
})

/** Paths a run logged that live in the shared folders: its own files. */
function pathsOf(run: RunActionResult): {
  kubeconfig: string[]
  download: string[]
  staging: string[]
} {
  const all = (re: RegExp): string[] => [...run.log.matchAll(re)].map((m) => m[1])
  return {
    kubeconfig: all(/Wrote (\S+eks-cni-kubeconfig-[0-9a-f]+\.yaml)/g),
    download: all(/::debug::Destination (\S+)/g),
    staging: all(/::debug::destination (\S+-staging\.\S+)/g)
  }
}

describe('four concurrent runs on one runner temp and one tool cache', () => {
  it('all succeed, share no file, and leave one valid kubectl and an empty RUNNER_TEMP', async () => {
    expect(cachedKubectls(toolCache)).toEqual([])
    // Watch the shared RUNNER_TEMP for kubeconfig files while the four runs overlap.
    const seen = new Set<string>()
    const watcher = setInterval(() => {
      for (const f of filesIn(temp)) if (KUBECONFIG_FILE.test(f)) seen.add(join(temp, f))
    }, 10)
    const seqs = beds.map((b) => b.log.lastSeq)
    let runs: RunActionResult[] = []
    try {
      runs = await Promise.all(
        beds.map((bed) =>
          runAction({
            env: { ...bed.env, RUNNER_TEMP: temp, RUNNER_TOOL_CACHE: toolCache },
            inputs: originInputs(bed),
            timeoutMs: 150_000
          })
        )
      )
    } finally {
      clearInterval(watcher)
    }
    try {
      // All succeed, each against its own cluster.
      expect(
        runs.map((r) => ({
          exit: r.main.exitCode,
          post: r.post?.exitCode,
          error: errors(r),
          stderr: r.main.exitCode === 0 ? '' : r.main.stderr.slice(-400)
        }))
      ).toEqual(runs.map(() => ({ exit: 0, post: 0, error: '', stderr: '' })))
      for (const [i, bed] of beds.entries()) {
        const want = Object.fromEntries(bed.podSubnets.map((s) => [s.zone, s.id]))
        const live = bed.kube.list('crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig') as unknown as {
          metadata: { name: string }
          spec: { subnet: string }
        }[]
        expect(Object.fromEntries(live.map((e) => [e.metadata.name, e.spec.subnet]))).toEqual(want)
        const reported = JSON.parse(runs[i].outputs['eni-configs']) as {
          name: string
          subnet: string
        }[]
        expect(Object.fromEntries(reported.map((e) => [e.name, e.subnet]))).toEqual(want)
        expectNoSecretsInLog(runs[i])
      }

      // They share no file: kubeconfig folders and files, downloads and staging folders differ.
      const dirs = runs.map((r) => r.state['kubeconfig-dir'])
      for (const d of dirs) expect(dirname(d)).toBe(temp)
      expect(new Set(dirs).size).toBe(4)
      const paths = runs.map(pathsOf)
      for (const [i, p] of paths.entries()) {
        expect(p.kubeconfig).toHaveLength(1)
        expect(dirname(p.kubeconfig[0])).toBe(dirs[i])
      }
      const owned = paths.flatMap((p) => [...p.kubeconfig, ...p.download, ...p.staging])
      expect(owned.length).toBeGreaterThanOrEqual(4)
      expect(new Set(owned).size).toBe(owned.length)
      // Every kubeconfig that appeared in the shared temp belongs to exactly one run.
      expect(seen.size).toBeGreaterThanOrEqual(1)
      for (const f of seen) expect(paths.flatMap((p) => p.kubeconfig)).toContain(f)

      // The installs really raced: more than one run downloaded the binary.
      const downloads = beds.map(
        (b, i) =>
          b.log
            .since(seqs[i])
            .filter(
              (e) => e.service === 'mirror' && /\/bin\/linux\/[a-z0-9]+\/kubectl$/.test(e.path)
            ).length
      )
      expect(downloads.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2)

      // The tool cache ends with one valid kubectl, the one every run reports.
      const binaries = cachedKubectls(toolCache)
      expect(binaries).toHaveLength(1)
      const kubectl = join(toolCache, binaries[0])
      expect(runs.map((r) => r.outputs['kubectl-path'])).toEqual(runs.map(() => kubectl))
      const version = /^kubectl\/(\d+\.\d+\.\d+)\/(\w+)\/kubectl$/.exec(binaries[0])
      expect(version).not.toBeNull()
      const [, semver, arch] = version as RegExpExecArray
      expect(existsSync(join(toolCache, 'kubectl', semver, `${arch}.complete`))).toBe(true)
      expect(readdirSync(join(toolCache, 'kubectl')).sort()).toEqual([semver])
      const published = await (
        await fetch(
          `${beds[0].env.TESTBED_KUBECTL_MIRROR}/release/v${semver}/bin/linux/${arch}/kubectl.sha256`
        )
      ).text()
      expect(sha256Of(kubectl)).toBe(published.trim())
      const client = await runCommand(kubectl, ['version', '--client', '-o', 'json'])
      expect(client.code).toBe(0)
      expect(client.stdout).toContain(`"gitVersion": "v${semver}"`)

      // RUNNER_TEMP holds nothing after the posts: no kubeconfig, no download left behind.
      for (const d of dirs) expect(existsSync(d)).toBe(false)
      expect(filesIn(temp)).toEqual([])
    } finally {
      for (const r of runs) r.cleanup()
    }
  }, 240_000)
})
