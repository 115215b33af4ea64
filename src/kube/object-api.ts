/**
 * client-node's object API with its discovery cache filled from what we already know: the
 * resource metadata of the built-in kinds a VPC CNI manifest holds, and of the CRDs the manifest
 * brings, so reads and applies cost no discovery round trip. Also the raw PATCH the typed API
 * cannot send.
 */
import type { KubernetesObject, V1APIResource, V1APIResourceList } from '@kubernetes/client-node'
// The object API from its own module, not the package index: the index pulls in every generated
// API group, kubeconfig loading, watch, exec and their dependencies, which the bundle would then
// carry and parse at start-up.
import { KubernetesObjectApi } from '@kubernetes/client-node/dist/object.js'
import { FIELD_MANAGER } from '../constants.js'
import type { ObjectRef } from './client.js'

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

interface CrdLike {
  spec?: {
    group?: string
    scope?: string
    names?: { kind?: string; plural?: string }
    versions?: { name: string; served?: boolean }[]
  }
}

/** KubernetesObjectApi whose discovery cache can be filled from what we already know. */
export class PrimedObjectApi extends KubernetesObjectApi {
  learn(apiVersion: string, kind: string, plural: string, namespaced: boolean): void {
    const cached =
      this.apiVersionResourceCache[apiVersion] ??
      ({ groupVersion: apiVersion, resources: [] } as unknown as V1APIResourceList)
    if (!cached.resources.some((r) => r.kind === kind)) {
      const resource: V1APIResource = {
        kind,
        name: plural,
        namespaced,
        singularName: kind.toLowerCase(),
        verbs: []
      }
      cached.resources.push(resource)
    }
    this.apiVersionResourceCache[apiVersion] = cached
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

  /**
   * A PATCH whose body is sent as given: the typed serializer of patch() keeps only model fields,
   * which drops a JSON patch's array.
   */
  async rawPatch<T extends KubernetesObject>(
    ref: ObjectRef,
    contentType: string,
    body: string,
    dryRun: boolean
  ): Promise<T> {
    const spec = {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: { name: ref.name, namespace: ref.namespace }
    }
    const path = await this.specUriPath(spec, 'patch')
    const ctx = this.configuration.baseServer.makeRequestContext(path, 'PATCH' as never)
    ctx.setHeaderParam('Accept', 'application/json, */*;q=0.8')
    ctx.setHeaderParam('Content-Type', contentType)
    if (dryRun) ctx.setQueryParam('dryRun', 'All')
    ctx.setQueryParam('fieldManager', FIELD_MANAGER)
    ctx.setBody(body)
    return this.requestPromise<T>(ctx)
  }
}

/** The object API over `configuration`, already knowing the built-in kinds. */
export function createObjectApi(
  configuration: ConstructorParameters<typeof KubernetesObjectApi>[0]
): PrimedObjectApi {
  const api = new PrimedObjectApi(configuration)
  for (const [apiVersion, kinds] of Object.entries(BUILT_IN)) {
    for (const [kind, plural, namespaced] of kinds) api.learn(apiVersion, kind, plural, namespaced)
  }
  return api
}
