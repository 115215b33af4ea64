/**
 * Fault battery, Kubernetes API: 429/500/503 bursts with and without Retry-After on
 * discovery, apply, CRD read and rollout read; connection resets; 409 on apply; faults without end
 * that must fail within timeout-seconds. One test bed; every case removes its rules.
 */
import { afterAll, beforeAll, describe, expect } from '@jest/globals'
import { startTestbed, type Testbed } from '../../testbed/index.js'
import type { RequestLogEntry } from '../../testbed/faults.js'
import { DISCOVERY_PATH, caseIt, runOn, writesOf } from './cases.js'

let bed: Testbed

beforeAll(async () => {
  bed = await startTestbed({ rollout: { mode: 'instant' } })
}, 120_000)
afterAll(async () => bed?.stop())

const PATCH = { service: 'kube', method: 'PATCH' } as const
const AWS_NODE = /\/daemonsets\/aws-node$/
const appliedAwsNode = (e: RequestLogEntry): boolean =>
  e.service === 'kube' && e.method === 'PATCH' && AWS_NODE.test(e.path)
/** GETs of aws-node after its apply: the rollout reads. */
function rolloutReads(requests: RequestLogEntry[]): RequestLogEntry[] {
  const applied = requests.findIndex(appliedAwsNode)
  return requests.slice(applied + 1).filter((e) => e.method === 'GET' && AWS_NODE.test(e.path))
}

/** Staged rollout for the cases that fault the rollout reads, instant otherwise. */
function staged(on: boolean): void {
  bed.kube.setRollout(on ? 'staged' : 'instant', 250)
}

describe('discovery', () => {
  caseIt('K01', async () => {
    const r = await runOn(bed, 'K01', {
      faults: [
        { service: 'kube', path: DISCOVERY_PATH, status: 429, retryAfter: 1, times: Infinity },
        { service: 'kube', path: DISCOVERY_PATH, status: 500, times: Infinity },
        { service: 'kube', path: DISCOVERY_PATH, status: 503, times: Infinity }
      ]
    })
    const discovery = r.requests.filter((e) => e.service === 'kube' && DISCOVERY_PATH.test(e.path))
    return {
      r,
      facts: [`${discovery.length} discovery request(s)`],
      check: () => expect(discovery).toEqual([])
    }
  })
})

