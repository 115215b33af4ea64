/**
 * The work that needs nothing but the inputs, started before main imports the pipeline: sign-in
 * (GitHub OIDC → STS, or the SDK's default chain) and, when the inputs name the CNI version or a
 * manifest, its download. Both run while the pipeline's modules load, so parsing those overlaps
 * the network. This module imports only what those two requests need, never the pipeline.
 */
import * as core from '@actions/core'
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import { type AwsClients, type AwsCredentials, createStsClient } from './aws/clients.js'
import { assumeRoleWithOidc, defaultCredentials } from './aws/credentials.js'
import { loadManifest, resolveManifestSource } from './cni/manifest.js'
import { LATEST_KNOWN_CNI_VERSION } from './cni/versions.js'
import type { ActionInputs } from './inputs.js'
import type { KubernetesObject } from './kube/client.js'

/** Credentials in memory (masked), and a way to name the caller when the cluster refuses us. */
export interface Identity {
  credentials: AwsCredentials
  /** The role assumed through OIDC; undefined for the SDK's default chain. */
  assumedRoleArn?: string
  callerArn: (sts: AwsClients['sts']) => Promise<string | undefined>
}

/** The objects of a VPC CNI version's manifest: the early download, or one started on first ask. */
export type ManifestLoader = (version: string) => Promise<KubernetesObject[]>

/** The requests begin() started, for the pipeline to await in its own log groups. */
export interface EarlyWork {
  identity: Promise<Identity>
  manifest: ManifestLoader
}

/**
 * Starts sign-in and, when its version does not depend on the cluster, the manifest download.
 * A rejection waits for the pipeline's await: it never counts as an unhandled rejection meanwhile.
 */
export function begin(inputs: ActionInputs): EarlyWork {
  const identity = background(getCredentials(inputs))
  const early =
    inputs.manifest || inputs.cniVersion
      ? background(loadCniManifest(inputs, inputs.cniVersion ?? LATEST_KNOWN_CNI_VERSION))
      : undefined
  // A settings-only run asks for a manifest only when the ENIConfig CRD is missing.
  return { identity, manifest: (version) => early ?? loadCniManifest(inputs, version) }
}

/** Keeps a promise that is awaited later from counting as an unhandled rejection meanwhile. */
function background<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined)
  return promise
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
    return { credentials, assumedRoleArn, callerArn: callerArnOf(assumedRoleArn) }
  }
  const credentials = await defaultCredentials(inputs.region)
  // Only asked when the cluster refuses us, to name the principal in the error.
  return { credentials, callerArn: callerArnOf() }
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
