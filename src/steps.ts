/**
 * The steps run() strings together, each a thin layer over the module that does the work. This
 * module imports the AWS SDK and client-node, so main loads it with import() only after the inputs
 * are valid: parsing those libraries is most of the cold start, and a typo should fail fast.
 */
import * as core from '@actions/core'
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import type { AwsCredentials } from './aws/client-config.js'
import type { AwsClients } from './aws/clients.js'
import { createStsClient } from './aws/sts-client.js'
import { assumeRoleWithOidc, defaultCredentials } from './aws/credentials.js'
import { describeInstanceTypes } from './aws/instance-types.js'
import type { ClusterInfo } from './aws/cluster.js'
import { EksTokenSource, mintEksToken } from './aws/eks-token.js'
import { resolveSecurityGroups, resolveSubnets } from './aws/network.js'
import { readClusterRolePolicies } from './aws/cluster-role.js'
import { readPodSubnetUsage } from './aws/pod-subnets.js'
import { loadManifest, resolveManifestSource } from './cni/manifest.js'
import type { WriteMode } from './cni/partial.js'
import { LATEST_KNOWN_CNI_VERSION } from './cni/versions.js'
import { errorMessage } from './errors.js'
import type { ActionInputs } from './inputs.js'
import { type KubeClient, type KubernetesObject, createKubeClient } from './kube/client.js'
import {
  buildKubeConfig,
  renderKubeConfig,
  rewriteKubeconfigFile,
  writeKubeconfigFile
} from './kube/kubeconfig.js'
import { type LiveState, STANDARD_REFS, readLiveState } from './kube/live.js'
import { ENI_CONFIG_CRD_NAME } from './steps-writes.js'

export { createAwsClients } from './aws/clients.js'
export { anyChange } from './kube/apply.js'
export * from './steps-apply.js'
export * from './steps-addon.js'
export * from './steps-addon-report.js'
export { prepareWrites } from './steps-writes.js'
export { decideWriteMode } from './cni/partial.js'
export { buildReport, checkOwnership, checkSettings, dryRunPlan } from './features.js'

/** Credentials in memory (masked), and a way to name the caller when the cluster refuses us. */
export interface Identity {
  credentials: AwsCredentials
  callerArn: (sts: AwsClients['sts']) => Promise<string | undefined>
}

/**
 * Who the credentials we hold belong to (STS GetCallerIdentity, retried), for an authorization
 * error; `known` (the assumed role) when STS cannot say.
 */
function callerArnOf(known?: string) {
  return async (sts: AwsClients['sts']): Promise<string | undefined> => {
    try {
      // The client's own retries cover throttling and transient failures.
      const identity = await sts.send(new GetCallerIdentityCommand({}))
      return identity.Arn ?? known
    } catch {
      return known
    }
  }
}

/** OIDC → STS when a role is given, else the SDK's default chain. */
export async function getCredentials(inputs: ActionInputs): Promise<Identity> {
  if (inputs.roleToAssume) {
    const { assumedRoleArn, ...credentials } = await assumeRoleWithOidc({
      sts: createStsClient(inputs.region),
      getIDToken: (audience) => core.getIDToken(audience),
      roleArn: inputs.roleToAssume,
      sessionName: inputs.roleSessionName,
      durationSeconds: inputs.roleDurationSeconds,
      audience: inputs.audience
    })
    core.info(`Assumed ${assumedRoleArn}`)
    return { credentials, callerArn: callerArnOf(assumedRoleArn) }
  }
  const credentials = await defaultCredentials(inputs.region)
  core.info('Using the AWS SDK default credential chain')
  // Only asked when the cluster refuses us, to name the principal in the error.
  return { credentials, callerArn: callerArnOf() }
}

/** EKS tokens minted in-process, masked the moment they exist, re-minted before they expire. */
export function createTokenSource(
  credentials: AwsCredentials,
  inputs: ActionInputs
): EksTokenSource {
  return new EksTokenSource(async () => {
    const token = await mintEksToken({
      credentials,
      region: inputs.region,
      clusterName: inputs.clusterName
    })
    core.setSecret(token.token)
    return token
  })
}

/** Writes the 0600 kubeconfig (CA and static token) into `dir`. */
export async function writeKubeconfig(
  dir: string,
  cluster: ClusterInfo,
  tokens: EksTokenSource
): Promise<string> {
  const path = await writeKubeconfigFile(
    dir,
    renderKubeConfig(buildKubeConfig(cluster, await tokens.get()))
  )
  core.info(`Wrote ${path} (mode 0600)`)
  return path
}

/** Rewrites the kubeconfig with a token minted now, so later steps get its whole lifetime. */
export async function refreshKubeconfig(
  path: string,
  cluster: ClusterInfo,
  tokens: EksTokenSource
): Promise<void> {
  tokens.invalidate()
  await rewriteKubeconfigFile(path, renderKubeConfig(buildKubeConfig(cluster, await tokens.get())))
}