describe('apply', () => {
  caseIt('K02', async () => {
    const r = await runOn(bed, 'K02', {
      faults: [{ ...PATCH, status: 429, retryAfter: 1, times: 2 }]
    })
    const honoured = /Retry kube: apply \S+: attempt 2 of \d+ in 1000 ms/.test(r.run.log)
    return {
      r,
      facts: [honoured ? 'Retry-After honoured' : 'Retry-After NOT honoured'],
      check: () => {
        expect(r.hits).toHaveLength(2)
        expect(honoured).toBe(true)
      }
    }
  })

  caseIt('K03', async () => {
    const r = await runOn(bed, 'K03', { faults: [{ ...PATCH, status: 500, times: 2 }] })
    return { r, check: () => expect(r.hits).toHaveLength(2) }
  })

  caseIt('K04', async () => {
    const r = await runOn(bed, 'K04', { faults: [{ ...PATCH, status: 503, times: 3 }] })
    return { r, check: () => expect(r.hits).toHaveLength(3) }
  })

  caseIt('K05', async () => {
    const r = await runOn(bed, 'K05', { faults: [{ ...PATCH, reset: true, times: 2 }] })
    return { r, check: () => expect(r.hits).toHaveLength(2) }
  })

  caseIt('K06', async () => {
    const r = await runOn(bed, 'K06', {
      faults: [
        {
          ...PATCH,
          path: AWS_NODE,
          status: 409,
          reason: 'Conflict',
          message:
            'Operation cannot be fulfilled on daemonsets.apps "aws-node": the object has been modified; please apply your changes to the latest version and try again'
        }
      ]
    })
    const applies = r.requests.filter(appliedAwsNode)
    return {
      r,
      facts: [`aws-node applied ${applies.length}×`],
      check: () => {
        expect(r.hits).toHaveLength(1)
        expect(applies.map((e) => e.status)).toEqual([409, 200])
      }
    }
  })

  caseIt('K10', async () => {
    const r = await runOn(bed, 'K10', {
      inputs: { 'timeout-seconds': '5' },
      faults: [{ ...PATCH, path: /\/eniconfigs\/ap-northeast-2b$/, status: 500, times: Infinity }]
    })
    return {
      r,
      check: () => {
        expect(r.hits.length).toBeGreaterThanOrEqual(2)
        // The other two were applied; the run still must not report the set.
        expect(writesOf(r).some((e) => /\/eniconfigs\/ap-northeast-2a$/.test(e.path))).toBe(true)
      }
    }
  })

  caseIt('K12', async () => {
    const r = await runOn(bed, 'K12', {
      // A WARM_IP_TARGET no other case uses, so an apply that landed would show in aws-node.
      inputs: { 'timeout-seconds': '5', 'warm-ip-target': '7' },
      faults: [{ ...PATCH, path: AWS_NODE, delayMs: 10 * 60_000, times: Infinity }]
    })
    // The emulator finishes a request whose client went away as soon as it notices.
    for (let i = 0; i < 400 && r.hits.some((e) => e.end === 0); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    const ds = bed.kube.get('apps/v1', 'DaemonSet', 'aws-node', 'kube-system') as unknown as {
      spec: { template: { spec: { containers: { name: string; env?: EnvEntry[] }[] } } }
    }
    const env = ds.spec.template.spec.containers.find((c) => c.name === 'aws-node')?.env ?? []
    const warm = env.find((e) => e.name === 'WARM_IP_TARGET')?.value
    return {
      r,
      facts: [`${r.hits.length} held apply(s), all cancelled: ${r.hits.every((e) => e.cancelled)}`],
      check: () => {
        expect(r.hits.length).toBeGreaterThanOrEqual(1)
        expect(r.hits.every((e) => e.cancelled === true)).toBe(true)
        expect(warm).not.toBe('7')
      }
    }
  })
})

type EnvEntry = { name: string; value?: string }

describe('CRD read', () => {
  caseIt('K07', async () => {
    const crd = { service: 'kube', method: 'GET', path: /\/customresourcedefinitions\// } as const
    const r = await runOn(bed, 'K07', {
      faults: [
        { ...crd, status: 503, times: 2 },
        { ...crd, status: 429, retryAfter: 1, times: 1 }
      ]
    })
    return { r, check: () => expect(r.hits).toHaveLength(3) }
  })
})

describe('rollout read', () => {
  const read = { service: 'kube', method: 'GET', path: AWS_NODE } as const

  caseIt('K08', async () => {
    staged(true)
    try {
      const r = await runOn(bed, 'K08', {
        arm: { after: appliedAwsNode, rules: [{ ...read, status: 500, times: 2 }] }
      })
      const reads = rolloutReads(r.requests)
      return {
        r,
        check: () => {
          expect(r.hits).toHaveLength(2)
          expect(reads.at(-1)?.status).toBe(200)
          expect(r.run.log).toMatch(/aws-node rolled out: 3 of 3 pods updated and available/)
        }
      }
    } finally {
      staged(false)
    }
  })

  caseIt('K09', async () => {
    staged(true)
    try {
      const r = await runOn(bed, 'K09', {
        arm: {
          after: appliedAwsNode,
          rules: [
            { ...read, status: 429, retryAfter: 1, times: 1 },
            { ...read, reset: true, times: 1 }
          ]
        }
      })
      return {
        r,
        check: () => {
          expect(r.hits).toHaveLength(2)
          expect(r.run.log).toMatch(/aws-node rolled out: 3 of 3 pods updated and available/)
        }
      }
    } finally {
      staged(false)
    }
  })

  caseIt('K11', async () => {
    staged(true)
    try {
      const r = await runOn(bed, 'K11', {
        inputs: { 'timeout-seconds': '5' },
        arm: {
          after: appliedAwsNode,
          rules: [{ ...read, status: 503, retryAfter: 1, times: Infinity }]
        }
      })
      return { r, check: () => expect(r.hits.length).toBeGreaterThanOrEqual(2) }
    } finally {
      staged(false)
    }
  })
})
