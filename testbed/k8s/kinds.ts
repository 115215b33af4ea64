/**
 * The resource types the emulator serves: a fixed table of built-in kinds plus the kinds that
 * Established CRDs add. Discovery, OpenAPI and routing all read from here, so a CRD kind becomes
 * visible everywhere at the same moment (and disappears when the CRD is deleted).
 */
import { isMap, type KubeObject } from './types.js'

export interface ResourceType {
  group: string
  version: string
  /** Plural resource name, as in the URL. */
  resource: string
  kind: string
  listKind: string
  singular: string
  namespaced: boolean
  shortNames: string[]
  categories: string[]
  /** Has a /status subresource: main-resource writes keep the stored status. */
  statusSubresource: boolean
  /** metadata.generation is maintained (workloads, CRDs, custom resources). */
  tracksGeneration: boolean
  /** Defined by a CRD: strategic merge patch is rejected with 415, like the real server. */
  custom: boolean
  /** Name of the defining CRD, for custom kinds. */
  crd?: string
}

export const VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch'
]

function builtin(
  group: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  extra: Partial<ResourceType> = {}
): ResourceType {
  return {
    group,
    version: 'v1',
    resource,
    kind,
    listKind: `${kind}List`,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames: [],
    categories: [],
    statusSubresource: false,
    tracksGeneration: false,
    custom: false,
    ...extra
  }
}

const BUILTINS: ResourceType[] = [
  builtin('', 'namespaces', 'Namespace', false, { shortNames: ['ns'], statusSubresource: true }),
  builtin('', 'nodes', 'Node', false, { shortNames: ['no'], statusSubresource: true }),
  builtin('', 'pods', 'Pod', true, {
    shortNames: ['po'],
    categories: ['all'],
    statusSubresource: true
  }),
  builtin('', 'serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'] }),
  builtin('', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  builtin('apps', 'daemonsets', 'DaemonSet', true, {
    shortNames: ['ds'],
    categories: ['all'],
    statusSubresource: true,
    tracksGeneration: true
  }),
  builtin('rbac.authorization.k8s.io', 'clusterroles', 'ClusterRole', false),
  builtin('rbac.authorization.k8s.io', 'clusterrolebindings', 'ClusterRoleBinding', false),
  builtin('apiextensions.k8s.io', 'customresourcedefinitions', 'CustomResourceDefinition', false, {
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    statusSubresource: true,
    tracksGeneration: true
  })
]

export function groupVersion(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/')
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) }
}

/** `daemonsets.apps`, or `namespaces` for the core group: how the real server names a resource in messages. */
export function qualifiedResource(type: { group: string; resource: string }): string {
  return type.group === '' ? type.resource : `${type.resource}.${type.group}`
}

/** The kinds one CRD serves, one per served version (storage version first, as it is preferred). */
export function typesFromCrd(crd: KubeObject): ResourceType[] {
  const spec = isMap(crd.spec) ? crd.spec : {}
  const names = isMap(spec.names) ? spec.names : {}
  const group = String(spec.group ?? '')
  const kind = String(names.kind ?? '')
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isMap) : []
  const served = versions
    .filter((v) => v.served !== false)
    .sort((a, b) => Number(b.storage === true) - Number(a.storage === true))
  return served.map((v) => ({
    group,
    version: String(v.name),
    resource: String(names.plural ?? ''),
    kind,
    listKind: String(names.listKind ?? `${kind}List`),
    singular: String(names.singular ?? kind.toLowerCase()),
    namespaced: spec.scope === 'Namespaced',
    shortNames: Array.isArray(names.shortNames) ? names.shortNames.map(String) : [],
    categories: Array.isArray(names.categories) ? names.categories.map(String) : [],
    statusSubresource: isMap(v.subresources) && isMap(v.subresources.status),
    tracksGeneration: true,
    custom: true,
    crd: crd.metadata.name
  }))
}

export class KindRegistry {
  private readonly crdTypes = new Map<string, ResourceType[]>()

  all(): ResourceType[] {
    return [...BUILTINS, ...[...this.crdTypes.values()].flat()]
  }

  /** A served resource at /api(s)/<group>/<version>/<resource>. */
  byResource(group: string, version: string, resource: string): ResourceType | undefined {
    return this.all().find(
      (t) => t.group === group && t.version === version && t.resource === resource
    )
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const { group, version } = splitApiVersion(apiVersion)
    return this.all().find((t) => t.group === group && t.version === version && t.kind === kind)
  }

  /** Any served version of a group/resource (store keys ignore the version). */
  anyVersion(group: string, resource: string): ResourceType | undefined {
    return this.all().find((t) => t.group === group && t.resource === resource)
  }

  /** Served group versions in a stable order: core first, then groups by first appearance. */
  groups(): { group: string; versions: string[] }[] {
    const out: { group: string; versions: string[] }[] = []
    for (const t of this.all()) {
      let g = out.find((x) => x.group === t.group)
      if (!g) out.push((g = { group: t.group, versions: [] }))
      if (!g.versions.includes(t.version)) g.versions.push(t.version)
    }
    return out
  }

  /** Types served at one group version, in table order. */
  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.all().filter((t) => t.group === group && t.version === version)
  }

  registerCrd(name: string, types: ResourceType[]): void {
    this.crdTypes.set(name, types)
  }

  unregisterCrd(name: string): void {
    this.crdTypes.delete(name)
  }

  isRegistered(name: string): boolean {
    return this.crdTypes.has(name)
  }
}
