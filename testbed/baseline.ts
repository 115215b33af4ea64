/**
 * Prepares and runs bench/baseline-origin.sh (the origin document's script) against a running
 * test bed. The role is assumed here, outside the script and so outside its timing, with an OIDC
 * token from the test bed: in the origin, "AWS Authentication (Assume role)" is a pipeline step
 * before the script, which only sees the resulting AWS_* credentials.
 */
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { delimiter, dirname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import yaml from 'js-yaml'
import { run, type KubectlResult, type Testbed } from './index.js'
import { findKubectl, fixturesDir } from './mirror.js'
import { ORIGIN_INIT_ENV, ORIGIN_NODE_ENV } from './origin.js'

/** The script, relative to this file. */
export const BASELINE_SCRIPT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'bench',
  'baseline-origin.sh'
)

export { ORIGIN_INIT_ENV, ORIGIN_NODE_ENV }

interface Container {
  name: string
  env?: { name: string; value?: string }[]
}
interface Doc {
  kind?: string
  metadata?: { name?: string }
  spec?: { template?: { spec?: { containers?: Container[]; initContainers?: Container[] } } }
}

function setEnv(container: Container | undefined, values: Record<string, string>): void {
  if (!container) throw new Error('container to edit not found in the manifest')
  const env = (container.env ??= [])
  for (const [name, value] of Object.entries(values)) {
    const existing = env.find((e) => e.name === name)
    if (existing) existing.value = value
    else env.push({ name, value })
  }
}

/** Applies the origin's env edits to a VPC CNI manifest (multi-document YAML) and returns it. */
export function originEditedManifest(manifest: string): string {
  const docs = yaml.loadAll(manifest) as (Doc | null)[]
  const ds = docs.find((d) => d?.kind === 'DaemonSet' && d.metadata?.name === 'aws-node')
  const pod = ds?.spec?.template?.spec
  if (!pod) throw new Error('no aws-node DaemonSet in the manifest')
  setEnv(
    pod.containers?.find((c) => c.name === 'aws-node'),
    ORIGIN_NODE_ENV
  )
  setEnv(
    pod.initContainers?.find((c) => c.name === 'aws-vpc-cni-init'),
    ORIGIN_INIT_ENV
  )
  return docs
    .filter((d) => d !== null)
    .map((d) => yaml.dump(d, { lineWidth: -1, noRefs: true }))
    .join('---\n')
}

let awsDir: string | null | undefined

/**
 * The directory of the real `aws` program when the one on PATH is a pyenv shim. Every shim call
 * runs bash and `pyenv exec` first (about 1.4 s under load here), and kubectl runs `aws eks
 * get-token` for each command, so the shim would dominate the baseline. Null when not a shim.
 */
export function awsCliDir(): string | null {
  if (awsDir !== undefined) return awsDir
  awsDir = null
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .map((d) => join(d, 'aws'))
    .find((p) => existsSync(p))
  if (onPath?.includes(`${sep}shims${sep}`)) {
    const r = spawnSync('pyenv', ['which', 'aws'], { encoding: 'utf8' })
    if (r.status === 0 && r.stdout.trim()) awsDir = dirname(r.stdout.trim())
  }
  return awsDir
}

/** PATH with the real aws CLI first (see {@link awsCliDir}). */
export function pathWithAwsCli(path = process.env.PATH ?? '/usr/bin:/bin'): string {
  const dir = awsCliDir()
  return dir ? `${dir}${delimiter}${path}` : path
}

export interface BaselineOptions {
  /** VPC CNI version of the manifest to edit; default v1.11.2, the version the origin pins. */
  cniVersion?: string
  /**
   * kubectl binary for the script (KUBECTL). Default: the installed `kubectl.1.<cluster minor>`
   * when kubectl on PATH is the gcloud dispatcher, which runs every command twice over (its own
   * /version probe, with another `aws eks get-token`) and would make the baseline look slower
   * than a plain kubectl; otherwise `kubectl` on PATH.
   */
  kubectl?: string
}

export interface PreparedBaseline {
  /** Complete environment for the script (no inherited variables beyond PATH). */
  env: Record<string, string>
  /** The edited manifest. */
  manifest: string
  /** TMPDIR of the script, where its mktemp kubeconfig lives while it runs. */
  tmpDir: string
  script: string
}

/** Assumes the role via OIDC and writes the edited manifest; returns what the script needs. */
export async function prepareBaseline(
  tb: Testbed,
  options: BaselineOptions = {}
): Promise<PreparedBaseline> {
  const root = mkdtempSync(join(tb.dir, 'baseline-'))
  const tmpDir = join(root, 'tmp')
  const home = join(root, 'home')
  mkdirSync(tmpDir)
  mkdirSync(home)
  const version = options.cniVersion ?? 'v1.11.2'
  const manifest = join(root, 'aws-k8s-cni.yaml')
  const source = readFileSync(join(fixturesDir(), `aws-k8s-cni-${version}.yaml`), 'utf8')
  writeFileSync(manifest, originEditedManifest(source))

  const res = await fetch(`${tb.env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=sts.amazonaws.com`, {
    headers: { authorization: `Bearer ${tb.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` }
  })
  if (!res.ok) throw new Error(`OIDC token request failed: ${res.status}`)
  const { value } = (await res.json()) as { value: string }
  const sts = new STSClient({ region: tb.region, endpoint: tb.endpoints.aws })
  const { Credentials: c } = await sts.send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: tb.roleArn,
      RoleSessionName: 'baseline-origin',
      WebIdentityToken: value
    })
  )
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
    throw new Error('AssumeRoleWithWebIdentity returned no credentials')
  }
  const env: Record<string, string> = {
    PATH: pathWithAwsCli(),
    HOME: home,
    TMPDIR: tmpDir,
    KUBECACHEDIR: join(home, 'kube-cache'),
    CLUSTER_NAME: tb.clusterName,
    SUBNETS: tb.podSubnets.map((s) => s.id).join(','),
    CLUSTER_SG: tb.clusterSecurityGroupId,
    MANIFEST: manifest,
    AWS_REGION: tb.region,
    AWS_DEFAULT_REGION: tb.region,
    AWS_ACCESS_KEY_ID: c.AccessKeyId,
    AWS_SECRET_ACCESS_KEY: c.SecretAccessKey,
    AWS_SESSION_TOKEN: c.SessionToken,
    // Only EKS goes to the test bed: `aws eks get-token` must presign for the real STS host,
    // which AWS_ENDPOINT_URL would replace with the proxy's (and EKS would reject).
    AWS_ENDPOINT_URL_EKS: tb.endpoints.aws,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true'
  }
  const kubectl = options.kubectl ?? findKubectl(Number(tb.kubernetesVersion.split('.')[1]))
  if (kubectl) env.KUBECTL = kubectl
  return { env, manifest, tmpDir, script: BASELINE_SCRIPT }
}

/** Runs the prepared script once; `ms` is its wall time. */
export async function runBaseline(
  prepared: PreparedBaseline,
  timeoutMs = 120_000
): Promise<KubectlResult & { ms: number }> {
  const t0 = performance.now()
  const result = await run('bash', [prepared.script], { env: prepared.env, timeoutMs })
  return { ...result, ms: Math.round(performance.now() - t0) }
}
