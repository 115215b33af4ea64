/**
 * Parsing and checking the VPC CNI manifest (manifest-source.ts finds and downloads it). Parsing
 * is js-yaml's loadAll (the YAML parser client-node uses): each document stays a plain object with
 * every field as written, and is sent to the API server as JSON just like that.
 */
import * as core from '@actions/core'
import type { KubernetesObject } from '@kubernetes/client-node'
import { loadAll } from 'js-yaml'
import { Inputs } from '../constants.js'
import { errorMessage } from '../errors.js'
import { STANDARD_REFS } from '../kube/live.js'
import { AWS_NODE, AWS_NODE_NAMESPACE, isAwsNodeDaemonSet } from './aws-node.js'
import { type ManifestDownload, type ManifestSource, downloadManifest } from './manifest-source.js'

/**
 * Reads or downloads the manifest, checks its sha256 when one is known, parses it, and checks that
 * it holds only the objects of an official VPC CNI manifest (downloadManifest, then
 * parseManifestDownload).
 */
export async function loadManifest(
  source: ManifestSource,
  fetchText?: (url: string) => Promise<string>,
  onUnpinned?: (message: string) => void
): Promise<KubernetesObject[]> {
  return parseManifestDownload(await downloadManifest(source, fetchText), onUnpinned)
}

/**
 * Parses a downloaded manifest and checks that it holds only the objects of an official VPC CNI
 * manifest. A download without a pin is applied with a warning (through `onUnpinned`) that names
 * its sha256, so the user can pin it.
 *
 * @throws Error for text that is not YAML, a manifest without DaemonSet kube-system/aws-node and
 *   its container, or an object that no official manifest holds
 */
export function parseManifestDownload(
  download: ManifestDownload,
  onUnpinned: (message: string) => void = (message) =>
    core.warning(message, { title: 'Unpinned VPC CNI manifest' })
): KubernetesObject[] {
  const { source, where, sha256 } = download
  const objects = parseManifest(download.text, where)
  checkAwsNode(objects, where)
  checkOfficialObjects(objects, where)
  if (source.url !== undefined && !source.sha256) {
    onUnpinned(
      `The VPC CNI manifest ${where} is not pinned: its sha256 is ${sha256}. Nothing checks that ` +
        `the next download has the same bytes; set ${Inputs.ManifestSha256}: ${sha256} to pin it.`
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
