/**
 * What the cluster holds before we touch it, read in one parallel batch: the objects the apply will
 * write (their resourceVersions decide `changed`, their contents the dry-run plan), the running
 * aws-node (its image says which CNI version runs), the existing ENIConfigs and the nodes (for the
 * linter and nodes-to-recycle).
 */
import { AWS_NODE, AWS_NODE_NAMESPACE } from '../cni/aws-node.js'
import { ENI_CONFIG } from '../cni/eniconfig.js'
import { cniVersionFromImage } from '../cni/versions.js'
import {
  type KubeClient,
  type KubernetesObject,
  type ObjectRef,
  type V1DaemonSet,
  refKey,
  refOf
} from './client.js'

/** The version stamps of an object that existed before this run. */
export interface LiveVersion {
  resourceVersion?: string
  generation?: number
}

export interface LiveState {
  /** Version stamps by refKey of every object read; a ref read but absent maps to undefined. */
  readonly versions: Map<string, LiveVersion | undefined>
  /** The running aws-node DaemonSet, if there is one. */
  readonly awsNode?: V1DaemonSet
  /** The CNI release aws-node runs (image tag without -eksbuild.N), if it can be told. */
  readonly runningCniVersion?: string
  /** ENIConfigs in the cluster, ours or not. */
  readonly eniConfigs: KubernetesObject[]
  /** The objects read, by refKey (undefined when absent), for the dry-run plan. */
  readonly objects: Map<string, KubernetesObject | undefined>
  /** The cluster's nodes; undefined when they could not be listed (reported, not fatal). */
  readonly nodes?: KubernetesObject[]
}

/** The aws-node DaemonSet's ref. */
export const AWS_NODE_REF: ObjectRef = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  namespace: AWS_NODE_NAMESPACE,
  name: AWS_NODE
}

/**
 * The objects every official manifest since v1.11 consists of. Read before the manifest is known
 * (when the version comes from the cluster), so the reads need not wait for the download.
 */
export const STANDARD_REFS: readonly ObjectRef[] = [
  crdRef(ENI_CONFIG.crdName),
  crdRef('policyendpoints.networking.k8s.aws'),
  { apiVersion: 'v1', kind: 'ServiceAccount', namespace: AWS_NODE_NAMESPACE, name: AWS_NODE },
  { apiVersion: 'v1', kind: 'ConfigMap', namespace: AWS_NODE_NAMESPACE, name: 'amazon-vpc-cni' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: AWS_NODE },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', name: AWS_NODE },
  AWS_NODE_REF
]

/**
 * Reads `refs` (always including aws-node) and lists the ENIConfigs and the nodes, all at once. A
 * failed node list only costs the node-based reports, so it goes to `onNodesError`.
 */
export async function readLiveState(
  kube: KubeClient,
  refs: readonly ObjectRef[],
  onNodesError: (error: unknown) => void = () => undefined
): Promise<LiveState> {
  const wanted = uniqueRefs([AWS_NODE_REF, ...refs])
  const [objects, eniConfigs, nodes] = await Promise.all([
    Promise.all(wanted.map((ref) => kube.read(ref))),
    kube.list(ENI_CONFIG.apiVersion, ENI_CONFIG.kind),
    kube.list('v1', 'Node').catch((error: unknown): undefined => {
      onNodesError(error)
      return undefined
    })
  ])
  const live: LiveState = {
    versions: new Map(),
    objects: new Map(),
    awsNode: objects[0] as V1DaemonSet | undefined,
    runningCniVersion: runningVersion(objects[0] as V1DaemonSet | undefined),
    eniConfigs,
    nodes
  }
  wanted.forEach((ref, i) => remember(live, refKey(ref), objects[i]))
  for (const config of eniConfigs) remember(live, refKey(refOf(config)), config)
  return live
}

/**
 * Reads the objects of the manifest that the first batch did not cover (a custom manifest's extra
 * objects); for an official manifest this sends nothing.
 */
export async function completeLiveState(
  kube: KubeClient,
  live: LiveState,
  objects: readonly KubernetesObject[]
): Promise<LiveState> {
  const missing = uniqueRefs(objects.map(refOf)).filter((ref) => !live.versions.has(refKey(ref)))
  const found = await Promise.all(missing.map((ref) => kube.read(ref)))
  missing.forEach((ref, i) => remember(live, refKey(ref), found[i]))
  return live
}

function remember(live: LiveState, key: string, object: KubernetesObject | undefined): void {
  live.versions.set(key, versionOf(object))
  live.objects.set(key, object)
}

/** The stamps `changed` is decided by. */
export function versionOf(object: KubernetesObject | undefined): LiveVersion | undefined {
  if (!object) return undefined
  return {
    resourceVersion: object.metadata?.resourceVersion,
    generation: object.metadata?.generation
  }
}

function runningVersion(ds: V1DaemonSet | undefined): string | undefined {
  const image = ds?.spec?.template?.spec?.containers.find((c) => c.name === AWS_NODE)?.image
  return image ? cniVersionFromImage(image) : undefined
}

function crdRef(name: string): ObjectRef {
  return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name }
}

function uniqueRefs(refs: ObjectRef[]): ObjectRef[] {
  const seen = new Set<string>()
  return refs.filter((ref) => !seen.has(refKey(ref)) && seen.add(refKey(ref)) !== undefined)
}
