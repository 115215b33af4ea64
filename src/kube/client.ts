/**
 * The one door to the Kubernetes API (with its transport.ts, call.ts and object-api.ts, the only
 * modules that load code from @kubernetes/client-node). Plain JSON objects over our own transport
 * (a bearer token from the EKS token source on every request, proxies from the environment), one
 * retry and abort policy for every call, and resource metadata known up front (object-api.ts) so
 * reads and applies cost no discovery round trip.
 */
import type {
  KubernetesObject,
  V1CustomResourceDefinition,
  V1DaemonSet
} from '@kubernetes/client-node'
import * as core from '@actions/core'
import { FIELD_MANAGER } from '../constants.js'
import { CONNECT_TIMEOUT_MS, callWith } from './call.js'
import { kubeStatus, type EndpointAccess } from './errors.js'
// From its own module, not the package index, which would bundle all of client-node.
import { PatchStrategy } from '@kubernetes/client-node/dist/patch.js'
import { ObjectApi } from './object-api.js'
import { createTransport } from './transport.js'

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
  cluster: { name: string; endpoint: string; caData: string; endpointAccess?: EndpointAccess }
  tokens: TokenSource
  /** Region of the cluster, for the access-entry commands in an authorization error. */
  region: string
  /** Who we are to AWS, for an authorization error (asked only when one happens). */
  callerArn: () => Promise<string | undefined>
  /**
   * The run's deadline (ms since the epoch): requests in flight are aborted then, and retries never
   * sleep past it.
   */
  deadline?: number
  /** Per-request timeout in ms (default 30 s); a request with no answer by then is aborted. */
  requestTimeoutMs?: number
  /** TCP and TLS connect timeout in ms (default 10 s). */
  connectTimeoutMs?: number
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  onRetry?: (message: string) => void
  /** Request and response summaries (method, path, status), for step debug. */
  onDebug?: (line: string) => void
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
  /** Closes the kept-alive connections. */
  close(): Promise<void>
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

/** Builds the client for one cluster. Nothing is sent until the first call. */
export function createKubeClient(options: KubeClientOptions): KubeClient {
  // Request summaries go to core.debug when step debug is on, unless the caller says otherwise.
  options = { ...options, onDebug: options.onDebug ?? (core.isDebug() ? core.debug : undefined) }
  const transport = createTransport({
    server: options.cluster.endpoint,
    caData: options.cluster.caData,
    token: () => options.tokens.get(),
    connectTimeoutMs: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    debug: options.onDebug
  })
  const api = new ObjectApi(transport)
  const call = callWith(options)
  return {
    read: <T extends KubernetesObject>(ref: ObjectRef) =>
      call(`read ${refKey(ref)}`, async (signal) => {
        try {
          return await api.read<T>(ref, signal)
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
      call(`list ${kind}`, async (signal) => {
        try {
          return await api.list<T>({ apiVersion, kind, namespace }, labelSelector, signal)
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
        (signal) =>
          api.patch<T>(
            refOf(object),
            PatchStrategy.ServerSideApply,
            JSON.stringify(object),
            {
              dryRun: applyOptions.dryRun ? 'All' : undefined,
              fieldManager: applyOptions.fieldManager ?? FIELD_MANAGER,
              force: 'true'
            },
            signal
          ),
        { retryConflicts: true }
      ),
    // A failed `test` is a 422, never retried: the object changed since it was read.
    jsonPatch: <T extends KubernetesObject>(
      ref: ObjectRef,
      ops: readonly JsonPatchOp[],
      patchOptions: { dryRun?: boolean } = {}
    ) =>
      call(`patch ${refKey(ref)}`, (signal) =>
        api.patch<T>(
          ref,
          PatchStrategy.JsonPatch,
          JSON.stringify(ops),
          { dryRun: patchOptions.dryRun ? 'All' : undefined, fieldManager: FIELD_MANAGER },
          signal
        )
      ),
    learnCrds: (crds) => api.learnCrds(crds),
    close: () => transport.close()
  }
}
