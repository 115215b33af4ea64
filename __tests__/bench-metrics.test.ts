import {
  chainBreakdown,
  describeRequest,
  fmtBytes,
  fmtMs,
  fmtRatio,
  longestDependentChain,
  median,
  meets,
  parseMaxRss,
  ratio,
  renderTimeline,
  summarize,
  verdict,
  type TimedRequest
} from '../bench/metrics.js'
import { renderReport } from '../bench/report.js'
import type { RunKind } from '../bench/runs.js'

let seq = 0
const req = (path: string, start: number, end: number, extra: Partial<TimedRequest> = {}) => ({
  seq: ++seq,
  service: 'kube',
  method: 'GET',
  path,
  status: 200,
  start,
  end,
  ...extra
})

describe('median', () => {
  it('takes the middle of an odd count and the mean of the two middles of an even one', () => {
    expect(median([5, 1, 3])).toBe(3)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([7])).toBe(7)
  })
  it('does not reorder its input and refuses an empty list', () => {
    const xs = [3, 1, 2]
    median(xs)
    expect(xs).toEqual([3, 1, 2])
    expect(() => median([])).toThrow('empty')
  })
})

describe('ratio and verdicts', () => {
  it('divides, and gives NaN for a zero denominator', () => {
    expect(ratio(1, 4)).toBe(0.25)
    expect(ratio(1, 0)).toBeNaN()
  })
  it('passes at the limit, misses above it and when not measured', () => {
    expect(meets(0.25, 0.25)).toBe(true)
    expect(verdict(0.26, 0.25)).toBe('MISS')
    expect(verdict(Number.NaN, 1)).toBe('MISS')
    expect(verdict(7, 8)).toBe('PASS')
  })
})

describe('longestDependentChain', () => {
  it('is empty for no requests and one for a single request', () => {
    expect(longestDependentChain([])).toEqual([])
    expect(longestDependentChain([req('/a', 0, 10)])).toHaveLength(1)
  })

  it('counts a strictly sequential log in full', () => {
    const log = [req('/a', 0, 10), req('/b', 10, 20), req('/c', 21, 30)]
    expect(longestDependentChain(log).map((e) => e.path)).toEqual(['/a', '/b', '/c'])
  })

  it('counts overlapping requests as one round trip', () => {
    // OIDC → STS → {EKS ∥ EC2} → apply: the parallel pair is one step of the chain.
    const log = [
      req('/oidc', 0, 50),
      req('/sts', 51, 100),
      req('/eks', 101, 150),
      req('/ec2', 102, 160),
      req('/apply', 161, 200)
    ]
    expect(longestDependentChain(log).map((e) => e.path)).toEqual([
      '/oidc',
      '/sts',
      '/ec2',
      '/apply'
    ])
  })

  it('finds the longest path, not the first one, whatever the input order', () => {
    // A long background request beside a short sequential chain.
    const log = [
      req('/x3', 40, 60),
      req('/background', 0, 100),
      req('/x1', 0, 20),
      req('/x2', 20, 40),
      req('/after', 100, 110)
    ]
    expect(longestDependentChain(log).map((e) => e.path)).toEqual(['/x1', '/x2', '/x3', '/after'])
  })

  it('leaves out requests that never finished', () => {
    const log = [req('/a', 0, 10), req('/reset', 11, 0), req('/b', 12, 20)]
    expect(longestDependentChain(log).map((e) => e.path)).toEqual(['/a', '/b'])
  })

  it('handles a few hundred requests', () => {
    const log = Array.from({ length: 400 }, (_, i) => req(`/r${i}`, i * 2, i * 2 + 3))
    // Each request overlaps its neighbour, so every other one forms the chain.
    expect(longestDependentChain(log)).toHaveLength(200)
  })
})

describe('chainBreakdown', () => {
  it('splits a chain into request time and the gaps between requests', () => {
    const chain = [req('/a', 100, 150), req('/b', 170, 200), req('/c', 200, 260)]
    expect(chainBreakdown(chain)).toEqual({ requestMs: 140, gapMs: 20 })
    expect(chainBreakdown([])).toEqual({ requestMs: 0, gapMs: 0 })
  })
})

