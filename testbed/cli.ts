/**
 * `npm run testbed -- [options]`: starts a test bed, prints one JSON line describing it, and stays
 * up until SIGINT or SIGTERM, then stops every process it started and removes its files.
 */
import { parseArgs } from 'node:util'
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
  -h, --help              show this help
`

/** Parses the command line into test bed options; throws on invalid values. */
function parseCli(argv: string[]): TestbedOptions | 'help' {
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
      help: { type: 'boolean', short: 'h' }
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
  return {
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
    githubRepo: values.repo
  }
}

async function main(): Promise<number> {
  let options: TestbedOptions | 'help'
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
  const state: { tb?: Testbed; signalled: boolean; stopping: boolean } = {
    signalled: false,
    stopping: false
  }
  const stopNow = (): void => {
    if (!state.tb || state.stopping) return
    state.stopping = true
    state.tb.stop().then(
      () => process.exit(0),
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
  const tb = await startTestbed(options)
  state.tb = tb
  if (state.signalled) {
    stopNow()
    return -1
  }
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
    adminKubeconfig: tb.adminKubeconfig,
    dir: tb.dir,
    env: tb.env
  }
  process.stdout.write(`${JSON.stringify(line)}\n`)
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