/** The Kubernetes API client for the cluster; retries stop at `deadline`. */
export function connect(p: {
  cluster: ClusterInfo
  tokens: EksTokenSource
  inputs: ActionInputs
  identity: Identity
  sts: AwsClients['sts']
  deadline: number
}): KubeClient {
  return createKubeClient({
    cluster: p.cluster,
    tokens: p.tokens,
    region: p.inputs.region,
    callerArn: () => p.identity.callerArn(p.sts),
    deadline: p.deadline,
    onRetry: (message) => core.info(message)
  })
}

/**
 * Subnets and, when given, security groups, checked against the cluster's VPC, the instance
 * types for max-pods, and the node-group readiness reads (the pod subnets' network interfaces and
 * CIDR reservations; the cluster role's policies unless ENABLE_POD_ENI is set false): one
 * parallel batch of EC2 (and IAM) calls.
 */
export async function resolveNetwork(
  ec2: AwsClients['ec2'],
  inputs: ActionInputs,
  cluster: ClusterInfo,
  iam?: AwsClients['iam']
) {
  const podEniOff = inputs.settings.env.ENABLE_POD_ENI === 'false'
  const [zones, securityGroups, instanceTypes, podSubnetUsage, clusterRole] = await Promise.all([
    resolveSubnets(ec2, [...inputs.subnets], cluster.vpcId),
    inputs.securityGroups
      ? resolveSecurityGroups(ec2, [...inputs.securityGroups], cluster.vpcId)
      : [cluster.clusterSecurityGroupId],
    describeInstanceTypes(ec2, inputs.instanceTypes),
    readPodSubnetUsage(ec2, unique(inputs.subnets.map((s) => s.subnetId))),
    iam && !podEniOff ? readClusterRolePolicies(iam, cluster.roleArn) : undefined
  ])
  return { zones, securityGroups, instanceTypes, podSubnetUsage, clusterRole }
}

function unique(values: string[]): string[] {
  return [...new Set(values)]
}

/** Logs what resolveNetwork found (when its group is open, not when it finished). */
export function logNetwork<T extends Awaited<ReturnType<typeof resolveNetwork>>>(network: T): T {
  for (const z of network.zones) core.info(`${z.zone} (${z.zoneId}): ${z.subnetId} ${z.cidr}`)
  core.info(`Security groups: ${network.securityGroups.join(', ')}`)
  for (const t of network.instanceTypes) {
    core.info(
      `${t.instanceType}: ${t.vcpus} vCPUs, ${t.maxEnis} ENIs of ${t.ipv4PerEni} IPv4, ${t.hypervisor || 'bare metal'}`
    )
  }
  return network
}

/**
 * The cluster before the change: aws-node, ENIConfigs and nodes, and the objects the run may write:
 * the standard CNI objects for a version change, only the ENIConfig CRD for a settings-only run.
 */
export function readClusterState(kube: KubeClient, mode: WriteMode): Promise<LiveState> {
  const refs =
    mode === 'version'
      ? STANDARD_REFS
      : STANDARD_REFS.filter(
          (r) => r.kind === 'CustomResourceDefinition' && r.name === ENI_CONFIG_CRD_NAME
        )
  return readLiveState(kube, refs, (error) =>
    // The first line is enough: an access error's full explanation comes with the run's error.
    core.warning(
      `Could not list the cluster's nodes (${errorMessage(error).split('\n')[0]}): ` +
        'nodes-to-recycle and the per-zone check are skipped.'
    )
  )
}

/** Logs what readClusterState found. */
export function logClusterState(live: LiveState): LiveState {
  core.info(
    live.awsNode
      ? `aws-node runs VPC CNI ${live.runningCniVersion ?? '(version unknown)'}`
      : 'aws-node is not installed'
  )
  core.info(`${live.eniConfigs.length} ENIConfig(s) exist`)
  if (live.nodes) core.info(`${live.nodes.length} node(s)`)
  return live
}

/** Starts loading the manifest at once when its version does not depend on the cluster. */
export function startManifest(inputs: ActionInputs): Promise<KubernetesObject[]> | undefined {
  if (!inputs.manifest && !inputs.cniVersion) return undefined
  return loadCniManifest(inputs, inputs.cniVersion ?? LATEST_KNOWN_CNI_VERSION)
}

function loadCniManifest(inputs: ActionInputs, cniVersion: string): Promise<KubernetesObject[]> {
  const m = inputs.manifest
  const source = resolveManifestSource({
    manifest: m ? ('url' in m ? m.url : m.path) : undefined,
    manifestSha256: inputs.manifestSha256,
    cniVersion,
    baseUrl: inputs.manifestBaseUrl,
    region: inputs.region
  })
  return loadManifest(source)
}

/**
 * Loads the manifest of a version: the early download when the inputs named it, else a download
 * started when a step first asks (a settings-only run asks only when the ENIConfig CRD is missing).
 */
export function manifestLoader(
  inputs: ActionInputs,
  early: Promise<KubernetesObject[]> | undefined
): (version: string) => Promise<KubernetesObject[]> {
  return (version) => early ?? loadCniManifest(inputs, version)
}
