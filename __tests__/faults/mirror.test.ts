/**
 * Fault battery, kubectl mirror and a stuck rollout. Each mirror case starts from an
 * empty tool cache of its own, so kubectl is really resolved, downloaded and checked; a success
 * leaves exactly one kubectl in the cache, with the mirror's published sha256, and a failure
 * leaves none. One test bed.
 */
import { afterAll, beforeAll, describe, expect } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestbed, type Testbed } from '../../testbed/index.js'
import type { FaultRule } from '../../testbed/faults.js'
import { kubectlArch } from '../../src/kubectl/platform.js'
import { cachedKubectls, caseIt, runOn, sha256Of, type CaseRun } from './cases.js'

let bed: Testbed
const caches: string[] = []

beforeAll(async () => {
  bed = await startTestbed()
}, 120_000)
afterAll(async () => {
  for (const c of caches) rmSync(c, { recursive: true, force: true })
  await bed?.stop()
})

const BINARY = /\/bin\/linux\/[a-z0-9]+\/kubectl$/

/** Runs a mirror case on an empty tool cache of its own. */
function runMirrorCase(id: string, faults: FaultRule[]): Promise<CaseRun> {
  const toolCache = mkdtempSync(join(tmpdir(), `fault-${id}-tool-cache-`))
  caches.push(toolCache)
  return runOn(bed, id, { toolCache, faults })
}

/** The published digest of the kubectl a run installed. */
async function publishedSha256(r: CaseRun): Promise<string> {
  const version = /kubectl (v\d+\.\d+\.\d+) installed at/.exec(r.run.log)?.[1]
  // The mirror serves this machine's architecture (arm64 on an ARM runner).
  const res = await fetch(
    `${bed.env.TESTBED_KUBECTL_MIRROR}/release/${version}/bin/linux/${kubectlArch()}/kubectl.sha256`
  )
  return (await res.text()).trim()
}

/** A success: one kubectl in the cache, the one the output names, with the published digest. */
async function expectOneValidKubectl(r: CaseRun): Promise<void> {
  const binaries = cachedKubectls(r.toolCache)
  expect(binaries).toHaveLength(1)
  const path = join(r.toolCache, binaries[0])
  expect(r.run.outputs['kubectl-path']).toBe(path)
  expect(sha256Of(path)).toBe(await publishedSha256(r))
}

describe('kubectl mirror', () => {
  caseIt('M01', async () => {
    const r = await runMirrorCase('M01', [
      { service: 'mirror', path: /\/release\/stable-1\.\d+\.txt$/, status: 503, times: 2 }
    ])
    return {
      r,
      check: async () => {
        expect(r.hits).toHaveLength(2)
        await expectOneValidKubectl(r)
      }
    }
  })

  caseIt('M02', async () => {
    const r = await runMirrorCase('M02', [
      { service: 'mirror', path: /\/kubectl\.sha256$/, status: 500, times: 2 }
    ])
    return {
      r,
      check: async () => {
        expect(r.hits).toHaveLength(2)
        await expectOneValidKubectl(r)
      }
    }
  })

  caseIt('M03', async () => {
    const r = await runMirrorCase('M03', [
      { service: 'mirror', path: BINARY, status: 503, times: 1 }
    ])
    return {
      r,
      check: async () => {
        expect(r.hits).toHaveLength(1)
        await expectOneValidKubectl(r)
        // The action's own retry answered the 503, with its backoff (at most 8 s), not
        // tool-cache's fixed 10-20 s sleep, which would ignore timeout-seconds.
        const retry =
          /Retry download: attempt 2 of \d+ in (\d+) ms \(GET \S+\/kubectl failed: HTTP 503/.exec(
            r.run.log
          )
        expect(retry).not.toBeNull()
        expect(Number(retry?.[1])).toBeLessThanOrEqual(8000)
      }
    }
  })

  caseIt('M04', async () => {
    const r = await runMirrorCase('M04', [
      { service: 'mirror', path: BINARY, status: 404, message: '404: Not Found', times: 1 }
    ])
    return {
      r,
      check: () => {
        expect(r.hits).toHaveLength(1)
        expect(cachedKubectls(r.toolCache)).toEqual([])
      }
    }
  })

  caseIt('M05', async () => {
    const r = await runMirrorCase('M05', [
      { service: 'mirror', path: BINARY, body: '#!/bin/sh\necho not kubectl\n', times: 1 }
    ])
    return {
      r,
      check: () => {
        expect(r.hits).toHaveLength(1)
        expect(r.error).toMatch(/Nothing was cached/)
        expect(cachedKubectls(r.toolCache)).toEqual([])
      }
    }
  })
})

describe('rollout', () => {
  caseIt('R01', async () => {
    bed.kube.setRollout('stuck')
    let r: CaseRun
    let stale: string[]
    try {
      r = await runOn(bed, 'R01', { inputs: { 'timeout-seconds': '5' } })
      // The nodes whose aws-node pod is not of the DaemonSet's current generation.
      const ds = bed.kube.get('apps/v1', 'DaemonSet', 'aws-node', 'kube-system')
      const generation = String(ds?.metadata.generation)
      stale = bed.kube
        .list('v1', 'Pod', 'kube-system')
        .filter((p) => p.metadata.labels?.['k8s-app'] === 'aws-node')
        .filter((p) => p.metadata.labels?.['pod-template-generation'] !== generation)
        .map((p) => String((p.spec as { nodeName?: string }).nodeName))
        .sort()
    } finally {
      bed.kube.setRollout('instant')
    }
    const run = r
    return {
      r: run,
      facts: [`${stale.length} node(s) not updated`],
      check: () => {
        expect(stale.length).toBeGreaterThanOrEqual(1)
        expect(run.error).toContain(`Nodes not yet updated: ${stale.join(', ')}`)
        expect(run.error).toMatch(/\d of 3 pods updated/)
        // The stuck state the error reports was read from the cluster after the write (the rollout
        // poll), not assumed. That the wait lasts until the deadline and reads once more there is
        // asserted with an injected clock in kube-wait.test.ts, where load cannot change it.
        const path = '/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node'
        const write = run.requests.findIndex((e) => e.method === 'PATCH' && e.path === path)
        const polls = run.requests
          .slice(write + 1)
          .filter((e) => e.method === 'GET' && e.path === path)
        expect(write).toBeGreaterThanOrEqual(0)
        expect(polls.length).toBeGreaterThanOrEqual(1)
      }
    }
  })
})
