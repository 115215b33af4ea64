/**
 * How the run reaches the cluster: EKS tokens minted in-process, the 0600 kubeconfig that holds
 * one, and the Kubernetes API client that sends them.
 */
import * as core from '@actions/core'
import type { AwsCredentials } from './aws/client-config.js'
import type { AwsClients } from './aws/clients.js'
import type { ClusterInfo } from './aws/cluster.js'
import { EksTokenSource, mintEksToken } from './aws/eks-token.js'
import type { ActionInputs } from './inputs.js'
import { type KubeClient, createKubeClient } from './kube/client.js'
import {
  buildKubeConfig,
  renderKubeConfig,
  rewriteKubeconfigFile,
  writeKubeconfigFile
} from './kube/kubeconfig.js'
import type { Identity } from './sign-in.js'

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
