/**
 * The test bed's fake AWS: moto (EKS, EC2, IAM, STS) in a Python child process, plus a control
 * API to seed clusters and to verify EKS tokens the way real STS would. See moto_launcher.py.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pathWithVenv } from '../python-tools.js'

/** What to create for one cluster; see {@link Moto.seed}. */
export interface SeedSpec {
  region: string
  clusterName: string
  /** Kubernetes minor version, e.g. '1.31'. */
  kubernetesVersion: string
  /** https URL that DescribeCluster reports (the fake API server). */
  endpoint: string
  /** base64 of the CA PEM, as in certificateAuthority.data. */
  caData: string
  /** Repository allowed by the role's trust policy (`repo:OWNER/REPO:*`); default 'octo-org/octo-repo'. */
  githubRepo?: string
  /** IAM role to create (or reuse, if an earlier seed made it); default 'eks-cni-deployer'. */
  roleName?: string
  /** StringLike patterns for the `sub` claim; replaces the default `repo:OWNER/REPO:*`. */
  oidcSubjects?: string[]
  /** Zone suffixes for the node and pod subnets; default ['a', 'b', 'c']. */
  zones?: string[]
  /** Node-group readiness: the cluster role's policies and pod-subnet fills; see NodeGroupSeed. */
  clusterRolePolicies?: string[]
  podSubnetFill?: PodSubnetFill[]
}

/**
 * Fills the pod subnet of one zone with network interfaces: `usedFraction` of its usable
 * addresses, one or more in every /28 block except `freeBlocks` of them (spread over the subnet).
 */
export interface PodSubnetFill {
  /** Zone suffix, e.g. 'a'; default 'a'. */
  zone?: string
  usedFraction: number
  freeBlocks: number
}

/** One seeded subnet. */
export interface SubnetInfo {
  id: string
  /** Zone name, e.g. 'ap-northeast-2a'. */
  zone: string
  /** Zone id, e.g. 'apne2-az1'. */
  zoneId: string
  cidr: string
}

/** Ids of everything {@link Moto.seed} created. */
export interface SeedResult {
  accountId: string
  vpcId: string
  /** In the VPC's primary CIDR 10.0.0.0/16; these are the cluster's subnetIds. */
  nodeSubnets: SubnetInfo[]
  /** In the secondary CIDR 100.64.0.0/16, one /19 per zone. */
  podSubnets: SubnetInfo[]
  clusterSecurityGroupId: string
  clusterArn: string
  /** Role that GitHub OIDC may assume (trust policy as GitHub documents it). */
  roleArn: string
  /** A second VPC with one subnet and one security group, for "not in the cluster VPC" tests. */
  otherVpc: { vpcId: string; subnetId: string; securityGroupId: string }
  /** The cluster IAM role DescribeCluster names (not the role GitHub assumes). */
  clusterRoleArn: string
  /** What each fill made. */
  podSubnetFills: { subnetId: string; usedIps: number; interfaces: number; freeBlocks: number }[]
}

/** Who signed an EKS token, or why STS would reject it. */
export type Identity =
  { ok: true; arn: string; account: string } | { ok: false; code: string; message: string }

/** A running moto. */
export interface Moto {
  /** Endpoint for AWS_ENDPOINT_URL / the SDK's `endpoint`, e.g. http://127.0.0.1:40123. */
  url: string
  port: number
  /** PID of the Python child, so tests can check it is gone after close(). */
  pid: number
  seed(spec: SeedSpec): Promise<SeedResult>
  setClusterStatus(region: string, clusterName: string, status: string): Promise<void>
  /** Checks the SigV4 signature of a presigned GetCallerIdentity URL for this cluster name. */
  identify(presignedUrl: string, clusterName: string): Promise<Identity>
  /** Stops the child and waits for it to exit. Idempotent. */
  close(): Promise<void>
}

const LAUNCHER = join(dirname(fileURLToPath(import.meta.url)), 'moto_launcher.py')
const READY_TIMEOUT_MS = 30_000

/** Options for {@link startMoto}. */
export interface StartMotoOptions {
  /** Region whose EC2 backend is built in the background right after start; default 'ap-northeast-2'. */
  warmRegion?: string
  /**
   * Python interpreter; default $TESTBED_PYTHON or 'python3' (the project venv's when there is
   * one, see testbed/python-tools.ts). Pointing it past a pyenv shim
   * (e.g. /root/.pyenv/versions/3.11.7/bin/python3) saves 0.1–0.4 s per start.
   */
  python?: string
}

function waitForReady(child: ChildProcess): Promise<{ port: number; control: number }> {
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    const fail = (message: string): void => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(message))
    }
    const timer = setTimeout(
      () => fail(`moto launcher not ready after ${READY_TIMEOUT_MS} ms: ${err}`),
      READY_TIMEOUT_MS
    )
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4096)))
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const nl = out.indexOf('\n')
      if (nl < 0) return
      clearTimeout(timer)
      try {
        resolve(JSON.parse(out.slice(0, nl)) as { port: number; control: number })
      } catch {
        fail(`moto launcher printed an unexpected line: ${out.slice(0, nl)}`)
      }
    })
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(
        new Error(
          e.code === 'ENOENT' ? `python3 not found (needed for moto): ${e.message}` : e.message
        )
      )
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(
        new Error(`moto launcher exited early (code ${code}, signal ${signal}): ${err.trim()}`)
      )
    })
  })
}

/** Spawns python3 testbed/aws/moto_launcher.py; rejects with a clear error if python3 or moto is missing. */
export async function startMoto(options: StartMotoOptions = {}): Promise<Moto> {
  const child = spawn(
    options.python ?? process.env.TESTBED_PYTHON ?? 'python3',
    [LAUNCHER, options.warmRegion ?? 'ap-northeast-2'],
    {
      // stdin stays an open pipe: when this process dies, the launcher sees EOF and exits.
      stdio: ['pipe', 'pipe', 'pipe'],
      // PATH finds the project's venv (testbed/python-tools.ts) when there is one.
      env: {
        ...process.env,
        PATH: pathWithVenv(),
        PYTHONDONTWRITEBYTECODE: '1',
        PYTHONUNBUFFERED: '1'
      }
    }
  )
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const { port, control } = await waitForReady(child)
  // Keep draining stderr so a chatty child never blocks; don't keep the event loop alive.
  child.stdout!.resume()
  ;(child.stdout as unknown as { unref?: () => void }).unref?.()
  ;(child.stderr as unknown as { unref?: () => void }).unref?.()
  ;(child.stdin as unknown as { unref?: () => void }).unref?.()
  child.unref()

  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await fetch(`http://127.0.0.1:${control}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body)
    })
    const json = (await res.json()) as T & { error?: string; message?: string }
    if (!res.ok) throw new Error(`moto control ${path} failed: ${json.error}: ${json.message}`)
    return json
  }

  let closing: Promise<void> | undefined
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    seed: (spec) => post<SeedResult>('/seed', spec),
    setClusterStatus: async (region, clusterName, status) => {
      await post('/cluster-status', { region, clusterName, status })
    },
    identify: async (presignedUrl, clusterName) => {
      const r = await post<{ arn?: string; account?: string; error?: string; message?: string }>(
        '/identify',
        { url: presignedUrl, clusterName }
      )
      return r.error
        ? { ok: false, code: r.error, message: r.message ?? '' }
        : { ok: true, arn: r.arn ?? '', account: r.account ?? '' }
    },
    close: () => {
      closing ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
        await exited
        clearTimeout(timer)
        child.stdin?.destroy()
      })()
      return closing
    }
  }
}
