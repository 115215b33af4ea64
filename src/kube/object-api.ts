/**
 * The four REST calls the action makes (GET, LIST, server-side apply and a raw PATCH), sent through
 * client-node's generated request plumbing: its Configuration (our transport, auth and debug
 * middleware), RequestContext and ApiException. Not client-node's KubernetesObjectApi: that class
 * imports every generated API group and all 1,441 models to (de)serialize typed objects, which
 * the bundle would carry and parse at every start, while the action works on plain JSON objects.
 * Plain JSON also keeps every field of an object as sent, where the typed serializer drops the
 * ones its model lacks.
 *
 * Resource metadata of the kinds a VPC CNI manifest holds is known up front (and that of the CRDs
 * the manifest brings is learnt from them), so reads and applies cost no discovery round trip;
 * an unknown kind is looked up once with the API group's discovery document, as kubectl does.
 */
import type {
  Configuration,
  KubernetesObject,
  RequestContext,
  ResponseContext,
  V1APIResource,
  V1APIResourceList
} from '@kubernetes/client-node'
// From their own modules, not the package index, which would bundle all of client-node.
import { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js'
import { PatchStrategy } from '@kubernetes/client-node/dist/patch.js'
import type { ObjectRef } from './client.js'

export { PatchStrategy }

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
  'crd.k8s.amazonaws.com/v1alpha1': [['ENIConfig', 'eniconfigs', false]]
}

/** A namespaced object sent without a namespace goes to this one, as with kubectl. */
const DEFAULT_NAMESPACE = 'default'
const ACCEPT = 'application/json, */*;q=0.8'

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

/** GET, LIST and PATCH of any kind, by its apiVersion and kind, each through the given configuration. */
export class ObjectApi {
  private readonly resources = new Map<string, Resource[]>()

  constructor() {
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
  async read<T extends KubernetesObject>(ref: ObjectRef, config: Configuration): Promise<T> {
    return this.send<T>(config, 'GET', await this.path(ref, config, true))
  }

  /** LIST a kind, in one namespace or cluster-wide. */
  async list<T extends KubernetesObject>(
    ref: Omit<ObjectRef, 'name'>,
    labelSelector: string | undefined,
    config: Configuration
  ): Promise<T[]> {
    const path = await this.path(ref, config, false)
    const list = await this.send<{ items?: T[] }>(config, 'GET', path, { labelSelector })
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
    config: Configuration
  ): Promise<T> {
    const path = await this.path(ref, config, true)
    return this.send<T>(config, 'PATCH', path, query, { contentType, body })
  }

  /** /api(s)/<apiVersion>[/namespaces/<ns>]/<plural>[/<name>] for `ref`. */
  private async path(
    ref: Omit<ObjectRef, 'name'> & { name?: string },
    config: Configuration,
    one: boolean
  ): Promise<string> {
    const resource = await this.resource(ref.apiVersion, ref.kind, config)
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
    config: Configuration
  ): Promise<Resource | undefined> {
    const known = this.resources.get(apiVersion)?.find((r) => r.kind === kind)
    if (known) return known
    try {
      const list = await this.send<V1APIResourceList>(config, 'GET', groupVersionPath(apiVersion))
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

  /**
   * One request through `config`: its auth (the bearer token and the dispatcher), its middleware
   * (the debug lines) and its HTTP library. A 2xx answer is parsed as JSON; any other throws
   * client-node's ApiException with the status, the body and the headers.
   */
  private async send<T>(
    config: Configuration,
    method: 'GET' | 'PATCH',
    path: string,
    query: Query = {},
    payload?: { contentType: string; body: string }
  ): Promise<T> {
    let context: RequestContext = config.baseServer.makeRequestContext(path, method as never)
    context.setHeaderParam('Accept', ACCEPT)
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) context.setQueryParam(name, value)
    }
    if (payload) {
      context.setHeaderParam('Content-Type', payload.contentType)
      context.setBody(payload.body)
    }
    await config.authMethods.default?.applySecurityAuthentication(context)
    for (const middleware of config.middleware) context = await middleware.pre(context).toPromise()
    let response: ResponseContext = await config.httpApi.send(context).toPromise()
    for (const middleware of config.middleware)
      response = await middleware.post(response).toPromise()
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) {
      return JSON.parse(await response.body.text()) as T
    }
    throw new ApiException(
      response.httpStatusCode,
      'Unsuccessful HTTP Request',
      await response.getBodyAsAny(),
      response.headers
    )
  }
}

/** /api/v1 for the core group, /apis/<group>/<version> for the others. */
function groupVersionPath(apiVersion: string): string {
  return `/${apiVersion.includes('/') ? 'apis' : 'api'}/${apiVersion}`
}
