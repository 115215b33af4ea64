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
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import type { ClientRequest } from 'node:http'
import {
  type ManifestDownload,
  downloadManifest,
  resolveManifestSource
} from './cni/manifest-source.js'
import { LATEST_KNOWN_CNI_VERSION } from './cni/versions.js'
import { fetchText } from './download.js'
import type { ActionInputs } from './inputs.js'
import type { KubernetesObject } from './kube/client.js'
import type { Identity } from './sign-in.js'
import { background } from './errors.js'

/** The objects of a VPC CNI version's manifest: the early download, or one started on first ask. */
export type ManifestLoader = (version: string) => Promise<KubernetesObject[]>

/** The requests begin() started, for the pipeline to await in its own log groups. */
export interface EarlyWork {
  identity: Promise<Identity>
  /**
   * Settles once the OIDC token request has been written out (or has failed, or none was made):
   * until then nothing heavy should load, since compiling a chunk holds the event loop, and with
   * it the request's TLS handshake.
   */
  tokenRequestSent: Promise<void>
  manifest: ManifestLoader
}

/**
 * Starts sign-in and, when its version does not depend on the cluster, the manifest download.
 * A rejection waits for the pipeline's await: it never counts as an unhandled rejection meanwhile.
 */
export function begin(inputs: ActionInputs): EarlyWork {
  // Asked for before the STS client is loaded; sign-in uses it for its first attempt.
  const tokenUrl = inputs.roleToAssume ? process.env.ACTIONS_ID_TOKEN_REQUEST_URL : undefined
  const watch = tokenUrl ? watchRequest(new URL(tokenUrl).hostname) : undefined
  const idToken = tokenUrl ? background(core.getIDToken(inputs.audience)) : undefined
  idToken?.finally(() => watch?.stop()).catch(() => undefined)
  const tokenRequestSent = watch?.sent ?? Promise.resolve()
  const identity = background(
    tokenRequestSent.then(() => import('./sign-in.js')).then((m) => m.signIn(inputs, idToken))
  )
  // A manifest download stops timeout-seconds after the run began, wherever the run is by then.
  const deadline = Date.now() + inputs.timeoutSeconds * 1000
  // mode: addon never applies a manifest (cni-version then picks the add-on's version).
  const early =
    inputs.mode !== 'addon' && (inputs.manifest || inputs.cniVersion)
      ? background(load(inputs, inputs.cniVersion ?? LATEST_KNOWN_CNI_VERSION, deadline))
      : undefined
  // A settings-only run asks for a manifest only when the ENIConfig CRD is missing.
  return {
    identity,
    tokenRequestSent,
    manifest: (version) => early ?? load(inputs, version, deadline)
  }
}

/**
 * Watches for the next node:http(s) request to `host` (node's `http.client.request.start`
 * diagnostics channel): `sent` settles when it has been written out, that is after its connection
 * and TLS handshake, or when it fails, or at stop().
 */
function watchRequest(host: string): { sent: Promise<void>; stop: () => void } {
  const channel = 'http.client.request.start'
  let stop = (): void => undefined
  const sent = new Promise<void>((resolve) => {
    const onStart = (message: unknown): void => {
      const request = (message as { request: ClientRequest }).request
      if (request.host !== host) return
      unsubscribe(channel, onStart)
      request.once('finish', () => resolve())
      request.once('close', () => resolve())
    }
    stop = () => {
      unsubscribe(channel, onStart)
      resolve()
    }
    subscribe(channel, onStart)
  })
  return { sent, stop }
}

/** Downloads the manifest of `cniVersion` (or the input's), and parses it once it is here. */
async function load(
  inputs: ActionInputs,
  cniVersion: string,
  deadline: number
): Promise<KubernetesObject[]> {
  const [downloaded, { parseManifestDownload }] = await Promise.all([
    download(inputs, cniVersion, deadline),
    import('./cni/manifest.js')
  ])
  return parseManifestDownload(downloaded)
}

function download(
  inputs: ActionInputs,
  cniVersion: string,
  deadline: number
): Promise<ManifestDownload> {
  const source = resolveManifestSource({
    manifest: inputs.manifest,
    manifestSha256: inputs.manifestSha256,
    cniVersion,
    baseUrl: inputs.manifestBaseUrl,
    region: inputs.region
  })
  return downloadManifest(source, (url) => fetchText(url, { deadline }))
}
