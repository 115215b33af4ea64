/**
 * The work that needs nothing but the inputs, started before main imports the pipeline: sign-in
 * (GitHub OIDC → STS, or the SDK's default chain) and, when the inputs name the CNI version or a
 * manifest, its download. This module is part of the entry bundle and needs nothing beyond it, so
 * the first requests leave as soon as the inputs are valid: the OIDC token request (through
 * @actions/core) and the manifest download (through undici, which @actions/core loads anyway).
 * The STS client and the YAML parser come in their own chunks while those are in flight, and the
 * pipeline's chunk after them.
 */
import * as core from '@actions/core'
import {
  type ManifestDownload,
  downloadManifest,
  resolveManifestSource
} from './cni/manifest-source.js'
import { LATEST_KNOWN_CNI_VERSION } from './cni/versions.js'
import type { ActionInputs } from './inputs.js'
import type { KubernetesObject } from './kube/client.js'
import type { Identity } from './sign-in.js'

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
  // Asked for before the STS client is loaded; sign-in uses it for its first attempt.
  const idToken =
    inputs.roleToAssume && process.env.ACTIONS_ID_TOKEN_REQUEST_URL
      ? background(core.getIDToken(inputs.audience))
      : undefined
  const identity = background(import('./sign-in.js').then((m) => m.signIn(inputs, idToken)))
  const early =
    inputs.manifest || inputs.cniVersion
      ? background(load(inputs, inputs.cniVersion ?? LATEST_KNOWN_CNI_VERSION))
      : undefined
  // A settings-only run asks for a manifest only when the ENIConfig CRD is missing.
  return { identity, manifest: (version) => early ?? load(inputs, version) }
}

/** Keeps a promise that is awaited later from counting as an unhandled rejection meanwhile. */
function background<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined)
  return promise
}

/** Downloads the manifest of `cniVersion` (or the input's), and parses it once it is here. */
async function load(inputs: ActionInputs, cniVersion: string): Promise<KubernetesObject[]> {
  const [downloaded, { parseManifestDownload }] = await Promise.all([
    download(inputs, cniVersion),
    import('./cni/manifest.js')
  ])
  return parseManifestDownload(downloaded)
}

function download(inputs: ActionInputs, cniVersion: string): Promise<ManifestDownload> {
  const m = inputs.manifest
  const source = resolveManifestSource({
    manifest: m ? ('url' in m ? m.url : m.path) : undefined,
    manifestSha256: inputs.manifestSha256,
    cniVersion,
    baseUrl: inputs.manifestBaseUrl,
    region: inputs.region
  })
  return downloadManifest(source)
}
