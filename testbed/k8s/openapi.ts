/**
 * Minimal OpenAPI: just enough for kubectl's default `--validate=strict`. Per GVK kubectl checks
 * that some PATCH operation in the v3 GV document declares the `fieldValidation` parameter; then it
 * leaves validation to the server. /openapi/v2 is an empty protobuf document (no schemas: kinds not
 * in v3 skip client-side validation). No component schemas are served, so kubectl falls back to its
 * compiled-in strategic-merge metadata, which is what it does against a real server for these kinds.
 */
import { createHash } from 'node:crypto'
import { groupVersion, type KindRegistry, type ResourceType } from './kinds.js'
import type { JsonMap } from './types.js'

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`
}

/** The per-GV document: one item path per kind, with a PATCH op that declares fieldValidation. */
function gvDocument(types: ResourceType[], group: string, version: string): JsonMap {
  const paths: JsonMap = {}
  for (const t of types) {
    const base = `/${gvPath(group, version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.resource}`
    const gvk = { group: t.group, version: t.version, kind: t.kind }
    const param = (name: string): JsonMap => ({
      name,
      in: 'query',
      schema: { type: 'string', uniqueItems: true }
    })
    paths[`${base}/{name}`] = {
      patch: {
        operationId: `patch${t.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
        parameters: [
          param('dryRun'),
          param('fieldManager'),
          param('fieldValidation'),
          param('force')
        ],
        responses: { '200': { description: 'OK' } }
      }
    }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: groupVersion(group, version) },
    paths,
    components: { schemas: {} }
  }
}

function hashOf(doc: JsonMap): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase()
}

/** /openapi/v3: the index of GV documents, including the GVs of Established CRDs. */
export function openapiIndex(registry: KindRegistry): JsonMap {
  const paths: JsonMap = {}
  for (const g of registry.groups()) {
    for (const v of g.versions) {
      const doc = gvDocument(registry.inGroupVersion(g.group, v), g.group, v)
      const p = gvPath(g.group, v)
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hashOf(doc)}` }
    }
  }
  return { paths }
}

/** /openapi/v3/<api/v1|apis/g/v>: the GV document, or undefined when that GV is not served. */
export function openapiGroupVersion(registry: KindRegistry, path: string): JsonMap | undefined {
  const parts = path.split('/')
  let group: string
  let version: string
  if (parts.length === 2 && parts[0] === 'api') [group, version] = ['', parts[1]]
  else if (parts.length === 3 && parts[0] === 'apis') [group, version] = [parts[1], parts[2]]
  else return undefined
  const types = registry.inGroupVersion(group, version)
  return types.length ? gvDocument(types, group, version) : undefined
}
