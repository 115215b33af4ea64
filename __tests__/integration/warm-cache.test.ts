/**
 * kubectl with a warm tool cache: once a run has cached the cluster's kubectl, later runs on that
 * runner make no kubectl request at all (not even stable-1.N.txt), so they succeed with the
 * download host down, and say which version they used.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { startTestbed, type Testbed } from '../../testbed/index.js'
import { errors, originInputs, runAction } from './helpers.js'

let bed: Testbed

beforeAll(async () => {
  bed = await startTestbed()
}, 120_000)
afterAll(async () => bed?.stop())

/** The test bed's requests for kubectl (version files, binaries, checksums) since `seq`. */
const kubectlRequests = (seq: number) =>
  bed.log.since(seq).filter((e) => e.service === 'mirror' && e.path.startsWith('/dl/'))

it('a warm-cache run with the kubectl mirror down succeeds with zero kubectl requests', async () => {
  // Both runs share the test bed's tool cache (RUNNER_TOOL_CACHE in bed.env), as jobs on one runner do.
  const inputs = originInputs(bed, { 'cni-version': 'v1.19.6' })
  let seq = bed.log.lastSeq
  const cold = await runAction({ env: bed.env, inputs })
  let installed: string
  try {
    expect(errors(cold)).toBe('')
    expect(cold.main.exitCode).toBe(0)
    installed = /kubectl (v\d+\.\d+\.\d+) installed at/.exec(cold.main.stdout)?.[1] ?? 'none'
    expect(installed).toMatch(new RegExp(`^v${bed.kubernetesVersion.replace('.', '\\.')}\\.\\d+$`))
    expect(kubectlRequests(seq).map((e) => e.path)).toEqual(
      expect.arrayContaining([`/dl/release/stable-${bed.kubernetesVersion}.txt`])
    )
  } finally {
    cold.cleanup()
  }

  // The download host is down: every kubectl request would have its connection reset.
  const removeFault = bed.faults.add({
    name: 'kubectl mirror down',
    service: 'mirror',
    path: /^\/dl\//,
    reset: true,
    times: Infinity
  })
  // The three warm runs (no kubectl-version, the minor, the exact version) only read the cache
  // and change nothing on the cluster, so they run at once, as jobs on several runners sharing a
  // cache would; none of them may make a kubectl request.
  seq = bed.log.lastSeq
  try {
    const outcomes = await Promise.allSettled(
      ['', bed.kubernetesVersion, installed].map(async (version) => {
        const warm = await runAction({
          env: bed.env,
          inputs: { ...inputs, 'kubectl-version': version }
        })
        try {
          expect(errors(warm)).toBe('')
          expect(warm.main.exitCode).toBe(0)
          expect(warm.main.stdout).toContain(`kubectl ${installed} found in the tool cache at `)
          expect(warm.outputs['kubectl-path']).toMatch(
            new RegExp(`/kubectl/${installed.slice(1).replace(/\./g, '\\.')}/\\w+/kubectl$`)
          )
        } finally {
          warm.cleanup()
        }
      })
    )
    for (const o of outcomes) if (o.status === 'rejected') throw o.reason
    expect(kubectlRequests(seq)).toEqual([])
  } finally {
    removeFault()
  }
}, 240_000)
