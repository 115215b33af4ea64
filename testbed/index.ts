/**
 * The test bed as a library: one call starts moto (behind a fault-injecting proxy), a Kubernetes
 * API emulator that authenticates like EKS, a GitHub OIDC token endpoint and a download mirror, all
 * on 127.0.0.1, and hands back the endpoints, the seeded AWS resources and an `env` that points a
 * GitHub Action at them. `stop()` tears everything down and removes every file it wrote.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAccess } from './access.js'
import { startMoto, type Moto, type PodSubnetFill, type SubnetInfo } from './aws/moto.js'
import { FaultInjector, RequestLog } from './faults.js'
import { startKubeEmulator, type KubeEmulator } from './k8s/emulator.js'
import { fixturesDir, startMirror, type Mirror } from './mirror.js'
import { startOidc, type OidcServer } from './oidc.js'
import { clusterKindSetup } from './aws/addon-cluster-kind.js'
import type { AddonStore } from './aws/addons.js'
import { startAwsProxy, type AwsProxy } from './proxy.js'
import { generateTls } from './tls.js'

export interface TestbedOptions {
  /** Default `ap-northeast-2`. */
  region?: string
  /** Default `demo`. */
  clusterName?: string
  /** Default `'1.31'`. */
  kubernetesVersion?: string
  /** Default 3. */
  nodes?: number
  /** VPC CNI version installed as EKS installs it; default `'v1.19.6'`, `null` for none. */
  cniVersion?: string | null
  latencyMs?: number
  /** EKS token lifetime in seconds; default 900. */
  tokenTtlSeconds?: number
  crdEstablishDelayMs?: number
  rollout?: { mode: 'instant' | 'staged' | 'stuck'; stepMs?: number }
  /** Default `'octo-org/octo-repo'`. */
  githubRepo?: string

  // ---- Cluster kinds: the EKS managed add-on, Auto Mode, IPv6, cluster status ----
  /**
   * How the preinstalled VPC CNI is owned (default `'self-managed'`): `'addon'` creates the
   * vpc-cni managed add-on (`<cniVersion>-eksbuild.1`) through the add-on manager, so its fields
   * are owned by `eks` and DescribeAddon finds it.
   */
  cniMode?: 'self-managed' | 'addon'
  /** configurationValues the preinstalled add-on is created with (cniMode `'addon'`). */
  addonConfigurationValues?: string
  /** EKS Auto Mode: DescribeCluster reports computeConfig.enabled and there is no aws-node. */
  autoMode?: boolean
  /** Default `'ipv4'`; `'ipv6'` sets kubernetesNetworkConfig.ipFamily and aws-node's IPv6 env. */
  ipFamily?: 'ipv4' | 'ipv6'
  /** Default `'ACTIVE'`; `'CREATING'` turns ACTIVE `clusterActiveAfterMs` after start. */
  clusterStatus?: 'ACTIVE' | 'CREATING'
  /** Default 3000. */
  clusterActiveAfterMs?: number
  /** How long an add-on create, update or delete stays in progress; default 1000. */
  addonUpdateDelayMs?: number
  /**
   * AWS managed policies (by name) on the cluster IAM role; default AmazonEKSClusterPolicy and
   * AmazonEKSVPCResourceController, `[]` for none.
   */
  clusterRolePolicies?: string[]
  /** Pod subnets to fill with scattered addresses, leaving few free aligned /28 blocks. */
  podSubnetFill?: PodSubnetFill[]
}

export type { PodSubnetFill, SubnetInfo } from './aws/moto.js'

export interface KubectlResult {
  code: number
  stdout: string
  stderr: string
}

