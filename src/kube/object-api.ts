/**
 * The four REST calls the action makes (GET, LIST, server-side apply and a raw PATCH) on plain
 * JSON objects. Not client-node's KubernetesObjectApi: that class imports every generated API
 * group and all 1,441 models to (de)serialize typed objects, which the bundle would carry and
 * parse at every start. Plain JSON also keeps every field of an object as sent, where the typed
 * serializer drops the ones its model lacks.
 *
 * Resource metadata of the kinds a VPC CNI manifest holds is known up front (and that of the CRDs
 * the manifest brings is learnt from them), so reads and applies cost no discovery round trip;
 * an unknown kind is looked up once with the API group's discovery document, as kubectl does.
 */
import type { KubernetesObject, V1APIResource, V1APIResourceList } from '@kubernetes/client-node'
// From its own module, not the package index, which would bundle all of client-node.
import { PatchStrategy } from '@kubernetes/client-node/dist/patch.js'
import { ENI_CONFIG } from '../cni/eniconfig.js'
import type { ObjectRef } from './client.js'
import type { Transport } from './transport.js'

/**
 * Resource metadata of the built-in kinds a VPC CNI manifest holds (stable since Kubernetes 1.16),
 * so the first request to the cluster is the read or the apply itself.
 */
const BUILT_IN: Record<string, [kind: string, plural: string, namespaced: boolean][]> = {
  v1: [
    ['ServiceAccount', 'serviceaccounts', true],
    ['ConfigMap', 'configmaps', true],
    ['Service', 'services', true],
    ['Pod', 'pods', true],
    ['Node', 'nodes', false],
    ['Namespace', 'namespaces', false]
  ],
  'apps/v1': [
    ['DaemonSet', 'daemonsets', true],
    ['Deployment', 'deployments', true]
  ],
  'rbac.authorization.k8s.io/v1': [
    ['ClusterRole', 'clusterroles', false],
    ['ClusterRoleBinding', 'clusterrolebindings', false],
    ['Role', 'roles', true],
    ['RoleBinding', 'rolebindings', true]
  ],
  'apiextensions.k8s.io/v1': [['CustomResourceDefinition', 'customresourcedefinitions', false]],
  // Not built in, but its CRD has had these names in every VPC CNI release; knowing them lets the
  // first ENIConfig list go out without discovery (and answer [] when the CRD is not there yet).
  [ENI_CONFIG.apiVersion]: [[ENI_CONFIG.kind, ENI_CONFIG.plural, false]]
}

/** A namespaced object sent without a namespace goes to this one, as with kubectl. */
const DEFAULT_NAMESPACE = 'default'

interface CrdLike {
  spec?: {
    group?: string
    scope?: string
    names?: { kind?: string; plural?: string }
    versions?: { name: string; served?: boolean }[]
  }
}

type Resource = Pick<V1APIResource, 'kind' | 'name' | 'namespaced'>

/** The query of one request; undefined values are left out. */
type Query = Record<string, string | undefined>

/** GET, LIST and PATCH of any kind, by its apiVersion and kind; each call carries its own signal. */
export class ObjectApi {
  private readonly resources = new Map<string, Resource[]>()

  constructor(private readonly transport: Transport) {
    for (const [apiVersion, kinds] of Object.entries(BUILT_IN)) {
      for (const [kind, plural, namespaced] of kinds)
        this.learn(apiVersion, kind, plural, namespaced)
    }
  }

  learn(apiVersion: string, kind: string, plural: string, namespaced: boolean): void {
    const known = this.resources.get(apiVersion) ?? []
    if (!known.some((r) => r.kind === kind)) known.push({ kind, name: plural, namespaced })
    this.resources.set(apiVersion, known)
  }

  /** Learns the resource names of every served version of CRDs (from the manifest). */
  learnCrds(crds: KubernetesObject[]): void {
    for (const crd of crds as CrdLike[]) {
      const spec = crd.spec
      if (!spec?.group || !spec.names?.kind || !spec.names.plural) continue
      for (const version of spec.versions ?? []) {
        if (version.served === false) continue
        this.learn(
          `${spec.group}/${version.name}`,
          spec.names.kind,
          spec.names.plural,
          spec.scope === 'Namespaced'
        )
      }
    }
  }

  /** GET one object. */
  async read<T extends KubernetesObject>(ref: ObjectRef, signal: AbortSignal): Promise<T> {
    return this.send<T>(signal, 'GET', await this.path(ref, signal, true))
  }

  /** LIST a kind, in one namespace or cluster-wide. */
  async list<T extends KubernetesObject>(
    ref: Omit<ObjectRef, 'name'>,
    labelSelector: string | undefined,
    signal: AbortSignal
  ): Promise<T[]> {
    const path = await this.path(ref, signal, false)
    const list = await this.send<{ items?: T[] }>(signal, 'GET', path, { labelSelector })
    return list.items ?? []
  }

  /**
   * A PATCH of `contentType` (server-side apply, JSON patch…) whose body is sent as given; the
   * server's answer, the object after the patch, is returned.
   */
  async patch<T extends KubernetesObject>(
    ref: ObjectRef,
    contentType: PatchStrategy,
    body: string,
    query: Query,
    signal: AbortSignal
  ): Promise<T> {
    const path = await this.path(ref, signal, true)
    return this.send<T>(signal, 'PATCH', path, query, { contentType, text: body })
  }

  /** /api(s)/<apiVersion>[/namespaces/<ns>]/<plural>[/<name>] for `ref`. */
  private async path(
    ref: Omit<ObjectRef, 'name'> & { name?: string },
    signal: AbortSignal,
    one: boolean
  ): Promise<string> {
    const resource = await this.resource(ref.apiVersion, ref.kind, signal)
    if (!resource)
      throw new Error(`Unrecognized API version and kind: ${ref.apiVersion} ${ref.kind}`)
    const namespace = resource.namespaced
      ? (ref.namespace ?? (one ? DEFAULT_NAMESPACE : undefined))
      : undefined
    const parts = [groupVersionPath(ref.apiVersion)]
    if (namespace) parts.push('namespaces', encodeURIComponent(namespace))
    parts.push(resource.name)
    if (one) {
      if (!ref.name) throw new Error(`${ref.kind} without a name`)
      parts.push(encodeURIComponent(ref.name))
    }
    return parts.join('/')
  }

  /** The resource of `kind`, from what is known or else from the group's discovery document. */
  private async resource(
    apiVersion: string,
    kind: string,
    signal: AbortSignal
  ): Promise<Resource | undefined> {
    const known = this.resources.get(apiVersion)?.find((r) => r.kind === kind)
    if (known) return known
    try {
      const list = await this.send<V1APIResourceList>(signal, 'GET', groupVersionPath(apiVersion))
      const resources = list.resources.filter((r) => !r.name.includes('/'))
      this.resources.set(apiVersion, resources)
      return resources.find((r) => r.kind === kind)
    } catch (error) {
      if (error instanceof Error) {
        error.message = `Failed to fetch resource metadata for ${apiVersion}/${kind}: ${error.message}`
      }
      throw error
    }
  }

  private send<T>(
    signal: AbortSignal,
    method: 'GET' | 'PATCH',
    path: string,
    query: Query = {},
    body?: { contentType: string; text: string }
  ): Promise<T> {
    return this.transport.send<T>({ method, path, query, body }, signal)
  }
}

/** /api/v1 for the core group, /apis/<group>/<version> for the others. */
function groupVersionPath(apiVersion: string): string {
  return `/${apiVersion.includes('/') ? 'apis' : 'api'}/${apiVersion}`
}
