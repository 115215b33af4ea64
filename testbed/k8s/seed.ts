/**
 * The state of a fresh EKS cluster: the four system namespaces, worker nodes spread over the
 * zones, and optionally the VPC CNI as EKS installs it, with the managedFields each writer leaves:
 * - `helm` (default): the self-managed CNI that EKS preinstalls with Helm, created by manager
 *   `helm` (operation Update) and labelled `app.kubernetes.io/managed-by: Helm`;
 * - `eks-addon`: the EKS managed add-on, server-side applied by manager `eks`.
 * Images are tagged `-eksbuild.1`, CRDs are Established (status by `kube-apiserver`), aws-node is
 * fully rolled out at generation 1 (status by `kube-controller-manager`). Everything seeded is
 * dated back: the cluster and the CNI two hours, the nodes one hour before the emulator started.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import yaml from 'js-yaml'
import { completeDaemonSetStatus, DS_MANAGER, type Controllers } from './controllers.js'
import type { KindRegistry, ResourceType } from './kinds.js'
import { splitApiVersion } from './kinds.js'
import { systemCreate, systemWrite } from './objects.js'
import type { Store } from './store.js'
import { isMap, rfc3339, type JsonMap } from './types.js'
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

/** How the CNI was installed: which field manager wrote it, and how. */
export type InstallStyle = 'helm' | 'eks-addon'

/** Helm's release of the CNI chart, as EKS preinstalls it. */
const HELM_RELEASE = { name: 'aws-vpc-cni', namespace: 'kube-system' }

export function seedNamespaces(store: Store, nsType: ResourceType): void {
  for (const name of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) {
    // kube-apiserver creates them with their name label; spec and status are server defaults.
    const created = systemCreate(
      store,
      nsType,
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: { 'kubernetes.io/metadata.name': name } }
      },
      'kube-apiserver'
    )
    const next = structuredClone(created)
    next.spec = { finalizers: ['kubernetes'] }
    next.status = { phase: 'Active' }
    store.put(nsType, next, store.ownership(nsType, undefined, name))
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
    // The kubelet registers its node and reports its status.
    systemCreate(
      store,
      nodeType,
      {
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
      },
      'kubelet'
    )
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

/** The labels and annotations `helm install` puts on every object of a release. */
function helmMetadata(object: JsonMap): void {
  const meta: JsonMap = isMap(object.metadata) ? object.metadata : (object.metadata = {})
  meta.labels = {
    ...(isMap(meta.labels) ? meta.labels : {}),
    'app.kubernetes.io/managed-by': 'Helm'
  }
  meta.annotations = {
    ...(isMap(meta.annotations) ? meta.annotations : {}),
    'meta.helm.sh/release-name': HELM_RELEASE.name,
    'meta.helm.sh/release-namespace': HELM_RELEASE.namespace
  }
}

/** Installs a CNI manifest the way EKS would have, before the test touches the cluster. */
export function seedManifest(
  path: string,
  style: InstallStyle,
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
    if (style === 'eks-addon') {
      deps.writer.patch({
        type,
        namespace,
        name,
        query: new URLSearchParams({ fieldManager: 'eks', force: 'true' }),
        body: JSON.stringify(doc),
        contentType: 'application/apply-patch+yaml',
        userAgent: 'eks'
      })
    } else {
      // Helm 3 creates each object (POST) with field manager `helm`, the name of its binary.
      helmMetadata(doc)
      deps.writer.create({
        type,
        namespace,
        query: new URLSearchParams({ fieldManager: 'helm' }),
        body: JSON.stringify(doc),
        contentType: 'application/json',
        userAgent: 'Helm/3.16.2'
      })
    }
    if (type === deps.crdType) deps.controllers.establish(name)
    if (type === deps.dsType) {
      const live = deps.store.peek(type, namespace, name)
      if (live) {
        const nodes = deps.registry.all().find((t) => t.kind === 'Node')
        const n = nodes ? deps.store.list(nodes).length : 0
        const next = structuredClone(live)
        next.status = completeDaemonSetStatus(n, live.metadata.generation ?? 1)
        systemWrite(deps.store, type, next, DS_MANAGER, 'status')
      }
    }
  }
}

/** How long before the emulator started the seeded cluster came up, and its nodes joined. */
export const CLUSTER_AGE_MS = 2 * 60 * 60 * 1000
export const NODE_AGE_MS = 60 * 60 * 1000

/**
 * Dates everything seeded back to when it would have happened on a real cluster: the control
 * plane, its namespaces and the CNI at cluster creation, the nodes when they joined later. Creation
 * times, managedFields times and condition transition times all move, so a change made by a test
 * is always later than what the cluster started with, even within the same second.
 */
export function backdateSeed(store: Store, types: ResourceType[], startedAt: number): void {
  const seen = new Set<string>()
  for (const type of types) {
    if (seen.has(`${type.group}|${type.resource}`)) continue
    seen.add(`${type.group}|${type.resource}`)
    const at = rfc3339(new Date(startedAt - (type.kind === 'Node' ? NODE_AGE_MS : CLUSTER_AGE_MS)))
    for (const object of store.list(type)) {
      const { namespace, name } = object.metadata
      const next = structuredClone(object)
      next.metadata.creationTimestamp = at
      const conditions = isMap(next.status) ? next.status.conditions : undefined
      if (Array.isArray(conditions))
        for (const c of conditions) if (isMap(c) && c.lastTransitionTime) c.lastTransitionTime = at
      const ownership = structuredClone(store.ownership(type, namespace, name))
      for (const entry of Object.values(ownership)) entry.time = at
      store.put(type, next, ownership)
    }
  }
}