describe('formatting and parsing', () => {
  it('labels requests by operation when known', () => {
    expect(describeRequest(req('/', 0, 12, { service: 'aws', operation: 'sts:X' }))).toBe(
      'aws sts:X → 200 (12 ms)'
    )
    expect(describeRequest(req('/version', 5, 6))).toBe('kube GET /version → 200 (1 ms)')
  })
  it('renders a timeline in start order, from the first request', () => {
    const log = [req('/late', 130, 180), req('/early', 100, 120)]
    expect(renderTimeline(log)).toEqual([
      '    +0–20 ms kube GET /early → 200 (20 ms)',
      '    +30–80 ms kube GET /late → 200 (50 ms)'
    ])
  })
  it('formats cells', () => {
    expect(fmtMs(1234.4)).toBe('1234 ms')
    expect(fmtMs(Number.NaN)).toBe('n/a')
    expect(fmtRatio(0.1529)).toBe('0.153')
    expect(fmtBytes(2048)).toBe('2.0 KiB')
    expect(fmtBytes(3 * 1024 * 1024)).toBe('3.00 MiB')
  })
  it('reads GNU time %M output', () => {
    expect(parseMaxRss('81234\n\n65000\n')).toEqual([81234, 65000])
    expect(parseMaxRss('Command exited with non-zero status 1\n70000\n')).toEqual([70000])
  })
})

