/**
 * The one door to the Kubernetes API (the only importer of @kubernetes/client-node outside the
 * manifest parser). A KubeConfig built in memory, a bearer token from the EKS token source on every
 * request, one retry policy for every call, and resource metadata known up front so reads and
 * applies cost no discovery round trip.
 */
import {
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
  type User,
  type V1CustomResourceDefinition,
  type V1DaemonSet,
  type V1APIResource,
  type V1APIResourceList
} from '@kubernetes/client-node'
import { FIELD_MANAGER } from '../constants.js'
import { retry } from '../retry.js'
import { accessDeniedError, describeKubeError, isRetryableKubeError, kubeStatus } from './errors.js'
import { buildKubeConfig } from './kubeconfig.js'

export { describeKubeError, kubeStatus } from './errors.js'
// The model types other modules need, so this stays the one place that names the library.
export type { KubernetesObject, V1CustomResourceDefinition, V1DaemonSet }

/** Identifies one object: what a read, and the changed-detection map, are keyed by. */
export interface ObjectRef {
  apiVersion: string
  kind: string
  name: string
  namespace?: string
}

/** What the client needs from the EKS token source. */
export interface TokenSource {
  get(): Promise<string>
  invalidate(): void
}

export interface KubeClientOptions {
  cluster: { name: string; endpoint: string; caData: string }
  tokens: TokenSource
  /** Region of the cluster, for the access-entry commands in an authorization error. */
  region: string
  /** Who we are to AWS, for an authorization error (asked only when one happens). */
  callerArn: () => Promise<string | undefined>
  /** Retries never sleep past this time (ms since the epoch). */
  deadline?: number
  sleep?: (ms: number) => Promise<void>
  onRetry?: (message: string) => void
}

/** The calls the action makes; every one retried and authenticated the same way. */
export interface KubeClient {
  /** GET one object; undefined when it does not exist (404). */
  read<T extends KubernetesObject>(ref: ObjectRef): Promise<T | undefined>
  /** LIST a kind; [] when the kind is not served yet (CRD not installed). */
  list<T extends KubernetesObject>(
    apiVersion: string,
    kind: string,
    namespace?: string,
    labelSelector?: string
  ): Promise<T[]>
  /**
   * Server-side apply, forcing conflicts (kubectl --force-conflicts), by FIELD_MANAGER unless
   * `fieldManager` names another of ours.
   */
  apply<T extends KubernetesObject>(
    object: T,
    options?: { dryRun?: boolean; fieldManager?: string }
  ): Promise<T>
  /** RFC 6902 JSON patch (e.g. `test` then `remove`): a failed `test` changes nothing. */
  jsonPatch<T extends KubernetesObject>(
    ref: ObjectRef,
    ops: readonly JsonPatchOp[],
    options?: { dryRun?: boolean }
  ): Promise<T>
  /** Teaches the client the resource names of CRDs (from the manifest), so no discovery is needed. */
  learnCrds(crds: KubernetesObject[]): void
}

/** One RFC 6902 operation. */
export interface JsonPatchOp {
  op: 'test' | 'remove' | 'add' | 'replace'
  path: string
  value?: unknown
}

/** "Kind/namespace/name" for messages and maps. */
export function refKey(ref: ObjectRef): string {
  return [ref.kind, ref.namespace, ref.name].filter(Boolean).join('/')
}

/** The ref of an object from a manifest or a response. */
export function refOf(object: KubernetesObject): ObjectRef {
  return {
    apiVersion: object.apiVersion ?? 'v1',
    kind: object.kind ?? '',
    name: object.metadata?.name ?? '',
    namespace: object.metadata?.namespace
  }
}

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

