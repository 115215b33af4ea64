/**
 * The fault battery: the table of cases, and the harness every case runs through.
 *
 * Each case runs the built action (dist/) on a test bed through the runner harness with one fault
 * injected, then checks, besides its own expectation, what every case must hold:
 * - the post step succeeds, and RUNNER_TEMP holds no eks-cni-* folder, no kubeconfig and no file
 *   with a credential in it (nor does the runner's work folder or HOME); the log holds no secret;
 * - no partial ENIConfig set is reported as success: exit 0 means all three ENIConfigs exist with
 *   the right subnets and security group and the outputs list exactly them; exit ≠ 0 means no
 *   `eni-configs` and no `changed` output;
 * - a failure names its cause, and the run ends on its own: every retry it logs stays within that
 *   loop's declared attempt budget. (How long the waits and retries take is asserted with an
 *   injected clock in the unit tests of retry(), the AWS clients and the waits, not here, where it
 *   would depend on the machine's load.)
 *
 * docs/fault-battery.md is rendered from this table plus the outcome each case observed. A case
 * compares its observed outcome with its row and fails when the doc is stale; with
 * UPDATE_FAULT_DOC=1 it rewrites its row instead. doc.test.ts checks the rest of the document
 * (rows, order, static columns) against this table, and that every case has exactly one test.
 */
import { expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as yaml from 'js-yaml'
import type { FaultRule, RequestLogEntry } from '../../testbed/faults.js'
import type { Testbed } from '../../testbed/index.js'
import { runAction, type RunActionResult } from '../../testbed/runner.js'
import { errors, expectNoSecretsInLog, filesIn, originInputs } from '../integration/helpers.js'

export type Source =
  'Kubernetes API' | 'AWS' | 'OIDC endpoint' | 'kubectl mirror' | 'cluster' | 'rollout' | 'token'

export interface FaultCase {
  id: string
  source: Source
  /** What is injected, in words (the doc's "fault" column). */
  fault: string
  /** What must happen, in words (the doc's "expected" column). */
  expected: string
  outcome: 'success' | 'failure'
  /** For failures: the ::error:: must match this (it names the cause). */
  cause?: RegExp
}

const SUCCESS = 'succeeds; 3 ENIConfigs with the right subnets'

/** The battery. Ids are stable: the doc and the tests refer to them. */
export const CASES: readonly FaultCase[] = [
  {
    id: 'K01',
    source: 'Kubernetes API',
    fault:
      'discovery (`/api`, `/apis…`, `/openapi…`, `/version`): 429 with Retry-After, 500 and 503, without end',
    expected: `${SUCCESS}; no discovery request is needed`,
    outcome: 'success'
  },
  {
    id: 'K02',
    source: 'Kubernetes API',
    fault: 'apply (PATCH): 2× 429 with Retry-After: 1',
    expected: `${SUCCESS}; Retry-After honoured`,
    outcome: 'success'
  },
  {
    id: 'K03',
    source: 'Kubernetes API',
    fault: 'apply (PATCH): 2× 500 without Retry-After',
    expected: `${SUCCESS}; the idempotent server-side apply is retried`,
    outcome: 'success'
  },
  {
    id: 'K04',
    source: 'Kubernetes API',
    fault: 'apply (PATCH): 3× 503 without Retry-After',
    expected: SUCCESS,
    outcome: 'success'
  },
  {
    id: 'K05',
    source: 'Kubernetes API',
    fault: 'apply (PATCH): 2× connection reset',
    expected: SUCCESS,
    outcome: 'success'
  },
  {
    id: 'K06',
    source: 'Kubernetes API',
    fault: 'apply of DaemonSet aws-node: 1× 409 Conflict (object modified)',
    expected: `${SUCCESS}; the apply is sent again`,
    outcome: 'success'
  },
  {
    id: 'K07',
    source: 'Kubernetes API',
    fault: 'CRD read: 2× 503, then 1× 429 with Retry-After: 1',
    expected: SUCCESS,
    outcome: 'success'
  },
  {
    id: 'K08',
    source: 'Kubernetes API',
    fault: 'rollout read (GET aws-node after the apply): 2× 500 without Retry-After',
    expected: `${SUCCESS}; the rollout is awaited to the end`,
    outcome: 'success'
  },
  {
    id: 'K09',
    source: 'Kubernetes API',
    fault: 'rollout read: 1× 429 with Retry-After: 1, then 1× connection reset',
    expected: `${SUCCESS}; the rollout is awaited to the end`,
    outcome: 'success'
  },
  {
    id: 'K10',
    source: 'Kubernetes API',
    fault: 'apply of ENIConfig ap-northeast-2b: 500 without end; timeout-seconds 5',
    expected:
      'fails at the deadline naming ENIConfig/ap-northeast-2b and HTTP 500; the other two ENIConfigs are not reported',
    outcome: 'failure',
    cause: /apply ENIConfig\/ap-northeast-2b failed: HTTP 500/
  },
  {
    id: 'K11',
    source: 'Kubernetes API',
    fault: 'rollout read: 503 with Retry-After: 1 without end; timeout-seconds 5',
    expected: 'fails at the deadline naming the read of DaemonSet aws-node and HTTP 503',
    outcome: 'failure',
    cause: /read DaemonSet\/kube-system\/aws-node failed: HTTP 503/
  },
  {
    id: 'K12',
    source: 'Kubernetes API',
    fault: 'apply of aws-node held without an answer; timeout-seconds 5',
    expected:
      'fails at the deadline naming the apply of DaemonSet aws-node; the held apply is aborted and never lands',
    outcome: 'failure',
    cause: /apply DaemonSet\/kube-system\/aws-node failed: .*still no answer at the deadline/
  },
  {
    id: 'A01',
    source: 'AWS',
    fault: 'STS AssumeRoleWithWebIdentity: 2× Throttling (HTTP 400)',
    expected: SUCCESS,
    outcome: 'success'
  },
  {
    id: 'A02',
    source: 'AWS',
    fault: 'STS AssumeRoleWithWebIdentity: 1× 500 InternalFailure, then 1× 503 ServiceUnavailable',
    expected: SUCCESS,
    outcome: 'success'
  },
  {
    id: 'A03',
    source: 'AWS',
    fault: 'STS AssumeRoleWithWebIdentity: 503 without end',
    expected:
      'fails once its retries run out, naming the role and the STS error; nothing is written to the cluster',
    outcome: 'failure',
    cause: /Could not assume role 'arn:aws:iam::\d+:role\/[^']+'.*(ServiceUnavailable|503)/
  },
  {
    id: 'A04',
    source: 'AWS',
    fault: 'EKS DescribeCluster: 2× 500',
    expected: SUCCESS,
    outcome: 'success'
  },
  {
    id: 'A05',
    source: 'AWS',
    fault: 'EKS DescribeCluster: 503 without end',
    expected:
      'fails once its retries run out, naming the cluster and the EKS error; nothing is written to the cluster',
    outcome: 'failure',
    cause:
      /(DescribeCluster|cluster '?demo'?).*(ServiceUnavailable|503)|(ServiceUnavailable|503).*(DescribeCluster|cluster '?demo)/i
  },
  {
    id: 'A06',
    source: 'AWS',
    fault: 'EC2 DescribeSubnets: 2× 503',
    expected: SUCCESS,
    outcome: 'success'
  },
  {
    id: 'A07',
    source: 'AWS',
    fault: 'EC2 DescribeSubnets: 500 without end',
    expected:
      'fails once its retries run out, naming the subnets and the EC2 error; nothing is written to the cluster',
    outcome: 'failure',
    cause:
      /(DescribeSubnets|subnet).*(InternalError|InternalFailure|500)|(InternalError|InternalFailure|500).*(DescribeSubnets|subnet)/i
  },
  {
    id: 'O01',
    source: 'OIDC endpoint',
    fault: 'token request: 2× 503',
    expected: SUCCESS,
    outcome: 'success'
  },
  {
    id: 'O02',
    source: 'OIDC endpoint',
    fault: 'token request: 1× 500',
    expected: `${SUCCESS}; the ID token is requested again (each retry on a 5xx asks for a fresh ID token)`,
    outcome: 'success'
  },
  {
    id: 'O03',
    source: 'OIDC endpoint',
    fault: 'token request: 500 without end',
    expected:
      'fails once its retries run out, naming the GitHub OIDC token; nothing is written to the cluster',
    outcome: 'failure',
    cause: /OIDC token/
  },
  {
    id: 'M01',
    source: 'kubectl mirror',
    fault: '`stable-1.31.txt`: 2× 503 (empty tool cache)',
    expected: `${SUCCESS}; the cached kubectl matches the published sha256`,
    outcome: 'success'
  },
  {
    id: 'M02',
    source: 'kubectl mirror',
    fault: '`kubectl.sha256`: 2× 500 (empty tool cache)',
    expected: `${SUCCESS}; the cached kubectl matches the published sha256`,
    outcome: 'success'
  },
  {
    id: 'M03',
    source: 'kubectl mirror',
    fault: 'kubectl binary: 1× 503 (empty tool cache)',
    expected: `${SUCCESS}; the cached kubectl matches the published sha256`,
    outcome: 'success'
  },
  {
    id: 'M04',
    source: 'kubectl mirror',
    fault: 'kubectl binary: 404 (empty tool cache)',
    expected: 'fails saying kubectl was not found at the URL; nothing is cached',
    outcome: 'failure',
    cause: /kubectl v\d+\.\d+\.\d+ for linux\/\w+ not found at http/
  },
  {
    id: 'M05',
    source: 'kubectl mirror',
    fault:
      'kubectl binary: body replaced, so its sha256 does not match `.sha256` (empty tool cache)',
    expected: 'fails naming both sha256 digests; nothing is cached',
    outcome: 'failure',
    cause: /kubectl v\d+\.\d+\.\d+ from \S+ has sha256 [0-9a-f]{64}, but \S+ publishes [0-9a-f]{64}/
  },
  {
    id: 'C01',
    source: 'cluster',
    fault: 'fresh cluster (no VPC CNI): the ENIConfig CRD is Established only after 10 s',
    expected: `${SUCCESS}; ENIConfigs are applied only once the CRD is Established`,
    outcome: 'success'
  },
  {
    id: 'R01',
    source: 'rollout',
    fault: 'aws-node rollout stuck after one node; timeout-seconds 5',
    expected:
      'fails once the wait has read aws-node at its deadline, with the pod counts and the nodes ' +
      'not yet updated',
    outcome: 'failure',
    cause:
      /did not roll out within timeout-seconds \(5 s\).*after waiting \d+\.\d s\. Nodes not yet updated: \S/
  },
  {
    id: 'T01',
    source: 'token',
    fault: 'EKS token TTL 2 s, staged rollout of about 4 s',
    expected: `${SUCCESS}; the token is re-minted after it expired`,
    outcome: 'success'
  }
]

export function caseById(id: string): FaultCase {
  const c = CASES.find((x) => x.id === id)
  if (!c) throw new Error(`no fault case ${id} in __tests__/faults/cases.ts`)
  return c
}

// ---------------------------------------------------------------------------------------------
// The harness
// ---------------------------------------------------------------------------------------------

const ENICONFIG_API = 'crd.k8s.amazonaws.com/v1alpha1'
const ENICONFIG_CRD = 'eniconfigs.crd.k8s.amazonaws.com'

/** Discovery and OpenAPI paths, which an action that knows its kinds never needs. */
export const DISCOVERY_PATH = /^\/(api(\/[^/]+)?|apis(\/[^/]+){0,2}|openapi(\/.*)?|version)\/?$/

export interface CaseOptions {
  /** Input overrides on top of the origin scenario. */
  inputs?: Record<string, string>
  /** Rules added before main starts; named after the case so their hits can be counted. */
  faults?: FaultRule[]
  /** Rules added once a request matching `after` has been seen (e.g. the aws-node apply). */
  arm?: { after: (e: RequestLogEntry) => boolean; rules: FaultRule[] }
  /** A tool cache for this run (default: the test bed's, shared by the cases of one bed). */
  toolCache?: string
}

export interface CaseRun {
  case: FaultCase
  run: RunActionResult
  /** RUNNER_TEMP of this run (fresh per case). */
  temp: string
  toolCache: string
  /** Requests the test bed saw during the run. */
  requests: RequestLogEntry[]
  /** Requests answered (or delayed) by this case's injected rules. */
  hits: RequestLogEntry[]
  /** ::error:: text. */
  error: string
  /** Whether the case injected rules (then the observed column counts their answers). */
  injected: boolean
}

/** A value that differs per case, so each run changes aws-node and really rolls it out. */
function warmIpTarget(id: string): string {
  return String(2 + (CASES.findIndex((c) => c.id === id) % 50))
}

/** Sends one request to the test bed's API server as its admin (no kubectl start-up cost). */
function adminRequest(bed: Testbed, method: string, path: string): Promise<number> {
  const config = yaml.load(readFileSync(bed.adminKubeconfig, 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[]
    users: { user: { token: string } }[]
  }
  const { server, 'certificate-authority-data': ca } = config.clusters[0].cluster
  return new Promise((done, fail) => {
    const req = httpsRequest(
      new URL(path, server),
      {
        method,
        ca: Buffer.from(ca, 'base64'),
        headers: { authorization: `Bearer ${config.users[0].user.token}` }
      },
      (res) => {
        res.resume()
        res.on('end', () => done(res.statusCode ?? 0))
      }
    )
    req.on('error', fail)
    req.end()
  })
}

/** Deletes the ENIConfigs, so a run that reports success must have applied all three itself. */
async function resetEniConfigs(bed: Testbed): Promise<void> {
  if (!bed.kube.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', ENICONFIG_CRD)) return
  const names = bed.kube.list(ENICONFIG_API, 'ENIConfig').map((e) => e.metadata.name)
  const codes = await Promise.all(
    names.map((n) => adminRequest(bed, 'DELETE', `/apis/${ENICONFIG_API}/eniconfigs/${n}`))
  )
  if (codes.some((c) => c !== 200 && c !== 404)) throw new Error(`deleting ENIConfigs: ${codes}`)
  if (bed.kube.list(ENICONFIG_API, 'ENIConfig').length > 0) throw new Error('ENIConfigs remain')
}

/** Runs the action once on `bed` with the case's faults; every rule is removed afterwards. */
export async function runCase(
  bed: Testbed,
  c: FaultCase,
  options: CaseOptions = {}
): Promise<CaseRun> {
  bed.faults.clear()
  await resetEniConfigs(bed)
  const temp = mkdtempSync(join(tmpdir(), `fault-${c.id}-temp-`))
  const toolCache = options.toolCache ?? bed.env.RUNNER_TOOL_CACHE
  const name = (rule: FaultRule, i: number): FaultRule => ({ ...rule, name: `${c.id}#${i}` })
  const seq = bed.log.lastSeq
  bed.faults.add(...(options.faults ?? []).map(name))
  let armer: NodeJS.Timeout | undefined
  if (options.arm) {
    const { after, rules } = options.arm
    const offset = options.faults?.length ?? 0
    armer = setInterval(() => {
      if (bed.log.since(seq).some(after)) {
        clearInterval(armer)
        armer = undefined
        bed.faults.add(...rules.map((r, i) => name(r, offset + i)))
      }
    }, 2)
  }
  let run: RunActionResult
  try {
    run = await runAction({
      env: { ...bed.env, RUNNER_TEMP: temp, RUNNER_TOOL_CACHE: toolCache },
      inputs: originInputs(bed, { 'warm-ip-target': warmIpTarget(c.id), ...options.inputs }),
      timeoutMs: 120_000
    })
  } catch (error) {
    rmSync(temp, { recursive: true, force: true })
    throw error
  } finally {
    if (armer) clearInterval(armer)
    bed.faults.clear()
  }
  const requests = bed.log.since(seq)
  return {
    case: c,
    run,
    temp,
    toolCache,
    requests,
    hits: requests.filter((e) => e.fault?.startsWith(`${c.id}#`)),
    error: errors(run),
    injected: (options.faults?.length ?? 0) + (options.arm?.rules.length ?? 0) > 0
  }
}

/** Removes what runCase created. */
export function cleanupCase(r: CaseRun | undefined): void {
  if (!r) return
  r.run.cleanup()
  rmSync(r.temp, { recursive: true, force: true })
}

/** Kube requests of a run that change the cluster. */
export function writesOf(r: CaseRun): RequestLogEntry[] {
  return r.requests.filter((e) => e.service === 'kube' && e.method !== 'GET')
}

/** Whether the run ended as the case expects (exit code, and the cause for failures). */
export function asExpected(r: CaseRun): boolean {
  const exit = r.run.main.exitCode
  if (r.case.outcome === 'success') return exit === 0
  return exit !== 0 && exit !== null && (r.case.cause?.test(r.error) ?? false)
}

/**
 * The doc's "observed" column: the verdict, then what happened, in words that do not change from
 * one run to the next (no ports, IDs, paths or timings).
 */
export function observed(r: CaseRun, facts: string[] = []): string {
  const verdict = asExpected(r) ? 'as expected' : 'NOT as expected'
  const exit = r.run.main.exitCode
  if (exit === 0) {
    const eni = JSON.parse(r.run.outputs['eni-configs'] ?? '[]') as unknown[]
    return [
      `${verdict}: exit 0, ${eni.length} ENIConfigs reported`,
      ...(r.injected ? [`${r.hits.length} request(s) answered by the fault`] : []),
      ...facts
    ].join('; ')
  }
  const first = (r.error || `no ::error::, stderr: ${r.run.main.stderr.trim()}`).split('\n')[0]
  return [
    `${verdict}: exit ${exit ?? r.run.main.signal}, error "${normalize(first)}"`,
    ...facts
  ].join('; ')
}

/** Makes an error line stable across runs and safe in a markdown table cell. */
export function normalize(line: string): string {
  const text = line
    .replace(/https?:\/\/127\.0\.0\.1:\d+(\/[^\s,'"]*)?\/([^/\s,'"]+)/g, '[testbed]/…/$2')
    .replace(/https?:\/\/127\.0\.0\.1:\d+/g, '[testbed]')
    .replace(/\/tmp\/[^\s'"),]+/g, '[tmp]')
    .replace(/\b[0-9a-f]{64}\b/g, '[sha256]')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '[uuid]')
    .replace(/\b(subnet|sg|vpc)-[0-9a-f]{8,17}\b/g, '$1-…')
    .replace(/\b\d+ ms\b/g, 'N ms')
    .replace(/\b\d+\.\d s\b/g, 'N s')
    .replace(/\bgeneration \d+ of \d+/g, 'generation G of G')
    // A kubectl download that fails before the writes stops the run with its own error; one that
    // fails after them says first that the cluster is done. Which comes first depends on timing,
    // so the row keeps only the kubectl error.
    .replace(/^The cluster is done: .*? kubectl is not: /, '')
  const cut = text.length > 260 ? `${text.slice(0, 257)}...` : text
  return cut.replace(/\|/g, '\\|').replace(/`/g, "'")
}

/** Every file under `dir` (recursively, absolute); [] when it does not exist. */
function walk(dir: string): string[] {
  return filesIn(dir)
    .map((f) => join(dir, f))
    .filter((f) => {
      try {
        return statSync(f).isFile()
      } catch {
        return false
      }
    })
}

/** Files under `dirs` whose content holds one of `secrets` (big files such as kubectl skipped). */
function filesWithSecrets(dirs: string[], secrets: string[]): string[] {
  const found: string[] = []
  for (const file of dirs.flatMap(walk)) {
    if (statSync(file).size > 4 * 1024 * 1024) continue
    const text = readFileSync(file, 'latin1')
    if (secrets.some((s) => text.includes(s))) found.push(file)
  }
  return found
}

/**
 * What every case must hold (see the module comment), then the case's own outcome: success, or
 * failure naming the cause, each retry loop within its attempt budget.
 */
export function expectCaseInvariants(bed: Testbed, r: CaseRun): void {
  const { run } = r
  // A failure names its cause in an ::error::, never only as a crash on stderr.
  if (run.main.exitCode !== 0 && r.error === '') {
    throw new Error(
      `${r.case.id}: main exited ${run.main.exitCode ?? run.main.signal} without an ::error::; ` +
        `stderr: ${run.main.stderr.slice(-600)}; post stderr: ${run.post?.stderr.slice(-300)}`
    )
  }
  // The post step ran and cleaned up: no kubeconfig folder, nothing with a credential in it.
  expect(run.post?.exitCode).toBe(0)
  const leftInTemp = filesIn(r.temp).filter((f) => /(^|\/)eks-cni-/.test(f) || /kubeconfig/.test(f))
  expect(leftInTemp).toEqual([])
  const dir = run.state['kubeconfig-dir']
  if (dir) expect(existsSync(dir)).toBe(false)
  expect(existsSync(join(run.workDir, 'home', '.kube'))).toBe(false)
  const secrets = [...run.masks.filter((m) => m.length >= 8), 'k8s-aws-v1.']
  expect(filesWithSecrets([r.temp, run.workDir], secrets)).toEqual([])
  expectNoSecretsInLog(run)

  // No partial ENIConfig set reported as success.
  if (run.main.exitCode === 0) {
    const want = Object.fromEntries(bed.podSubnets.map((s) => [s.zone, s.id]))
    const live = bed.kube.list(ENICONFIG_API, 'ENIConfig') as unknown as {
      metadata: { name: string }
      spec: { subnet: string; securityGroups: string[] }
    }[]
    expect(Object.fromEntries(live.map((e) => [e.metadata.name, e.spec.subnet]))).toEqual(want)
    for (const e of live) expect(e.spec.securityGroups).toEqual([bed.clusterSecurityGroupId])
    const reported = JSON.parse(run.outputs['eni-configs'] ?? '[]') as {
      name: string
      subnet: string
    }[]
    expect(Object.fromEntries(reported.map((e) => [e.name, e.subnet]))).toEqual(want)
    expect(run.outputs.changed).toMatch(/^(true|false)$/)
  } else if (writesOf(r).some((e) => !/(^|&)dryRun=/.test(e.query))) {
    // A run that fails after its first write reports what it knows and says a rerun completes it.
    expect(run.outputs.changed).toMatch(/^(true|false)$/)
    const reported = JSON.parse(run.outputs['eni-configs'] ?? 'null') as { name: string }[]
    expect(reported.map((e) => e.name).sort()).toEqual(bed.podSubnets.map((s) => s.zone).sort())
    expect(JSON.parse(run.outputs['nodes-to-recycle'] ?? 'null')).toEqual(expect.any(Array))
    expect(r.error).toMatch(/rerun/i)
  } else {
    expect(run.outputs['eni-configs']).toBeUndefined()
    expect(run.outputs.changed).toBeUndefined()
  }

  // The case's own outcome; the run ended on its own, each retry loop within its attempt budget.
  if (r.case.outcome === 'success') {
    expect({ exit: run.main.exitCode, error: r.error }).toEqual({ exit: 0, error: '' })
  } else {
    expect(run.main.exitCode).toBe(1)
    expect(r.error).toMatch(r.case.cause as RegExp)
  }
  for (const [, attempt, budget] of run.log.matchAll(/Retry .*?: attempt (\d+) of (\d+)/g)) {
    expect(Number(attempt)).toBeLessThanOrEqual(Number(budget))
  }
}

/** sha256 of a file. */
export function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}

/** The kubectl binaries in a tool cache (paths relative to it). */
export function cachedKubectls(toolCache: string): string[] {
  return walk(toolCache)
    .filter((f) => /\/kubectl$/.test(f))
    .map((f) => f.slice(toolCache.length + 1))
}

// ---------------------------------------------------------------------------------------------
// docs/fault-battery.md
// ---------------------------------------------------------------------------------------------

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const DOC_PATH = join(REPO, 'docs', 'fault-battery.md')
export const UPDATE_DOC = process.env.UPDATE_FAULT_DOC === '1'

const DOC_HEAD = `# Fault battery

The action, built (\`dist/\`) and run as the GitHub runner runs it, against the test bed
with one fault injected per case. Every case also checks that the post step leaves no kubeconfig
and no file holding a credential in RUNNER_TEMP, that the log holds no secret, and that no partial
ENIConfig set is reported as success (exit 0 means all three ENIConfigs exist with the right
subnets; a failure sets neither \`eni-configs\` nor \`changed\`).

The tests keep this file current: the case, source, fault and expected columns come from
\`__tests__/faults/cases.ts\`, and each case compares its observed outcome with its row and fails
when the row is stale. To rewrite the rows after a change:

\`\`\`sh
npm run package
UPDATE_FAULT_DOC=1 node --experimental-vm-modules node_modules/jest/bin/jest.js __tests__/faults
\`\`\`

"as expected" / "NOT as expected" compares the exit code and the error with the expected column;
the rest of the observed column says what the run did (requests answered by the injected fault,
the first line of the error with ports, IDs and digests blanked).
`

const TABLE_HEAD = '| case | source | fault | expected | observed |\n|---|---|---|---|---|'

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

/** The whole document for the given observed outcomes (missing ones render as "not run"). */
export function renderDoc(observedById: Record<string, string>): string {
  const rows = CASES.map(
    (c) =>
      `| ${c.id} | ${c.source} | ${cell(c.fault)} | ${cell(c.expected)} | ${observedById[c.id] || 'not run'} |`
  )
  return `${DOC_HEAD}\n${TABLE_HEAD}\n${rows.join('\n')}\n`
}

/** The observed column of each row of a document, by case id. */
export function parseObserved(doc: string): Record<string, string> {
  const result: Record<string, string> = {}
  for (const line of doc.split('\n')) {
    const m = /^\| ([A-Z]\d\d) \|/.exec(line)
    if (!m) continue
    const cells = line.split(/(?<!\\)\|/).slice(1, -1)
    result[m[1]] = (cells[4] ?? '').trim()
  }
  return result
}

export function readDoc(): string {
  return existsSync(DOC_PATH) ? readFileSync(DOC_PATH, 'utf8') : ''
}

/** Serialises read-modify-write of the doc across jest workers. */
export function withDocLock<T>(fn: () => T): T {
  const lock = join(tmpdir(), 'fault-battery-doc.lock')
  const started = Date.now()
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 30_000) rmSync(lock, { recursive: true })
      } catch {
        // Released meanwhile.
      }
      if (Date.now() - started > 60_000) throw new Error(`cannot take ${lock}`)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20)
    }
  }
  try {
    return fn()
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

/**
 * Compares the case's observed outcome with its row in docs/fault-battery.md (fails when stale),
 * or, with UPDATE_FAULT_DOC=1, writes it there.
 */
export function expectDocRow(id: string, text: string): void {
  if (UPDATE_DOC) {
    withDocLock(() => {
      const current = parseObserved(readDoc())
      mkdirSync(dirname(DOC_PATH), { recursive: true })
      writeFileSync(DOC_PATH, renderDoc({ ...current, [id]: text }))
    })
    return
  }
  const row = parseObserved(readDoc())[id]
  expect({
    case: id,
    observed: row,
    hint: 'docs/fault-battery.md is stale: rerun the battery with UPDATE_FAULT_DOC=1'
  }).toEqual({
    case: id,
    observed: text,
    hint: 'docs/fault-battery.md is stale: rerun the battery with UPDATE_FAULT_DOC=1'
  })
}

/**
 * One battery case as a jest test: run, record the observed outcome in the doc, then check the
 * invariants and the case's own expectations. `body` runs the case and returns its CaseRun and
 * the case-specific facts for the observed column; `check` asserts the case-specific part.
 */
export function caseIt(
  id: string,
  body: () => Promise<{ r: CaseRun; facts?: string[]; check?: () => void | Promise<void> }>,
  timeoutMs = 90_000,
  /** Run alongside the other concurrent cases of its describe block (each on its own test bed). */
  { concurrent = false }: { concurrent?: boolean } = {}
): void {
  const c = caseById(id)
  ;(concurrent ? it.concurrent : it)(
    `${id} ${c.source}: ${c.fault}`,
    async () => {
      const { r, facts, check } = await body()
      try {
        const text = observed(r, facts)
        if (UPDATE_DOC) expectDocRow(id, text)
        expectCaseInvariants(currentBed(r), r)
        await check?.()
        if (!UPDATE_DOC) expectDocRow(id, text)
      } finally {
        cleanupCase(r)
      }
    },
    timeoutMs
  )
}

const beds = new WeakMap<CaseRun, Testbed>()

/** runCase, remembering the bed for caseIt's invariant check. */
export async function runOn(bed: Testbed, id: string, options: CaseOptions = {}): Promise<CaseRun> {
  const r = await runCase(bed, caseById(id), options)
  beds.set(r, bed)
  return r
}

function currentBed(r: CaseRun): Testbed {
  const bed = beds.get(r)
  if (!bed) throw new Error(`case ${r.case.id} was not run through runOn()`)
  return bed
}