describe('summarize and renderReport', () => {
  const chainOf = (n: number) =>
    Array.from({ length: n }, (_, i) => req(`/c${i}`, i * 10, i * 10 + 5))
  const run = (kind: RunKind, latencyMs: number, rep: number, wallMs: number, chain: number) => ({
    kind,
    latencyMs,
    rep,
    wallMs,
    mainMs: wallMs - 100,
    postMs: 100,
    startupMs: 200,
    tailMs: 50,
    requests: chain + 3,
    chain: chainOf(chain),
    mainRssKiB: 100 * 1024
  })
  const runs = [1, 2, 3].flatMap((rep) => [
    run('a', 50, rep, 10_100 + rep, 31),
    run('b', 50, rep, 2_000 + rep, rep === 3 ? 9 : 7),
    run('c', 50, rep, 1_000 + rep, 6)
  ])
  const data = (extra: ReturnType<typeof run>[] = []) => ({
    date: '2026-01-01T00:00:00Z',
    machine: { nproc: 2, cpu: 'cpu', node: '24', actionNode: 'v24', tools: 'tools' },
    load: [0.5, 0.6],
    totalMs: 100_000,
    reps: 3,
    settingsReps: 2,
    latencies: [50],
    runs: [...runs, ...extra],
    cold: run('cold', 0, 0, 5_000, 9),
    bundle: { entryBytes: 1000, totalJsBytes: 5000, chunks: 2, builtAt: 'then' },
    coldStart: { firstLineMs: [120, 130], errorExitMs: [150], anchorMs: [40] }
  })

  it('takes medians per kind and latency, and the longest chain seen', () => {
    const s = summarize(runs, 'b', 50)
    expect(s).toMatchObject({ wall: 2002, min: 2001, max: 2003, chain: 7, chainMax: 9 })
    expect(summarize(runs, 'b', 0).wall).toBeNaN()
  })

  it('marks each target and gives a reason for each miss', () => {
    const md = renderReport(data())
    expect(md).toContain('version: b/a ≤ 0.2 at 50 ms: 0.198 — **PASS**')
    expect(md).toContain('version: c/a ≤ 0.12 at 50 ms: 0.099 — **PASS**')
    // The stretch targets: 0.198 is over 0.12, 0.099 over 0.08, each with its reason.
    expect(md).toContain('version: b/a ≤ 0.12 (stretch) at 50 ms: 0.198 — **MISS**')
    expect(md).toContain('version: c/a ≤ 0.08 (stretch) at 50 ms: 0.099 — **MISS**')
    expect(md).toMatch(/- version: b\/a ≤ 0\.12 \(stretch\) at 50 ms: the first run took 2002 ms/)
    // The worst repetition counts: one chain of 9 is a miss, with the reason written out.
    expect(md).toMatch(
      /version: dependent round trips .* ≤ 8 \(floor 7\), at 50 ms: median 7, max 9 — \*\*MISS\*\*/
    )
    expect(md).toContain('### Reasons for the misses')
    expect(md).toContain('rep 3 has 9 links: GET /c0 → GET /c1')
    expect(md).toContain('1. +0 ms kube GET /c0 → 200 (5 ms)')
    // Peak RSS 100 MiB passes; post 100 ms and 200 ms to the first request miss.
    expect(md).toContain(
      'version: peak RSS of main ≤ 120 MiB (stretch; worst median): 100 MiB — **PASS**'
    )
    expect(md).toContain('version: post ≤ 80 ms (stretch; worst median): 100 ms — **MISS**')
    expect(md).toContain(
      'version: start (spawn) to first request ≤ 150 ms (stretch; worst median): 200 ms — **MISS**'
    )
    // No settings-only runs: no such rows, targets or note.
    expect(md).not.toContain('settings-only:')
    expect(md).not.toContain('The settings-only first run sends')
  })

  it('reports the settings-only scenario beside the version one, with its requests compared', () => {
    const settings = [1, 2].flatMap((rep) => [
      { ...run('sb', 50, rep, 1_000 + rep, 5), requests: 6 },
      { ...run('sc', 50, rep, 800 + rep, 4), requests: 5 }
    ])
    const md = renderReport(data(settings))
    expect(md).toContain('settings-only: sb/a ≤ 0.2 at 50 ms: 0.099 — **PASS**')
    expect(md).toContain('settings-only: sc/a ≤ 0.08 (stretch) at 50 ms: 0.079 — **PASS**')
    expect(md).toContain('| requests per run, a / sb / sc | 34 / 6 / 5 |')
    expect(md).toContain('| longest dependent chain, a / sb / sc | 31 / 5 / 4 |')
    expect(md).toContain('settings-only scenario runs in the first 2 of the 3 repetitions')
    expect(md).toContain(
      "The settings-only first run sends 6 requests instead of the version path's 10 (rerun 5 instead of 9)"
    )
    expect(md).toContain('## Critical path of a settings-only first run')
  })

  it('names the objects the settings-only first run skips or adds', () => {
    const withLog = (r: ReturnType<typeof run>, log: TimedRequest[]) => ({ ...r, log })
    const signIn = req('/', 0, 5, { service: 'aws', operation: 'sts:AssumeRoleWithWebIdentity' })
    const version = [
      signIn,
      req('/raw/aws/v1.11.2/aws-k8s-cni.yaml', 0, 5, { service: 'mirror' }),
      req('/apis/rbac.authorization.k8s.io/v1/clusterroles/aws-node', 6, 9),
      req('/apis/rbac.authorization.k8s.io/v1/clusterroles/aws-node', 10, 12, { method: 'PATCH' }),
      req('/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node', 6, 9)
    ]
    const settings = [
      signIn,
      req('/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node', 6, 9),
      req('/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node?fieldManager=x', 10, 12, {
        method: 'PATCH'
      }),
      req(
        '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/eniconfigs.crd.k8s.amazonaws.com',
        6,
        8
      )
    ]
    const md = renderReport({
      ...data(),
      runs: [
        run('a', 50, 1, 10_000, 31),
        withLog(run('b', 50, 1, 2_000, 7), version),
        withLog(run('c', 50, 1, 1_500, 6), version),
        withLog(run('sb', 50, 1, 1_000, 5), settings),
        withLog(run('sc', 50, 1, 900, 4), settings)
      ]
    })
    expect(md).toContain(
      'of what the version path sends, it skips mirror /raw/aws/v1.11.2/aws-k8s-cni.yaml (GET); ' +
        'clusterroles/aws-node (GET, PATCH); it adds ' +
        'customresourcedefinitions/eniconfigs.crd.k8s.amazonaws.com (GET).'
    )
  })
})
