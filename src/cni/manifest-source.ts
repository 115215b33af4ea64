/**
 * Where the VPC CNI manifest comes from, and getting its bytes: the `manifest` input or the
 * official file of a version, downloaded (or read) and checked against its sha256 pin. Parsing
 * them is cni/manifest.ts's. Kept apart so a run can start the download before it has loaded the
 * YAML parser and the Kubernetes modules.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { fetchText as defaultFetchText } from '../download.js'
import { errorMessage } from '../errors.js'
import type { ManifestLocation } from '../inputs-parse.js'
import { partitionOf } from './registry.js'
import { builtInPin, normalizeCniVersion } from './versions.js'

/** Where the manifest comes from, and the sha256 it must have when one is known. */
export interface ManifestSource {
  url?: string
  path?: string
  /** Expected sha256, lowercase hex. */
  sha256?: string
  /** Where `sha256` came from, for error messages. */
  pinFrom?: 'manifest-sha256' | 'built-in'
}

/** The official manifest file for a region: the China and GovCloud ones carry their own registries. */
export function manifestFileForRegion(region: string): string {
  switch (partitionOf(region)) {
    case 'aws-cn':
      return 'aws-k8s-cni-cn.yaml'
    case 'aws-us-gov':
      return `aws-k8s-cni-${region}.yaml`
    default:
      return 'aws-k8s-cni.yaml'
  }
}

/**
 * The `manifest` input (its parsed URL or path) when set, else the official file for `cniVersion`
 * under `baseUrl`. The pin is `manifest-sha256` (parsed: lowercase hex) when given, else the
 * built-in pin of the official file (none for a user's own manifest).
 */
export function resolveManifestSource(p: {
  manifest?: ManifestLocation
  manifestSha256?: string
  cniVersion: string
  baseUrl: string
  region: string
}): ManifestSource {
  const explicit = p.manifestSha256
  const pin = (sha256: string | undefined, pinFrom: ManifestSource['pinFrom']): ManifestSource =>
    sha256 ? { sha256, pinFrom } : {}
  if (p.manifest) return { ...p.manifest, ...pin(explicit, 'manifest-sha256') }
  const version = normalizeCniVersion(p.cniVersion)
  const file = manifestFileForRegion(p.region)
  const url = `${p.baseUrl.replace(/\/+$/, '')}/aws/amazon-vpc-cni-k8s/${version}/config/master/${file}`
  return {
    url,
    ...(explicit ? pin(explicit, 'manifest-sha256') : pin(builtInPin(version, file), 'built-in'))
  }
}

/** A manifest's bytes, checked against the pin when there is one. */
export interface ManifestDownload {
  source: ManifestSource
  /** The URL or the path, for messages. */
  where: string
  text: string
  /** Of the bytes as read, lowercase hex. */
  sha256: string
}

/**
 * Reads or downloads the manifest and checks its sha256 when one is known.
 *
 * @throws Error for an unreadable file, a failed download, or a sha256 mismatch (quoting both
 *   hashes)
 */
export async function downloadManifest(
  source: ManifestSource,
  fetchText: (url: string) => Promise<string> = (url) => defaultFetchText(url)
): Promise<ManifestDownload> {
  const where = source.url ?? source.path
  if (where === undefined) throw new Error('No manifest to load: neither a URL nor a path is set')
  const bytes = await readManifest(source, fetchText)
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  if (source.sha256 && sha256 !== source.sha256) {
    const pinned =
      source.pinFrom === 'built-in' ? 'the built-in pin for this version' : 'manifest-sha256'
    throw new Error(
      `The VPC CNI manifest ${where} has sha256 ${sha256}, but ${pinned} expects ${source.sha256}. ` +
        'The file is not the one that was pinned; check the source (or mirror) and the pin.'
    )
  }
  return { source, where, text: bytes.toString('utf8'), sha256 }
}

async function readManifest(
  source: ManifestSource,
  fetchText: (url: string) => Promise<string>
): Promise<Buffer> {
  if (source.url !== undefined) {
    try {
      return Buffer.from(await fetchText(source.url), 'utf8')
    } catch (error) {
      throw new Error(`Failed to download the VPC CNI manifest: ${errorMessage(error)}`, {
        cause: error
      })
    }
  }
  const file = source.path ?? ''
  try {
    return await readFile(file)
  } catch (error) {
    throw new Error(`Cannot read the manifest file '${file}': ${errorMessage(error)}`, {
      cause: error
    })
  }
}
