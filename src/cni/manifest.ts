/**
 * Finding, fetching, verifying and parsing the VPC CNI manifest. Parsing is js-yaml's loadAll (the
 * YAML parser client-node uses): each document stays a plain object with every field as written,
 * and is sent to the API server as JSON just like that.
 */
import * as core from '@actions/core'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { KubernetesObject } from '@kubernetes/client-node'
import { loadAll } from 'js-yaml'
import { Inputs } from '../constants.js'
import { fetchText as defaultFetchText } from '../download.js'
import { errorMessage } from '../errors.js'
import { STANDARD_REFS } from '../kube/live.js'
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
 * Reads or downloads the manifest, checks its sha256 when one is known, parses it, and checks that
 * it holds only the objects of an official VPC CNI manifest. A download without a pin is applied
 * with a warning (through `onUnpinned`) that names its sha256, so the user can pin it.
 *
 * @throws Error for an unreadable file, a failed download, a sha256 mismatch (quoting both hashes),
 *   text that is not YAML, a manifest without DaemonSet kube-system/aws-node and its container, or
 *   an object that no official manifest holds
 */
export async function loadManifest(
  source: ManifestSource,
  fetchText: (url: string) => Promise<string> = (url) => defaultFetchText(url),
  onUnpinned: (message: string) => void = (message) =>
    core.warning(message, { title: 'Unpinned VPC CNI manifest' })
): Promise<KubernetesObject[]> {
  const where = source.url ?? source.path
  if (where === undefined) throw new Error('No manifest to load: neither a URL nor a path is set')
  const bytes = await readManifest(source, fetchText)
  const actual = createHash('sha256').update(bytes).digest('hex')
  if (source.sha256) {
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
  checkOfficialObjects(objects, where)
  if (source.url !== undefined && !source.sha256) {
    onUnpinned(
      `The VPC CNI manifest ${where} is not pinned: its sha256 is ${actual}. Nothing checks that ` +
        `the next download has the same bytes; set ${Inputs.ManifestSha256}: ${actual} to pin it.`
    )
  }
  return objects
}

/**
 * Refuses any object that no official VPC CNI manifest holds: only the aws-node DaemonSet,
 * ServiceAccount, ClusterRole and ClusterRoleBinding, the ConfigMap amazon-vpc-cni and the CNI's
 * CRDs, by kind, API group, name and namespace. The ClusterRoleBinding must bind ClusterRole
 * aws-node to ServiceAccount kube-system/aws-node and nothing else.
 *
 * @throws Error naming every object that is not allowed
 */
export function checkOfficialObjects(objects: readonly KubernetesObject[], where: string): void {
  const refused = objects.filter((o) => !STANDARD_REFS.some((ref) => sameObject(ref, o)))
  if (refused.length > 0) {
    const allowed = STANDARD_REFS.map(describeRef).join(', ')
    throw new Error(
      `The manifest ${where} holds ${refused.length} object(s) that no official VPC CNI manifest ` +
        `has: ${refused.map(describeRef).join(', ')}. Nothing was applied. Only these objects are ` +
        `applied: ${allowed}.`
    )
  }
  for (const o of objects) {
    if (o.kind !== 'ClusterRoleBinding') continue
    const binding = o as KubernetesObject & {
      roleRef?: { kind?: string; name?: string }
      subjects?: { kind?: string; name?: string; namespace?: string }[]
    }
    const subjects = binding.subjects ?? []
    const ok =
      binding.roleRef?.kind === 'ClusterRole' &&
      binding.roleRef.name === AWS_NODE &&
      subjects.every(
        (s) =>
          s.kind === 'ServiceAccount' && s.name === AWS_NODE && s.namespace === AWS_NODE_NAMESPACE
      )
    if (!ok) {
      throw new Error(
        `The manifest ${where}: ${describeRef(o)} must bind ClusterRole ${AWS_NODE} to ServiceAccount ` +
          `${AWS_NODE_NAMESPACE}/${AWS_NODE} only, as the official manifest does; it binds ` +
          `${binding.roleRef?.kind ?? '?'} ${binding.roleRef?.name ?? '?'} to ` +
          `${subjects.map((s) => `${s.kind ?? '?'} ${s.namespace ? `${s.namespace}/` : ''}${s.name ?? '?'}`).join(', ') || 'nobody'}. ` +
          'Nothing was applied.'
      )
    }
  }
}

function sameObject(
  ref: { apiVersion?: string; kind?: string; name?: string; namespace?: string },
  o: KubernetesObject
): boolean {
  const group = (apiVersion: string | undefined) =>
    apiVersion?.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : ''
  return (
    ref.kind === o.kind &&
    group(ref.apiVersion) === group(o.apiVersion) &&
    ref.name === o.metadata?.name &&
    (ref.namespace ?? '') === (o.metadata?.namespace ?? '')
  )
}

function describeRef(o: {
  kind?: string
  name?: string
  namespace?: string
  metadata?: { name?: string; namespace?: string }
}): string {
  const name = o.metadata?.name ?? o.name ?? '?'
  const namespace = o.metadata ? o.metadata.namespace : o.namespace
  return `${o.kind ?? '?'} ${namespace ? `${namespace}/` : ''}${name}`
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
  // A clear message on bad YAML and on documents that are not objects.
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
  // Empty documents (a trailing '---') are not objects to apply.
  return documents.filter((doc) => doc !== null && doc !== undefined) as KubernetesObject[]
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
