/**
 * Finding, fetching, verifying and parsing the VPC CNI manifest (issue 3, behaviour 8). Parsing goes
 * through client-node's loadAllYaml: it turns each document into a model instance, and only model
 * instances keep fields such as `x-kubernetes-preserve-unknown-fields` when client-node sends them
 * (wire-protocol doc §5).
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { loadAllYaml, type KubernetesObject } from '@kubernetes/client-node'
import { loadAll } from 'js-yaml'
import { fetchText as defaultFetchText } from '../download.js'
import { errorMessage } from '../errors.js'
import { AWS_NODE, AWS_NODE_NAMESPACE, isAwsNodeDaemonSet } from './aws-node.js'
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
 * The `manifest` input (a path, or an http(s) URL) when set, else the official file for
 * `cniVersion` under `baseUrl`. The pin is `manifest-sha256` when given, else the built-in pin of
 * the official file (none for a user's own manifest).
 */
export function resolveManifestSource(p: {
  manifest?: string
  manifestSha256?: string
  cniVersion: string
  baseUrl: string
  region: string
}): ManifestSource {
  const explicit = p.manifestSha256?.trim().toLowerCase()
  const pin = (sha256: string | undefined, pinFrom: ManifestSource['pinFrom']): ManifestSource =>
    sha256 ? { sha256, pinFrom } : {}
  const custom = p.manifest?.trim()
  if (custom) {
    const where = /^https?:\/\//i.test(custom) ? { url: custom } : { path: custom }
    return { ...where, ...pin(explicit, 'manifest-sha256') }
  }
  const version = normalizeCniVersion(p.cniVersion)
  const file = manifestFileForRegion(p.region)
  const url = `${p.baseUrl.replace(/\/+$/, '')}/aws/amazon-vpc-cni-k8s/${version}/config/master/${file}`
  return {
    url,
    ...(explicit ? pin(explicit, 'manifest-sha256') : pin(builtInPin(version, file), 'built-in'))
  }
}

/**
 * Reads or downloads the manifest, checks its sha256 when one is known, and parses it.
 *
 * @throws Error for an unreadable file, a failed download, a sha256 mismatch (quoting both hashes),
 *   text that is not YAML, or a manifest without DaemonSet kube-system/aws-node and its container
 */
export async function loadManifest(
  source: ManifestSource,
  fetchText: (url: string) => Promise<string> = (url) => defaultFetchText(url)
): Promise<KubernetesObject[]> {
  const where = source.url ?? source.path
  if (where === undefined) throw new Error('No manifest to load: neither a URL nor a path is set')
  const bytes = await readManifest(source, fetchText)
  if (source.sha256) {
    const actual = createHash('sha256').update(bytes).digest('hex')
    if (actual !== source.sha256.toLowerCase()) {
      const pinned =
        source.pinFrom === 'built-in' ? 'the built-in pin for this version' : 'manifest-sha256'
      throw new Error(
        `The VPC CNI manifest ${where} has sha256 ${actual}, but ${pinned} expects ${source.sha256}. ` +
          'The file is not the one that was pinned; check the source (or mirror) and the pin.'
      )
    }
  }
  const objects = parseManifest(bytes.toString('utf8'), where)
  checkAwsNode(objects, where)
  return objects
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

function parseManifest(text: string, where: string): KubernetesObject[] {
  const body = text.replace(/^\uFEFF/, '')
  // js-yaml first, for a clear message on bad YAML and on documents that are not objects.
  let documents: unknown[]
  try {
    documents = loadAll(body)
  } catch (error) {
    throw new Error(`The manifest ${where} is not valid YAML: ${errorMessage(error)}`, {
      cause: error
    })
  }
  documents.forEach((doc, index) => {
    if (doc === null || doc === undefined) return
    const o = doc as Record<string, unknown>
    if (typeof doc !== 'object' || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') {
      throw new Error(
        `The manifest ${where} is not a Kubernetes manifest: document ${index + 1} has no apiVersion and kind`
      )
    }
  })
  // loadAllYaml fails on empty documents (a trailing '---'), so those are dropped first.
  const source = documents.some((doc) => doc === null || doc === undefined)
    ? splitDocuments(body)
        .filter((chunk) => loadAll(chunk).some((doc) => doc !== null && doc !== undefined))
        .join('\n---\n')
    : body
  try {
    return loadAllYaml(source) as KubernetesObject[]
  } catch (error) {
    throw new Error(`Failed to parse the manifest ${where}: ${errorMessage(error)}`, {
      cause: error
    })
  }
}

function splitDocuments(text: string): string[] {
  return text.split(/^---[ \t]*(?:#.*)?$/m)
}

function checkAwsNode(objects: KubernetesObject[], where: string): void {
  const ds = objects.find(isAwsNodeDaemonSet)
  if (!ds) {
    const found = objects.map((o) => `${o.kind}/${o.metadata?.name ?? '?'}`).join(', ') || 'nothing'
    throw new Error(
      `The manifest ${where} has no DaemonSet ${AWS_NODE_NAMESPACE}/${AWS_NODE} (found: ${found}). ` +
        'Is it an aws-k8s-cni.yaml from aws/amazon-vpc-cni-k8s?'
    )
  }
  if (!ds.spec?.template?.spec?.containers?.some((c) => c.name === AWS_NODE)) {
    throw new Error(
      `The manifest ${where}: DaemonSet ${AWS_NODE_NAMESPACE}/${AWS_NODE} has no container '${AWS_NODE}'`
    )
  }
}
