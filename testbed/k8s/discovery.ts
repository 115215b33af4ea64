/**
 * Discovery: /version, /api and /apis (aggregated apidiscovery v2/v2beta1 or legacy, negotiated
 * from Accept), and the per-group-version APIResourceLists. kubectl builds its REST mapper from
 * these, so a CRD kind exists for clients only once it is registered here.
 */
import { groupVersion, VERBS, type KindRegistry, type ResourceType } from './kinds.js'
import type { JsonMap } from './types.js'

export type DiscoveryFormat = 'v2' | 'v2beta1' | 'legacy' | 'none'

interface MediaRange {
  type: string
  params: Record<string, string>
  q: number
  index: number
}

function parseAccept(accept: string | undefined): MediaRange[] {
  if (!accept) return [{ type: '*/*', params: {}, q: 1, index: 0 }]
  return accept
    .split(',')
    .map((part, index) => {
      const [type, ...rest] = part.split(';').map((s) => s.trim())
      const params: Record<string, string> = {}
      for (const p of rest) {
        const eq = p.indexOf('=')
        if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim()
      }
      const q = params.q === undefined ? 1 : Number(params.q)
      delete params.q
      return { type: type.toLowerCase(), params, q: Number.isFinite(q) ? q : 0, index }
    })
    .filter((m) => m.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
}

/**
 * Picks the discovery format from Accept by exact parameter values (kubectl 1.27 asks for v2beta1
 * only; a substring match on `v=v2` would wrongly answer it with v2).
 */
export function negotiateDiscovery(accept: string | undefined): DiscoveryFormat {
  for (const m of parseAccept(accept)) {
    const jsonish = m.type === 'application/json' || m.type === 'application/*' || m.type === '*/*'
    if (!jsonish) continue
    const { g, v, as } = m.params
    if (g === undefined && v === undefined && as === undefined) return 'legacy'
    if (g === 'apidiscovery.k8s.io' && as === 'APIGroupDiscoveryList') {
      if (v === 'v2' || v === 'v2beta1') return v
    }
  }
  return 'none'
}

export function versionInfo(kubernetesVersion: string): JsonMap {
  const [major, minor] = kubernetesVersion.replace(/^v/, '').split('.')
  return {
    major,
    minor,
    gitVersion: `v${major}.${minor}.0-eks-testbed`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.24.0',
    compiler: 'gc',
    platform: 'linux/amd64'
  }
}

function aggregatedResource(t: ResourceType): JsonMap {
  const responseKind = { group: t.group, version: t.version, kind: t.kind }
  const r: JsonMap = {
    resource: t.resource,
    responseKind,
    scope: t.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: t.singular,
    verbs: VERBS
  }
  if (t.shortNames.length) r.shortNames = t.shortNames
  if (t.categories.length) r.categories = t.categories
  if (t.statusSubresource) {
    r.subresources = [{ subresource: 'status', responseKind, verbs: ['get', 'patch', 'update'] }]
  }
  return r
}

/** Body and Content-Type of /api (core) or /apis (every other group) in the negotiated format. */
export function groupDiscovery(
  registry: KindRegistry,
  core: boolean,
  format: 'v2' | 'v2beta1' | 'legacy',
  serverAddress: string
): { body: JsonMap; contentType: string } {
  const groups = registry.groups().filter((g) => (g.group === '') === core)
  if (format === 'legacy') {
    if (core) {
      const cidrs = [{ clientCIDR: '0.0.0.0/0', serverAddress }]
      return {
        body: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: cidrs },
        contentType: 'application/json'
      }
    }
    const list = groups.map((g) => {
      const versions = g.versions.map((v) => ({
        groupVersion: groupVersion(g.group, v),
        version: v
      }))
      return { name: g.group, versions, preferredVersion: versions[0] }
    })
    return {
      body: { kind: 'APIGroupList', apiVersion: 'v1', groups: list },
      contentType: 'application/json'
    }
  }
  const items = groups.map((g) => ({
    metadata: { name: g.group, creationTimestamp: null },
    versions: g.versions.map((v) => ({
      version: v,
      resources: registry.inGroupVersion(g.group, v).map(aggregatedResource),
      freshness: 'Current'
    }))
  }))
  return {
    body: {
      kind: 'APIGroupDiscoveryList',
      apiVersion: `apidiscovery.k8s.io/${format}`,
      metadata: {},
      items
    },
    contentType: `application/json;g=apidiscovery.k8s.io;v=${format};as=APIGroupDiscoveryList`
  }
}

/** /apis/<group>: one APIGroup (undefined when the group is not served). */
export function apiGroup(registry: KindRegistry, group: string): JsonMap | undefined {
  const g = registry.groups().find((x) => x.group === group && group !== '')
  if (!g) return undefined
  const versions = g.versions.map((v) => ({ groupVersion: groupVersion(group, v), version: v }))
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: group,
    versions,
    preferredVersion: versions[0]
  }
}

/**
 * /api/v1 or /apis/<g>/<v>: the APIResourceList, each main resource listed before its status
 * subresource (client-node takes the first entry with a matching kind). Undefined when not served.
 */
export function resourceList(
  registry: KindRegistry,
  group: string,
  version: string
): JsonMap | undefined {
  const types = registry.inGroupVersion(group, version)
  if (types.length === 0) return undefined
  const resources: JsonMap[] = []
  for (const t of types) {
    const r: JsonMap = {
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: VERBS
    }
    if (t.shortNames.length) r.shortNames = t.shortNames
    if (t.categories.length) r.categories = t.categories
    resources.push(r)
    if (t.statusSubresource) {
      resources.push({
        name: `${t.resource}/status`,
        singularName: '',
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ['get', 'patch', 'update']
      })
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion(group, version),
    resources
  }
}
