/**
 * Transient trouble the run must ride out: a token that expires mid-run (the test bed's EKS accepts
 * tokens for 3 s while aws-node takes longer to roll out, so the run only succeeds by re-minting
 * after the 401), and 429/503/409 answers and dropped connections from the Kubernetes API.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { startTestbed, type Testbed } from '../../testbed/index.js'
import { expectNoSecretsInLog, originInputs, runAction } from './helpers.js'

let bed: Testbed

beforeAll(async () => {
  bed = await startTestbed({ tokenTtlSeconds: 3, rollout: { mode: 'staged', stepMs: 1000 } })
}, 120_000)
afterAll(async () => bed?.stop())

it('survives a token that expires during the rollout wait by re-minting it', async () => {
  const seq = bed.log.lastSeq
  const run = await runAction({
    env: bed.env,
    inputs: originInputs(bed, { 'cni-version': 'v1.19.6', 'install-kubectl': 'false' })
  })
  try {
    expect(run.main.exitCode).toBe(0)
    const kube = bed.log.since(seq).filter((e) => e.service === 'kube')
    expect(kube.some((e) => e.status === 401)).toBe(true)
    expect(run.outputs.changed).toBe('true')
    expect(run.masks.filter((m) => m.startsWith('k8s-aws-v1.')).length).toBeGreaterThan(1)
    expectNoSecretsInLog(run)
    expect(run.summary).toMatch(/rolled out: 3 of 3/)
  } finally {
    run.cleanup()
  }
})

it('retries 429/503 (with and without Retry-After), 409 and connection resets', async () => {
  bed.kube.setRollout('instant')
  const remove = bed.faults.add(
    { service: 'kube', method: 'GET', path: '/eniconfigs$', status: 429, times: 1 },
    { service: 'kube', method: 'GET', path: '/daemonsets/aws-node$', reset: true, times: 1 },
    {
      service: 'kube',
      method: 'PATCH',
      path: '/daemonsets/',
      status: 503,
      retryAfter: 1,
      times: 2
    },
    {
      service: 'kube',
      method: 'PATCH',
      path: '/eniconfigs/',
      status: 409,
      reason: 'Conflict',
      times: 1
    },
    { service: 'kube', method: 'PATCH', path: '/configmaps/', status: 500, times: 1 }
  )
  const seq = bed.log.lastSeq
  try {
    const run = await runAction({
      env: bed.env,
      inputs: originInputs(bed, {
        'cni-version': 'v1.19.6',
        'install-kubectl': 'false',
        'warm-ip-target': '4'
      })
    })
    try {
      expect(run.main.exitCode).toBe(0)
      const statuses = bed.log
        .since(seq)
        .filter((e) => e.service === 'kube')
        .map((e) => e.status)
      expect(statuses).toEqual(expect.arrayContaining([429, 503, 503, 409, 500]))
      expect(run.main.stdout).toMatch(
        /Retry kube: apply DaemonSet\/kube-system\/aws-node: attempt 2 of \d+ in 1000 ms/
      )
      expect(run.outputs.changed).toBe('true')
    } finally {
      run.cleanup()
    }
  } finally {
    remove()
  }
})
