/**
 * Fault battery, cluster and token: on a fresh cluster the ENIConfig CRD is
 * Established only after 10 s, and the ENIConfigs must wait for it; with an EKS token TTL shorter
 * than the rollout wait, the run must survive by re-minting. Each needs a test bed of its own
 * (a fresh cluster; a short token TTL), both started at once, and the two cases run concurrently:
 * both mostly wait (10 s for the CRD; a rollout longer than the token lives).
 */
import { afterAll, beforeAll, describe, expect } from '@jest/globals'
import { startTestbed, type Testbed } from '../../testbed/index.js'
import { caseIt, runOn } from './cases.js'

let fresh: Testbed
let shortTtl: Testbed

beforeAll(async () => {
  ;[fresh, shortTtl] = await Promise.all([
    startTestbed({ cniVersion: null, clusterName: 'fresh' }),
    startTestbed({ tokenTtlSeconds: 2, rollout: { mode: 'staged', stepMs: 1000 } })
  ])
}, 120_000)
afterAll(async () => {
  await Promise.all([fresh?.stop(), shortTtl?.stop()])
})

describe('cluster and token', () => {
  caseIt(
    'C01',
    async () => {
      fresh.kube.setCrdEstablishDelay(10_000)
      const r = await runOn(fresh, 'C01', { inputs: { 'cni-version': 'v1.19.6' } })
      const crdApply = r.requests.find(
        (e) => e.method === 'PATCH' && /\/customresourcedefinitions\/eniconfigs\./.test(e.path)
      )
      const eniApplies = r.requests.filter(
        (e) => e.method === 'PATCH' && /\/eniconfigs\/[^/]+$/.test(e.path)
      )
      const afterEstablished = eniApplies.every(
        (e) => crdApply !== undefined && e.start - crdApply.end >= 9_900
      )
      const allOk = eniApplies.every((e) => e.status >= 200 && e.status < 300)
      return {
        r,
        facts: [
          afterEstablished
            ? 'ENIConfigs applied after the CRD was Established'
            : 'ENIConfigs applied BEFORE the CRD was Established',
          allOk ? 'no ENIConfig apply refused' : 'an ENIConfig apply was refused'
        ],
        check: () => {
          expect(crdApply).toBeDefined()
          expect(eniApplies).toHaveLength(3)
          expect(afterEstablished).toBe(true)
          expect(allOk).toBe(true)
        }
      }
    },
    undefined,
    { concurrent: true }
  )

  caseIt(
    'T01',
    async () => {
      const rejectionsBefore = shortTtl.access.rejections.length
      const r = await runOn(shortTtl, 'T01')
      const tokens = new Set(r.run.masks.filter((m) => m.startsWith('k8s-aws-v1.')))
      const expired = shortTtl.access.rejections
        .slice(rejectionsBefore)
        .filter((reason) => /expired/.test(reason))
      const unauthorized = r.requests.filter((e) => e.service === 'kube' && e.status === 401)
      const reminted = tokens.size >= 2 && expired.length >= 1
      return {
        r,
        facts: [reminted ? 'token re-minted after it expired' : 'token NOT re-minted'],
        check: () => {
          expect(unauthorized.length).toBeGreaterThanOrEqual(1)
          expect(expired.length).toBeGreaterThanOrEqual(1)
          expect(tokens.size).toBeGreaterThanOrEqual(2)
          expect(r.run.log).toMatch(/aws-node rolled out: 3 of 3 pods updated and available/)
        }
      }
    },
    undefined,
    { concurrent: true }
  )
})