/** KubernetesObjectApi whose discovery cache can be filled from what we already know. */
class PrimedObjectApi extends KubernetesObjectApi {
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

/** Builds the client for one cluster. Nothing is sent until the first call. */
export function createKubeClient(options: KubeClientOptions): KubeClient {
  const api = makeObjectApi(options)
  for (const [apiVersion, kinds] of Object.entries(BUILT_IN)) {
    for (const [kind, plural, namespaced] of kinds) api.learn(apiVersion, kind, plural, namespaced)
  }
  const call = callWith(options)
  return {
    read: <T extends KubernetesObject>(ref: ObjectRef) =>
      call(`read ${refKey(ref)}`, async () => {
        try {
          return (await api.read<T>({
            apiVersion: ref.apiVersion,
            kind: ref.kind,
            metadata: { name: ref.name, namespace: ref.namespace }
          })) as T | undefined
        } catch (error) {
          if (kubeStatus(error) === 404) return undefined
          throw error
        }
      }),
    list: <T extends KubernetesObject>(
      apiVersion: string,
      kind: string,
      namespace?: string,
      labelSelector?: string
    ) =>
      call(`list ${kind}`, async () => {
        try {
          const list = await api.list<T>(
            apiVersion,
            kind,
            namespace,
            undefined,
            undefined,
            undefined,
            undefined,
            labelSelector
          )
          return list.items
        } catch (error) {
          if (kubeStatus(error) === 404) return [] as T[]
          throw error
        }
      }),
    apply: <T extends KubernetesObject>(
      object: T,
      applyOptions: { dryRun?: boolean; fieldManager?: string } = {}
    ) =>
      call(
        `apply ${refKey(refOf(object))}`,
        () =>
          api.patch<T>(
            object,
            undefined,
            applyOptions.dryRun ? 'All' : undefined,
            applyOptions.fieldManager ?? FIELD_MANAGER,
            true,
            PatchStrategy.ServerSideApply
          ),
        { retryConflicts: true }
      ),
    // A failed `test` is a 422, never retried: the object changed since it was read.
    jsonPatch: <T extends KubernetesObject>(
      ref: ObjectRef,
      ops: readonly JsonPatchOp[],
      patchOptions: { dryRun?: boolean } = {}
    ) =>
      call(`patch ${refKey(ref)}`, () =>
        api.rawPatch<T>(
          ref,
          PatchStrategy.JsonPatch,
          JSON.stringify(ops),
          patchOptions.dryRun === true
        )
      ),
    learnCrds(crds) {
      for (const crd of crds as CrdLike[]) {
        const spec = crd.spec
        if (!spec?.group || !spec.names?.kind || !spec.names.plural) continue
        for (const version of spec.versions ?? []) {
          if (version.served === false) continue
          api.learn(
            `${spec.group}/${version.name}`,
            spec.names.kind,
            spec.names.plural,
            spec.scope === 'Namespaced'
          )
        }
      }
    }
  }
}

interface CrdLike {
  spec?: {
    group?: string
    scope?: string
    names?: { kind?: string; plural?: string }
    versions?: { name: string; served?: boolean }[]
  }
}

/**
 * The in-memory KubeConfig: the same cluster and CA as the kubeconfig file, but the user carries no
 * token. An authenticator asks the token source on each request, so a token that is about to expire
 * is replaced without rebuilding anything.
 */
function makeObjectApi(options: KubeClientOptions): PrimedObjectApi {
  const doc = buildKubeConfig(options.cluster, '')
  const cluster = doc.clusters[0]
  const userName = doc.users[0].name
  const kc = new KubeConfig()
  kc.loadFromOptions({
    clusters: [
      {
        name: cluster.name,
        server: cluster.cluster.server,
        caData: cluster.cluster['certificate-authority-data'],
        skipTLSVerify: false
      }
    ],
    users: [{ name: userName }],
    contexts: [{ name: doc.contexts[0].name, cluster: cluster.name, user: userName }],
    currentContext: doc.contexts[0].name
  })
  const authenticator: Parameters<KubeConfig['addAuthenticator']>[0] = {
    isAuthProvider: (user: User) => user.name === userName,
    async applyAuthentication(_user, opts) {
      const token = await options.tokens.get()
      opts.headers = { ...opts.headers, Authorization: `Bearer ${token}` }
    }
  }
  kc.addAuthenticator(authenticator)
  return kc.makeApiClient(PrimedObjectApi)
}

/** A request that got no answer in this long is abandoned and retried. */
const REQUEST_TIMEOUT_MS = 30_000
/**
 * Wraps each call: one re-mint after a 401 (the token may have expired mid-run), retries with
 * jittered backoff on 429/5xx (honouring Retry-After), connection errors and, for applies, 409;
 * errors that end the run explain themselves.
 */
function callWith(options: KubeClientOptions) {
  return async <T>(
    label: string,
    fn: () => Promise<T>,
    how: { retryConflicts?: boolean } = {}
  ): Promise<T> => {
    let reminted = false
    try {
      return await retry(
        async () => {
          try {
            return await withTimeout(fn(), label)
          } catch (error) {
            if (kubeStatus(error) !== 401 || reminted) throw error
            reminted = true
            options.tokens.invalidate()
            return await withTimeout(fn(), label)
          }
        },
        {
          label: `kube: ${label}`,
          attempts: 8,
          retryable: (error) => isRetryableKubeError(error, how.retryConflicts === true),
          deadline: options.deadline,
          sleep: options.sleep,
          onRetry: options.onRetry
        }
      )
    } catch (error) {
      const status = kubeStatus(error)
      if (status === 401 || status === 403) {
        const caller = await options.callerArn().catch(() => undefined)
        throw accessDeniedError(error, {
          label,
          caller,
          cluster: options.cluster.name,
          region: options.region
        })
      }
      throw new Error(`Kubernetes API: ${label} failed: ${describeKubeError(error)}`, {
        cause: error
      })
    }
  }
}

function withTimeout<T>(promise: Promise<T>, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          Object.assign(new Error(`${label}: no answer in ${REQUEST_TIMEOUT_MS / 1000} s`), {
            code: 'ETIMEDOUT'
          })
        ),
      REQUEST_TIMEOUT_MS
    )
    timer.unref()
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
