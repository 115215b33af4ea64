/**
 * `npm run testbed -- [options]`: starts a test bed, prints one JSON line describing it, and stays
 * up until SIGINT or SIGTERM, then stops every process it started and removes its files.
 */
import { appendFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import {
  CLUSTER_KIND_HELP,
  CLUSTER_KIND_OPTIONS,
  clusterKindOptions
} from './cluster-kind-flags.js'
import { NODEGROUP_CLI_OPTIONS, NODEGROUP_HELP, parseNodegroupFlags } from './nodegroup-cli.js'
import { parseFaultSpec } from './fault-spec.js'
import type { FaultRule, RequestLog } from './faults.js'
import { startTestbed, type Testbed, type TestbedOptions } from './index.js'

const HELP = `Usage: npm run testbed -- [options]

Starts moto (AWS), a Kubernetes API emulator, a GitHub OIDC token endpoint and a kubectl/manifest
mirror on 127.0.0.1, prints one JSON line (endpoints, cluster, subnets, role ARN, admin kubeconfig,
env for an action run) and runs until SIGINT/SIGTERM.

Options:
  --region <r>            AWS region (default ap-northeast-2)
  --cluster <name>        EKS cluster name (default demo)
  --k8s-version <1.N>     Kubernetes version of the cluster (default 1.31)
  --nodes <n>             number of nodes (default 3)
  --cni-version <vX.Y.Z>  VPC CNI preinstalled as EKS does it, or "none" (default v1.19.6)
  --latency-ms <ms>       latency added to every request (default 0)
  --token-ttl <s>         EKS token lifetime in seconds (default 900)
  --crd-delay-ms <ms>     delay before a new CRD becomes Established (default 0)
  --rollout <mode>        DaemonSet rollout: instant | staged | stuck (default instant)
  --rollout-step-ms <ms>  time per node in staged mode (implies --rollout staged if none given)
  --repo <owner/repo>     GitHub repository in the OIDC claims and the role's trust (default octo-org/octo-repo)
  --fault <spec>          inject a fault (repeatable; rules are tried in order, the first match answers):
                            [SERVICE:][METHOD ]TARGET=EFFECT[,key=value...]
                          SERVICE  kube | aws | oidc | mirror; guessed from TARGET when left out
                                   (AWS operation: aws, /_apis/: oidc, /dl/ or /raw/: mirror, else kube)
                          TARGET   path glob (* within a segment, ... or ** across segments),
                                   ~REGEX on the path, or an AWS operation (sts:AssumeRoleWithWebIdentity)
                          EFFECT   HTTP status, reset or delay; then xN for N requests or x* for all
                                   (default x1)
                          options  retry-after=S, delay-ms=MS, message=TEXT, reason=CODE, body=TEXT,
                                   name=LABEL (values without commas)
                          e.g.  --fault 'PATCH /apis/.../eniconfigs/*=500x*'
                                --fault 'aws:sts:AssumeRoleWithWebIdentity=503x2'
                                --fault 'GET /apis/apps/v1/namespaces/kube-system/daemonsets/aws-node=429x3,retry-after=1'
                                --fault 'mirror:GET /dl/.../kubectl=reset'
  --request-log <file>    write every request the test bed answers to <file>, one JSON object a line
                          (service, method, path, query, operation, status, fault, start, end; never
                          a header value)
${NODEGROUP_HELP}  -h, --help              show this help
${CLUSTER_KIND_HELP}`

interface CliOptions {
  testbed: TestbedOptions
  faults: FaultRule[]
  requestLog?: string
}

/** Parses the command line into test bed options; throws on invalid values. */
function parseCli(argv: string[]): CliOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      region: { type: 'string' },
      cluster: { type: 'string' },
      'k8s-version': { type: 'string' },
      nodes: { type: 'string' },
      'cni-version': { type: 'string' },
      'latency-ms': { type: 'string' },
      'token-ttl': { type: 'string' },
      'crd-delay-ms': { type: 'string' },
      rollout: { type: 'string' },
      'rollout-step-ms': { type: 'string' },
      repo: { type: 'string' },
      fault: { type: 'string', multiple: true },
      'request-log': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...CLUSTER_KIND_OPTIONS,
      ...NODEGROUP_CLI_OPTIONS
    }
  })
  if (values.help) return 'help'
  const int = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined
    if (!/^\d+$/.test(v)) throw new Error(`--${name} must be a non-negative integer, got "${v}"`)
    return Number(v)
  }
  const rollout = values.rollout
  if (rollout !== undefined && !['instant', 'staged', 'stuck'].includes(rollout)) {
    throw new Error(`--rollout must be instant, staged or stuck, got "${rollout}"`)
  }
  const k8s = values['k8s-version']
  if (k8s !== undefined && !/^1\.\d+$/.test(k8s)) {
    throw new Error(`--k8s-version must look like 1.31, got "${k8s}"`)
  }
  const cni = values['cni-version']
  if (cni !== undefined && cni !== 'none' && !/^v\d+\.\d+\.\d+$/.test(cni)) {
    throw new Error(`--cni-version must look like v1.19.6 or be "none", got "${cni}"`)
  }
  if (values.repo !== undefined && !/^[\w.-]+\/[\w.-]+$/.test(values.repo)) {
    throw new Error(`--repo must be OWNER/REPO, got "${values.repo}"`)
  }
  const stepMs = int('rollout-step-ms', values['rollout-step-ms'])
  const faults = (values.fault ?? []).map(parseFaultSpec)
  if (values['request-log'] === '') throw new Error('--request-log needs a file name')
  const testbed: TestbedOptions = {
    region: values.region,
    clusterName: values.cluster,
    kubernetesVersion: k8s,
    nodes: int('nodes', values.nodes),
    cniVersion: cni === 'none' ? null : cni,
    latencyMs: int('latency-ms', values['latency-ms']),
    tokenTtlSeconds: int('token-ttl', values['token-ttl']),
    crdEstablishDelayMs: int('crd-delay-ms', values['crd-delay-ms']),
    rollout:
      rollout || stepMs !== undefined
        ? { mode: (rollout ?? 'staged') as 'instant' | 'staged' | 'stuck', stepMs }
        : undefined,
    githubRepo: values.repo,
    ...clusterKindOptions(values),
    ...parseNodegroupFlags(values)
  }
  return { testbed, faults, requestLog: values['request-log'] }
}

