/**
 * An in-process Kubernetes API server for the test bed, faithful enough for real kubectl binaries
 * (1.27–1.33) and @kubernetes/client-node: HTTPS with bearer-token auth, aggregated and legacy
 * discovery, minimal OpenAPI, CRUD/patch/server-side apply/watch, and the CRD and DaemonSet
 * controllers, with `metadata.managedFields` on every object as the real apiserver keeps them.
 */
import https from 'node:https'
import type { ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FaultInjector, RequestLog } from '../faults.js'
import { Controllers, type RolloutMode } from './controllers.js'
import { KindRegistry, splitApiVersion, typesFromCrd, type ResourceType } from './kinds.js'
import { createHandler, type AuthResult } from './server.js'
import {
  backdateSeed,
  DEFAULT_ZONES,
  seedManifest,
  seedNamespaces,
  seedNodes,
  type InstallStyle
} from './seed.js'
import { asVersion, Store } from './store.js'
import type { KubeObject } from './types.js'
import { Writer } from './writes.js'

export type { AuthResult } from './server.js'
export type { RolloutMode } from './controllers.js'
export type { InstallStyle } from './seed.js'
export type { KubeObject } from './types.js'

export interface KubeEmulatorOptions {
  tls: { certPem: string; keyPem: string }
  /** '1.31' → /version {major:'1', minor:'31', gitVersion:'v1.31.0-eks-testbed'} */
  kubernetesVersion: string
  nodes?: number
  zones?: { name: string; id: string }[]
  region?: string
  /** Path of an aws-k8s-cni.yaml installed the way EKS would have installed it. */
  preinstallManifest?: string | null
  /**
   * Who installed it: `helm` (default; the self-managed CNI EKS preinstalls, manager `helm`) or
   * `eks-addon` (the managed add-on, server-side applied by manager `eks`).
   */
  preinstallStyle?: InstallStyle
  crdEstablishDelayMs?: number
  rollout?: { mode: RolloutMode; stepMs?: number }
  /** Called for every request carrying a bearer token; a missing token is a 401. */
  authenticate: (bearerToken: string) => Promise<AuthResult>
  faults: FaultInjector
  log: RequestLog
  latencyMs?: number
  /** Events a watch can replay (default 2000); older resourceVersions get 410 Expired. */
  watchWindow?: number
}

export interface KubeEmulator {
  url: string
  port: number
  /** Read the store (objects as the API would return them, deep copies). */
  get(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[]
  setRollout(mode: RolloutMode, stepMs?: number): void
  setCrdEstablishDelay(ms: number): void
  setLatency(ms: number): void
  close(): Promise<void>
}

function requireType(registry: KindRegistry, kind: string): ResourceType {
  const t = registry.all().find((x) => x.kind === kind && !x.custom)
  if (!t) throw new Error(`built-in kind ${kind} missing`)
  return t
}

export async function startKubeEmulator(options: KubeEmulatorOptions): Promise<KubeEmulator> {
  const registry = new KindRegistry()
  const store = new Store(options.watchWindow)
  const types = {
    ns: requireType(registry, 'Namespace'),
    node: requireType(registry, 'Node'),
    ds: requireType(registry, 'DaemonSet'),
    crd: requireType(registry, 'CustomResourceDefinition'),
    pod: requireType(registry, 'Pod')
  }
  const controllers = new Controllers(store, registry, types, {
    crdEstablishDelayMs: options.crdEstablishDelayMs ?? 0,
    rollout: { mode: options.rollout?.mode ?? 'instant', stepMs: options.rollout?.stepMs ?? 200 }
  })
  const writer = new Writer(
    {
      store,
      deferDelete: (type, live) => (type === types.crd ? controllers.deleteCrd(live) : undefined)
    },
    types.ns
  )
  const region = options.region ?? 'ap-northeast-2'
  seedNamespaces(store, types.ns)
  seedNodes(
    store,
    types.node,
    options.nodes ?? 3,
    options.zones ?? DEFAULT_ZONES,
    region,
    options.kubernetesVersion
  )
  if (options.preinstallManifest) {
    seedManifest(options.preinstallManifest, options.preinstallStyle ?? 'helm', {
      store,
      registry,
      writer,
      controllers,
      crdType: types.crd,
      dsType: types.ds
    })
  }
  backdateSeed(store, registry.all(), Date.now())
  controllers.start()

  let latency = options.latencyMs ?? 0
  let address = '127.0.0.1:0'
  const activeWatches = new Set<ServerResponse>()
  const server = https.createServer(
    { cert: options.tls.certPem, key: options.tls.keyPem },
    createHandler({
      registry,
      store,
      writer,
      activeWatches,
      kubernetesVersion: options.kubernetesVersion,
      authenticate: options.authenticate,
      faults: options.faults,
      log: options.log,
      latencyMs: () => latency,
      serverAddress: () => address
    })
  )
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  address = `127.0.0.1:${port}`

  /** Served type of a kind, or the kind of a known (maybe not yet Established) CRD. */
  const typeOf = (apiVersion: string, kind: string): ResourceType | undefined => {
    const served = registry.byKind(apiVersion, kind)
    if (served) return served
    const { group, version } = splitApiVersion(apiVersion)
    for (const crd of store.list(types.crd)) {
      const t = typesFromCrd(crd).find(
        (x) => x.group === group && x.version === version && x.kind === kind
      )
      if (t) return t
    }
    return undefined
  }

  let closed = false
  return {
    url: `https://${address}`,
    port,
    get(apiVersion, kind, name, namespace) {
      const type = typeOf(apiVersion, kind)
      const live = type && store.peek(type, namespace, name)
      return type && live ? asVersion(live, type) : undefined
    },
    list(apiVersion, kind, namespace) {
      const type = typeOf(apiVersion, kind)
      return type ? store.list(type, namespace) : []
    },
    setRollout: (mode, stepMs) => controllers.setRollout(mode, stepMs),
    setCrdEstablishDelay(ms) {
      controllers.settings.crdEstablishDelayMs = ms
    },
    setLatency(ms) {
      latency = ms
    },
    async close() {
      if (closed) return
      closed = true
      controllers.close()
      for (const res of activeWatches) res.end()
      activeWatches.clear()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    }
  }
}