export interface Testbed {
  region: string
  clusterName: string
  kubernetesVersion: string
  accountId: string
  endpoints: {
    aws: string
    kube: string
    oidc: string
    kubectlMirror: string
    manifestMirror: string
  }
  vpcId: string
  nodeSubnets: SubnetInfo[]
  podSubnets: SubnetInfo[]
  clusterSecurityGroupId: string
  clusterArn: string
  roleArn: string
  otherVpc: { vpcId: string; subnetId: string; securityGroupId: string }
  /** The cluster IAM role DescribeCluster names. */
  clusterRoleArn: string
  /** Temp dir of this test bed (runner temp, tool cache, admin kubeconfig…), removed by stop(). */
  dir: string
  /** PEM of the API server's CA (what certificate-authority-data carries, base64-encoded). */
  caPem: string
  /** Path of a kubeconfig with a static admin token over TLS. */
  adminKubeconfig: string
  /** Environment that points a GitHub Action (or the aws CLI) at the test bed. */
  env: Record<string, string>
  kube: KubeEmulator
  moto: Moto
  /** The kubectl and manifest mirror (`served()` lists the kubectl versions it serves). */
  mirror: Mirror
  faults: FaultInjector
  log: RequestLog
  /** EKS access entries (IAM role ARNs); `rejections` tells why tokens got 401. */
  access: {
    allow(arn: string): void
    deny(arn: string): void
    list(): string[]
    rejections: string[]
  }
  oidc: { setClaims(overrides: Record<string, unknown>): void }
  /**
   * Runs real kubectl with the admin kubeconfig and a private KUBECACHEDIR. Extras beyond the
   * contract: `stdin` is piped in, `bin` picks a binary (e.g. `kubectl.1.27`).
   */
  kubectl(
    args: string[],
    opts?: { env?: Record<string, string>; timeoutMs?: number; stdin?: string; bin?: string }
  ): Promise<KubectlResult>
  /** Sets the latency every server adds to each request (kube, aws, oidc, mirror). */
  setLatency(ms: number): void
  /** Milliseconds from the start call to each phase's end (moto, zones, kube, seed, ready). */
  startupMs: Record<string, number>
  /** Stops every server and process and removes `dir`; safe to call more than once. */
  stop(): Promise<void>
  /** The EKS add-on API's state; `addons.changes` pauses, resumes and awaits changes in progress. */
  addons: AddonStore
}

/** The fixture a region's EKS would have installed (China and GovCloud have their own files). */
function preinstallFixture(version: string, region: string): string {
  const dir = fixturesDir()
  const variant = region.startsWith('cn-')
    ? 'aws-k8s-cni-cn'
    : region === 'us-gov-west-1'
      ? 'aws-k8s-cni-us-gov-west-1'
      : 'aws-k8s-cni'
  const preferred = join(dir, `${variant}-${version}.yaml`)
  if (existsSync(preferred)) return preferred
  const plain = join(dir, `aws-k8s-cni-${version}.yaml`)
  if (!existsSync(plain)) throw new Error(`No VPC CNI manifest for ${version} in ${dir}`)
  return plain
}

/**
 * Asks moto for the region's zones (the first three, or two where moto knows only two, as in
 * cn-north-1), so node labels agree with the subnets moto seeds.
 */
async function zonesOf(motoUrl: string, region: string): Promise<{ name: string; id: string }[]> {
  const res = await fetch(motoUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      // moto routes by the credential scope and never checks the signature.
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDTESTBED/20260101/${region}/ec2/aws4_request, SignedHeaders=host, Signature=0`
    },
    body: 'Action=DescribeAvailabilityZones&Version=2016-11-15'
  })
  const xml = await res.text()
  const zones = [...xml.matchAll(/<zoneName>([^<]+)<\/zoneName>[\s\S]*?<zoneId>([^<]+)<\/zoneId>/g)]
    .map((m) => ({ name: m[1], id: m[2] }))
    .filter((z) => /^[a-z]$/.test(z.name.slice(region.length)) && z.name.startsWith(region))
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, 3)
  if (zones.length < 2)
    throw new Error(`moto has fewer than 2 zones in ${region}: ${xml.slice(0, 200)}`)
  return zones
}

/** A kubeconfig with a static token, for kubectl and @kubernetes/client-node. */
export function staticKubeconfig(
  server: string,
  caPem: string,
  token: string,
  name: string
): string {
  const ca = Buffer.from(caPem).toString('base64')
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${ca}`,
    'contexts:',
    `- name: ${name}`,
    `  context: {cluster: ${name}, user: ${name}}`,
    `current-context: ${name}`,
    'preferences: {}',
    'users:',
    `- name: ${name}`,
    '  user:',
    `    token: ${token}`,
    ''
  ].join('\n')
}