/**
 * Appends finished requests to `file` as JSON lines, in the order they finished, checking every
 * 200 ms; `flush()` writes the rest (an unfinished request with end 0).
 */
function requestLogWriter(log: RequestLog, file: string): { flush(): void } {
  writeFileSync(file, '')
  let written = log.lastSeq
  const pending = new Map<number, RequestLog['entries'][number]>()
  const write = (all: boolean): void => {
    for (const e of log.since(written)) pending.set(e.seq, e)
    written = log.lastSeq
    const lines: string[] = []
    for (const [seq, e] of pending) {
      if (e.end === 0 && !all) continue
      lines.push(JSON.stringify(e))
      pending.delete(seq)
    }
    if (lines.length) appendFileSync(file, `${lines.join('\n')}\n`)
  }
  setInterval(() => write(false), 200).unref()
  return { flush: () => write(true) }
}

async function main(): Promise<number> {
  let options: CliOptions | 'help'
  try {
    options = parseCli(process.argv.slice(2))
  } catch (err) {
    console.error(`testbed: ${(err as Error).message}\n\n${HELP}`)
    return 2
  }
  if (options === 'help') {
    process.stdout.write(HELP)
    return 0
  }
  // A signal that arrives while starting is honoured once the test bed is up, so a half-started
  // test bed never leaks moto or its temp dir.
  const state: {
    tb?: Testbed
    signalled: boolean
    stopping: boolean
    requestLog?: { flush(): void }
  } = {
    signalled: false,
    stopping: false
  }
  const stopNow = (): void => {
    if (!state.tb || state.stopping) return
    state.stopping = true
    state.tb.stop().then(
      () => {
        state.requestLog?.flush()
        process.exit(0)
      },
      (err: unknown) => {
        console.error(`testbed: stop failed: ${String(err)}`)
        process.exit(1)
      }
    )
  }
  const onSignal = (): void => {
    state.signalled = true
    stopNow()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('SIGHUP', onSignal)
  // `npm run testbed` execs this process, so npm forwards SIGINT and SIGTERM straight to it. If the
  // parent dies without forwarding (SIGKILL, a wrapper shell), stop rather than run orphaned.
  const parent = process.ppid
  setInterval(() => {
    if (process.ppid !== parent) onSignal()
  }, 500).unref()
  const tb = await startTestbed(options.testbed)
  state.tb = tb
  if (state.signalled) {
    stopNow()
    return -1
  }
  if (options.requestLog) state.requestLog = requestLogWriter(tb.log, options.requestLog)
  if (options.faults.length) tb.faults.add(...options.faults)
  const line = {
    endpoints: tb.endpoints,
    clusterName: tb.clusterName,
    region: tb.region,
    kubernetesVersion: tb.kubernetesVersion,
    accountId: tb.accountId,
    vpcId: tb.vpcId,
    subnets: { node: tb.nodeSubnets.map((s) => s.id), pod: tb.podSubnets.map((s) => s.id) },
    nodeSubnets: tb.nodeSubnets,
    podSubnets: tb.podSubnets,
    securityGroupId: tb.clusterSecurityGroupId,
    roleArn: tb.roleArn,
    clusterRoleArn: tb.clusterRoleArn,
    adminKubeconfig: tb.adminKubeconfig,
    dir: tb.dir,
    env: tb.env
  }
  process.stdout.write(`${JSON.stringify(line)}\n`)
  for (const f of options.faults) console.error(`testbed: fault ${f.name}`)
  const kubectls = await tb.mirror.served()
  console.error(
    kubectls.length
      ? `testbed: the kubectl mirror serves ${kubectls.map((b) => `${b.version} (${b.path})`).join(', ')}`
      : 'testbed: the kubectl mirror serves no kubectl: none found beside kubectl on PATH'
  )
  // Keep the event loop alive until a signal arrives (the servers may be unref'd).
  setInterval(() => undefined, 1 << 30)
  return -1
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code)
  },
  (err: unknown) => {
    // startTestbed already closed what it had started; moto's own message says what is missing.
    console.error(`testbed: ${err instanceof Error ? err.message : String(err)}`)
    process.exit(1)
  }
)
