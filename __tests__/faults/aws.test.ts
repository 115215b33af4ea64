/**
 * Fault battery, AWS and the GitHub OIDC endpoint: STS throttling and 5xx, EKS and
 * EC2 5xx, OIDC 5xx; transient ones must be retried to success, lasting ones must fail within
 * bounded time, name the cause and write nothing to the cluster. One test bed.
 */
import { afterAll, beforeAll, describe, expect } from '@jest/globals'
import { startTestbed, type Testbed } from '../../testbed/index.js'
import { caseIt, runOn, writesOf, type CaseRun } from './cases.js'

let bed: Testbed

beforeAll(async () => {
  bed = await startTestbed()
}, 120_000)
afterAll(async () => bed?.stop())

const STS = { service: 'aws', operation: 'AssumeRoleWithWebIdentity' } as const
const EKS = { service: 'aws', operation: 'eks:DescribeCluster' } as const
const EC2 = { service: 'aws', operation: 'DescribeSubnets' } as const
const OIDC = { service: 'oidc', path: /\/_apis\/token/ } as const

const count = (r: CaseRun, pred: (e: CaseRun['requests'][number]) => boolean): number =>
  r.requests.filter(pred).length
const oidcRequests = (r: CaseRun): number => count(r, (e) => e.service === 'oidc')

describe('STS', () => {
  caseIt('A01', async () => {
    const r = await runOn(bed, 'A01', {
      faults: [{ ...STS, status: 400, reason: 'Throttling', times: 2 }]
    })
    return {
      r,
      check: () => {
        expect(r.hits).toHaveLength(2)
        // A fresh ID token for each attempt.
        expect(oidcRequests(r)).toBe(3)
      }
    }
  })

  caseIt('A02', async () => {
    const r = await runOn(bed, 'A02', {
      faults: [
        { ...STS, status: 500, reason: 'InternalFailure', times: 1 },
        { ...STS, status: 503, reason: 'ServiceUnavailable', times: 1 }
      ]
    })
    return { r, check: () => expect(r.hits).toHaveLength(2) }
  })

  caseIt('A03', async () => {
    const r = await runOn(bed, 'A03', {
      faults: [{ ...STS, status: 503, reason: 'ServiceUnavailable', times: Infinity }]
    })
    return {
      r,
      facts: [`${writesOf(r).length} write(s) to the cluster`],
      check: () => {
        expect(r.hits.length).toBeGreaterThanOrEqual(2)
        expect(writesOf(r)).toEqual([])
      }
    }
  })
})

describe('EKS', () => {
  caseIt('A04', async () => {
    const r = await runOn(bed, 'A04', { faults: [{ ...EKS, status: 500, times: 2 }] })
    return { r, check: () => expect(r.hits).toHaveLength(2) }
  })

  caseIt('A05', async () => {
    const r = await runOn(bed, 'A05', {
      faults: [{ ...EKS, status: 503, reason: 'ServiceUnavailableException', times: Infinity }]
    })
    return {
      r,
      facts: [`${writesOf(r).length} write(s) to the cluster`],
      check: () => {
        expect(r.hits.length).toBeGreaterThanOrEqual(2)
        expect(writesOf(r)).toEqual([])
      }
    }
  })
})

describe('EC2', () => {
  caseIt('A06', async () => {
    const r = await runOn(bed, 'A06', { faults: [{ ...EC2, status: 503, times: 2 }] })
    return { r, check: () => expect(r.hits).toHaveLength(2) }
  })

  caseIt('A07', async () => {
    const r = await runOn(bed, 'A07', {
      faults: [{ ...EC2, status: 500, reason: 'InternalError', times: Infinity }]
    })
    return {
      r,
      facts: [`${writesOf(r).length} write(s) to the cluster`],
      check: () => {
        expect(r.hits.length).toBeGreaterThanOrEqual(2)
        expect(writesOf(r)).toEqual([])
      }
    }
  })
})

describe('OIDC endpoint', () => {
  caseIt('O01', async () => {
    const r = await runOn(bed, 'O01', { faults: [{ ...OIDC, status: 503, times: 2 }] })
    return { r, check: () => expect(r.hits).toHaveLength(2) }
  })

  caseIt('O02', async () => {
    const r = await runOn(bed, 'O02', { faults: [{ ...OIDC, status: 500, times: 1 }] })
    return {
      r,
      facts: [`${oidcRequests(r)} ID token request(s)`],
      check: () => {
        expect(r.hits).toHaveLength(1)
        expect(oidcRequests(r)).toBe(2)
      }
    }
  })

  caseIt('O03', async () => {
    const r = await runOn(bed, 'O03', {
      faults: [{ ...OIDC, status: 500, times: Infinity }]
    })
    return {
      r,
      facts: [`${writesOf(r).length} write(s) to the cluster`],
      check: () => {
        expect(r.hits.length).toBeGreaterThanOrEqual(1)
        expect(writesOf(r)).toEqual([])
      }
    }
  })
})