/** Runs a command and collects its output; never rejects. */
export function run(
  bin: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; stdin?: string; cwd?: string } = {}
): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { env: opts.env, cwd: opts.cwd, stdio: 'pipe' })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000)
    child.on('error', (e) => {
      clearTimeout(timer)
      resolve({ code: 127, stdout, stderr: stderr + e.message })
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr })
    })
    child.stdin.on('error', () => undefined)
    child.stdin.end(opts.stdin ?? '')
  })
}

/** Starts a test bed; see the module comment. */
export async function startTestbed(options: TestbedOptions = {}): Promise<Testbed> {
  const region = options.region ?? 'ap-northeast-2'
  const clusterName = options.clusterName ?? 'demo'
  const kubernetesVersion = options.kubernetesVersion ?? '1.31'
  const githubRepo = options.githubRepo ?? 'octo-org/octo-repo'
  const cniVersion = options.cniVersion === undefined ? 'v1.19.6' : options.cniVersion
  const latencyMs = options.latencyMs ?? 0
  const ttlSeconds = options.tokenTtlSeconds ?? 900
  // ---- Cluster kinds ----
  const kinds = clusterKindSetup({
    ...options,
    region,
    clusterName,
    kubernetesVersion,
    cniVersion,
    manifestPath: (tag) => preinstallFixture(tag, region)
  })

  const t0 = Date.now()
  const startupMs: Record<string, number> = {}
  const mark = (phase: string): void => void (startupMs[phase] = Date.now() - t0)
  const dir = mkdtempSync(join(tmpdir(), 'testbed-'))
  const closers: (() => Promise<void>)[] = []
  const faults = new FaultInjector()
  const log = new RequestLog()
  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      // Close in reverse order of start; one failure must not leave the rest running.
      await Promise.allSettled(closers.reverse().map((c) => c()))
      rmSync(dir, { recursive: true, force: true })
    })())

  // Every start is tracked so a failure part-way waits for the others and closes them too.
  const pending: Promise<unknown>[] = []
  const starting = <T extends { close(): Promise<void> }>(p: Promise<T>): Promise<T> => {
    const tracked = p.then((x) => (closers.push(() => x.close()), x))
    pending.push(tracked.catch(() => undefined))
    return tracked
  }

  closers.push(async () => kinds.close())

  try {
    const preinstallManifest = kinds.selfManagedManifest(dir)
    const motoP = starting(startMoto({ warmRegion: region }))
    const proxyP = starting(
      motoP.then((m) =>
        startAwsProxy({
          target: m.url,
          faults,
          log,
          latencyMs,
          intercept: kinds.intercept,
          rewrite: kinds.rewrite
        })
      )
    )
    const oidcP = starting(startOidc({ repo: githubRepo, faults, log, latencyMs }))
    const mirrorP = starting(startMirror({ faults, log, latencyMs }))
    const tls = generateTls()
    const adminToken = randomBytes(32).toString('hex')
    const moto = await motoP
    mark('moto')
    const access = createAccess({
      adminToken,
      region,
      clusterName,
      ttlSeconds,
      identify: (u, c) => moto.identify(u, c)
    })
    const zones = await zonesOf(moto.url, region)
    mark('zones')
    const kube = await starting(
      startKubeEmulator({
        tls: { certPem: tls.certPem, keyPem: tls.keyPem },
        kubernetesVersion,
        nodes: options.nodes ?? 3,
        zones,
        region,
        preinstallManifest,
        crdEstablishDelayMs: options.crdEstablishDelayMs,
        rollout: options.rollout,
        authenticate: (token) => access.authenticate(token),
        faults,
        log,
        latencyMs
      })
    )
    mark('kube')
    const seeded = await moto.seed({
      region,
      clusterName,
      kubernetesVersion,
      endpoint: kube.url,
      caData: Buffer.from(tls.caPem).toString('base64'),
      githubRepo,
      ...(options.clusterRolePolicies ? { clusterRolePolicies: options.clusterRolePolicies } : {}),
      ...(options.podSubnetFill ? { podSubnetFill: options.podSubnetFill } : {}),
      zones: zones.map((z) => z.name.slice(region.length))
    })
    mark('seed')
    access.allow(seeded.roleArn)
    await kinds.afterSeed({
      accountId: seeded.accountId,
      kube: { url: kube.url, caPem: tls.caPem, token: adminToken },
      setClusterStatus: (status) => moto.setClusterStatus(region, clusterName, status)
    })
    mark('kind')
    const [proxy, oidc, mirror]: [AwsProxy, OidcServer, Mirror] = await Promise.all([
      proxyP,
      oidcP,
      mirrorP
    ])

    const adminKubeconfig = join(dir, 'admin.kubeconfig')
    writeFileSync(
      adminKubeconfig,
      staticKubeconfig(kube.url, tls.caPem, adminToken, `testbed-admin@${clusterName}`),
      { mode: 0o600 }
    )
    const sub = (name: string): string => {
      const p = join(dir, name)
      mkdirSync(p, { recursive: true })
      return p
    }
    const [owner] = githubRepo.split('/')
    const env: Record<string, string> = {
      AWS_ENDPOINT_URL: proxy.url,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_EC2_METADATA_DISABLED: 'true',
      // No developer profile or credentials file may leak into a run against the test bed.
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      ACTIONS_ID_TOKEN_REQUEST_URL: oidc.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.requestToken,
      RUNNER_TEMP: sub('runner-temp'),
      RUNNER_TOOL_CACHE: sub('tool-cache'),
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: process.arch === 'arm64' ? 'ARM64' : 'X64',
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: githubRepo,
      GITHUB_REPOSITORY_OWNER: owner,
      GITHUB_WORKSPACE: sub('workspace'),
      GITHUB_REF: 'refs/heads/main',
      GITHUB_SHA: 'd6cd1e2bd19e03a81132a23b2025920577f84e37',
      GITHUB_RUN_ID: '4242424242',
      GITHUB_ACTOR: 'octocat',
      GITHUB_WORKFLOW: 'deploy',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_SERVER_URL: 'https://github.com',
      TESTBED_KUBECTL_MIRROR: mirror.dlBase,
      TESTBED_MANIFEST_BASE_URL: mirror.rawBase,
      TESTBED_ROLE_ARN: seeded.roleArn,
      TESTBED_CLUSTER_NAME: clusterName
    }
    const kubeCache = sub('kube-cache')
    mark('ready')

    return {
      region,
      clusterName,
      kubernetesVersion,
      accountId: seeded.accountId,
      endpoints: {
        aws: proxy.url,
        kube: kube.url,
        oidc: oidc.requestUrl,
        kubectlMirror: mirror.dlBase,
        manifestMirror: mirror.rawBase
      },
      vpcId: seeded.vpcId,
      nodeSubnets: seeded.nodeSubnets,
      podSubnets: seeded.podSubnets,
      clusterSecurityGroupId: seeded.clusterSecurityGroupId,
      clusterArn: seeded.clusterArn,
      roleArn: seeded.roleArn,
      otherVpc: seeded.otherVpc,
      clusterRoleArn: seeded.clusterRoleArn,
      dir,
      caPem: tls.caPem,
      adminKubeconfig,
      env,
      kube,
      moto,
      mirror,
      faults,
      log,
      access,
      oidc: { setClaims: (o) => oidc.setClaims(o) },
      kubectl: (args, opts = {}) =>
        run(opts.bin ?? 'kubectl', ['--kubeconfig', adminKubeconfig, ...args], {
          env: { ...process.env, KUBECACHEDIR: kubeCache, ...opts.env },
          timeoutMs: opts.timeoutMs,
          stdin: opts.stdin
        }),
      setLatency: (ms) => {
        for (const server of [kube, proxy, oidc, mirror]) server.setLatency(ms)
      },
      startupMs,
      stop,
      addons: kinds.addons
    }
  } catch (err) {
    await Promise.all(pending)
    await stop()
    throw err
  }
}
