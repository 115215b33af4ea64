/**
 * The state of a fresh EKS cluster: the four system namespaces, worker nodes spread over the
 * zones, and optionally the VPC CNI as EKS installs it (server-side applied by manager `eks`, images
 * tagged `-eksbuild.1`, CRDs Established, aws-node fully rolled out at generation 1).
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import * as yaml from 'js-yaml'
import { completeDaemonSetStatus, type Controllers } from './controllers.js'
import type { KindRegistry, ResourceType } from './kinds.js'
import { splitApiVersion } from './kinds.js'
import { commit, prepareWrite } from './objects.js'
import type { Store } from './store.js'
import { isMap, type JsonMap, type KubeObject } from './types.js'
import type { Writer } from './writes.js'

export interface Zone {
  name: string
  id: string
}

export const DEFAULT_ZONES: Zone[] = [
  { name: 'ap-northeast-2a', id: 'apne2-az1' },
  { name: 'ap-northeast-2b', id: 'apne2-az2' },
  { name: 'ap-northeast-2c', id: 'apne2-az3' }
]

/** Stores a system-created object (no field manager of interest). */
function seedObject(store: Store, type: ResourceType, object: KubeObject): void {
  const target = {
    type,
    namespace: object.metadata.namespace,
    name: object.metadata.name,
    live: undefined
  }
  commit(store, target, prepareWrite(target, object), {}, false)
}

export function seedNamespaces(store: Store, nsType: ResourceType): void {
  for (const name of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) {
    seedObject(store, nsType, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' }
    })
  }
}

export function seedNodes(
  store: Store,
  nodeType: ResourceType,
  count: number,
  zones: Zone[],
  region: string,
  kubernetesVersion: string
): void {
  for (let i = 0; i < count; i++) {
    const zi = i % zones.length
    const zone = zones[zi]
    // One /20 per zone (10.0.0.0/20, 10.0.16.0/20, ...), hosts spread inside it.
    const ip = `10.0.${zi * 16 + 1 + Math.floor(i / zones.length)}.${((i * 53 + 17) % 250) + 4}`
    const name = `ip-${ip.replace(/\./g, '-')}.${region}.compute.internal`
    const instanceId = `i-${randomBytes(9).toString('hex').slice(0, 17)}`
    seedObject(store, nodeType, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: {
          'beta.kubernetes.io/arch': 'amd64',
          'beta.kubernetes.io/os': 'linux',
          'eks.amazonaws.com/nodegroup': 'system',
          'kubernetes.io/arch': 'amd64',
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'node.kubernetes.io/instance-type': 'm5.large',
          'topology.k8s.aws/zone-id': zone.id,
          'topology.kubernetes.io/region': region,
          'topology.kubernetes.io/zone': zone.name
        }
      },
      spec: { providerID: `aws:///${zone.name}/${instanceId}` },
      status: {
        addresses: [
          { type: 'InternalIP', address: ip },
          { type: 'Hostname', address: name }
        ],
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            message: 'kubelet is posting ready status'
          }
        ],
        nodeInfo: {
          architecture: 'amd64',
          operatingSystem: 'linux',
          kubeletVersion: `v${kubernetesVersion.replace(/^v/, '')}.0-eks-testbed`
        }
      }
    })
  }
}

/** `…/amazon-k8s-cni:v1.19.6` → `…/amazon-k8s-cni:v1.19.6-eksbuild.1`, as the EKS add-on ships it. */
function eksBuildImages(object: JsonMap): void {
  const podSpec =
    isMap(object.spec) && isMap(object.spec.template) ? object.spec.template.spec : undefined
  if (!isMap(podSpec)) return
  for (const list of [podSpec.containers, podSpec.initContainers]) {
    if (!Array.isArray(list)) continue
    for (const c of list) {
      if (isMap(c) && typeof c.image === 'string')
        c.image = c.image.replace(/:([^:/@]+)$/, ':$1-eksbuild.1')
    }
  }
}

/** Installs a CNI manifest the way EKS would have, before the test touches the cluster. */
export function seedManifest(
  path: string,
  deps: {
    store: Store
    registry: KindRegistry
    writer: Writer
    controllers: Controllers
    crdType: ResourceType
    dsType: ResourceType
  }
): void {
  const docs = yaml.loadAll(readFileSync(path, 'utf8')).filter(isMap)
  for (const doc of docs) {
    eksBuildImages(doc)
    const { group, version } = splitApiVersion(String(doc.apiVersion))
    const meta = isMap(doc.metadata) ? doc.metadata : {}
    const type = deps.registry
      .all()
      .find((t) => t.group === group && t.version === version && t.kind === doc.kind)
    if (!type) throw new Error(`preinstallManifest: kind ${String(doc.kind)} is not served`)
    const name = String(meta.name)
    const namespace = type.namespaced ? String(meta.namespace ?? 'default') : undefined
    deps.writer.patch({
      type,
      namespace,
      name,
      query: new URLSearchParams({ fieldManager: 'eks', force: 'true' }),
      body: JSON.stringify(doc),
      contentType: 'application/apply-patch+yaml',
      userAgent: 'eks'
    })
    if (type === deps.crdType) deps.controllers.establish(name)
    if (type === deps.dsType) {
      const live = deps.store.peek(type, namespace, name)
      if (live) {
        const nodes = deps.registry.all().find((t) => t.kind === 'Node')
        const n = nodes ? deps.store.list(nodes).length : 0
        const next = structuredClone(live)
        next.status = completeDaemonSetStatus(n, live.metadata.generation ?? 1)
        deps.store.put(type, next, deps.store.ownership(type, namespace, name))
      }
    }
  }
}
