/**
 * The EKS add-on REST routes (paths, query parameters and error shapes of the EKS 2017-11-01
 * model) in front of the add-on state in addons.ts. Anything else (cluster and node group
 * updates among them) goes on to moto.
 */
import type { AddonStore } from './addons.js'
import { ConfigurationError } from './addon-config.js'
import { VPC_CNI, describeVersions, findVersion, schemaText } from './addon-schemas.js'

/** A reply the proxy sends itself instead of moto's. */
export interface LocalReply {
  status: number
  body: Record<string, unknown>
  /** Error code for the `x-amzn-errortype` header. */
  errorType?: string
}

/** An EKS API error (rest-json: status, `x-amzn-errortype`, `{message, clusterName, addonName}`). */
export class EksApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly fields: Record<string, string> = {}
  ) {
    super(message)
  }
}

export const invalidParameter = (message: string, fields?: Record<string, string>): EksApiError =>
  new EksApiError('InvalidParameterException', 400, message, fields)
export const notFound = (message: string, fields?: Record<string, string>): EksApiError =>
  new EksApiError('ResourceNotFoundException', 404, message, fields)
export const inUse = (message: string, fields?: Record<string, string>): EksApiError =>
  new EksApiError('ResourceInUseException', 409, message, fields)

type Handler = (
  m: string[],
  q: URLSearchParams,
  body: Record<string, unknown>
) => Record<string, unknown>

function parseBody(text: string): Record<string, unknown> {
  if (!text.trim()) return {}
  try {
    const v = JSON.parse(text) as unknown
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      return v as Record<string, unknown>
  } catch {
    // fall through
  }
  throw new EksApiError('InvalidRequestException', 400, 'The request body is not a JSON object')
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** Serves the add-on operations; `undefined` means "not an add-on request, ask moto". */
export function addonRoutes(store: AddonStore) {
  const routes: [string, RegExp, Handler][] = [
    ['GET', /^\/clusters\/([^/]+)\/addons$/, (m) => store.list(m[1])],
    [
      'POST',
      /^\/clusters\/([^/]+)\/addons$/,
      (m, _q, b) =>
        store.create(m[1], {
          addonName: str(b.addonName),
          addonVersion: str(b.addonVersion),
          configurationValues: str(b.configurationValues),
          resolveConflicts: str(b.resolveConflicts),
          serviceAccountRoleArn: str(b.serviceAccountRoleArn),
          tags: (b.tags as Record<string, string> | undefined) ?? {}
        })
    ],
    ['GET', /^\/clusters\/([^/]+)\/addons\/([^/]+)$/, (m) => store.describe(m[1], m[2])],
    [
      'DELETE',
      /^\/clusters\/([^/]+)\/addons\/([^/]+)$/,
      (m, q) => store.delete(m[1], m[2], q.get('preserve') === 'true')
    ],
    [
      'POST',
      /^\/clusters\/([^/]+)\/addons\/([^/]+)\/update$/,
      (m, _q, b) =>
        store.update(m[1], m[2], {
          addonVersion: str(b.addonVersion),
          configurationValues: str(b.configurationValues),
          resolveConflicts: str(b.resolveConflicts),
          serviceAccountRoleArn: str(b.serviceAccountRoleArn)
        })
    ],
    [
      'GET',
      /^\/addons\/supported-versions$/,
      (_m, q) => {
        const name = q.get('addonName')
        if (name !== null && name !== VPC_CNI) return { addons: [] }
        return { addons: [describeVersions(q.get('kubernetesVersion') ?? undefined)] }
      }
    ],
    [
      'GET',
      /^\/addons\/configuration-schemas$/,
      (_m, q) => configuration(q.get('addonName') ?? '', q.get('addonVersion') ?? '')
    ]
  ]

  return (
    method: string,
    path: string,
    query: URLSearchParams,
    text: string
  ): LocalReply | undefined => {
    try {
      const list = /^\/clusters\/([^/]+)\/updates$/.exec(path)
      const addonName = query.get('addonName')
      if (method === 'GET' && list && addonName !== null) {
        return {
          status: 200,
          body: { updateIds: store.listUpdates(decodeURIComponent(list[1]), addonName) }
        }
      }
      const upd = /^\/clusters\/([^/]+)\/updates\/([^/]+)$/.exec(path)
      if (method === 'GET' && upd) {
        const update = store.describeUpdate(
          decodeURIComponent(upd[1]),
          decodeURIComponent(upd[2]),
          query.get('addonName') ?? undefined
        )
        return update ? { status: 200, body: update } : undefined
      }
      for (const [m, re, handler] of routes) {
        const match = m === method ? re.exec(path) : null
        if (!match) continue
        const args = match.map((s) => decodeURIComponent(s))
        return { status: 200, body: handler(args, query, parseBody(text)) }
      }
      return undefined
    } catch (e) {
      if (e instanceof ConfigurationError) {
        return errorReply(invalidParameter(e.message))
      }
      if (e instanceof EksApiError) return errorReply(e)
      throw e
    }
  }
}

/** DescribeAddonConfiguration: the version's schema and the service account it runs as. */
function configuration(addonName: string, addonVersion: string): Record<string, unknown> {
  const version = findVersion(addonName, addonVersion)
  if (!version)
    throw invalidParameter(`Addon version ${addonVersion} of ${addonName} is not supported`, {
      addonName
    })
  return {
    addonName,
    addonVersion,
    configurationSchema: schemaText(version),
    podIdentityConfiguration: [
      {
        serviceAccount: 'aws-node',
        recommendedManagedPolicies: ['arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy']
      }
    ]
  }
}

function errorReply(e: EksApiError): LocalReply {
  return { status: e.status, errorType: e.code, body: { ...e.fields, message: e.message } }
}
