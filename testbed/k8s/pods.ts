/**
 * DaemonSet pods, one per node, kept in step with the simulated rollout: the first `updated` nodes
 * (by name) run a pod of the current generation, the others keep their old pod. Clients that
 * diagnose a stuck rollout list them by the DaemonSet's selector and read `pod-template-generation`
 * and `spec.nodeName`, as on a real cluster.
 */
import { randomBytes } from 'node:crypto'
import type { ResourceType } from './kinds.js'
import { systemCreate } from './objects.js'
import type { Store } from './store.js'
import { isMap, type JsonMap, type KubeObject } from './types.js'

const GENERATION_LABEL = 'pod-template-generation'

function ownedBy(pod: KubeObject, ds: KubeObject): boolean {
  const refs = pod.metadata.ownerReferences
  return Array.isArray(refs) && refs.some((r) => isMap(r) && r.uid === ds.metadata.uid)
}

/** Pods owned by a DaemonSet (by uid, as the garbage collector tracks them). */
export function daemonSetPods(store: Store, podType: ResourceType, ds: KubeObject): KubeObject[] {
  return store.list(podType, ds.metadata.namespace).filter((p) => ownedBy(p, ds))
}

function newPod(ds: KubeObject, nodeName: string, generation: number, ip: string): KubeObject {
  const spec = isMap(ds.spec) ? ds.spec : {}
  const template = isMap(spec.template) ? spec.template : {}
  const tmeta = isMap(template.metadata) ? template.metadata : {}
  const podSpec: JsonMap = isMap(template.spec) ? structuredClone(template.spec) : {}
  podSpec.nodeName = nodeName
  const labels = isMap(tmeta.labels) ? (tmeta.labels as Record<string, string>) : {}
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${ds.metadata.name}-${randomBytes(4).toString('hex').slice(0, 5)}`,
      namespace: ds.metadata.namespace,
      labels: { ...labels, [GENERATION_LABEL]: String(generation) },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          name: ds.metadata.name,
          uid: ds.metadata.uid,
          controller: true,
          blockOwnerDeletion: true
        }
      ]
    },
    spec: podSpec,
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      hostIP: ip,
      podIP: ip
    }
  }
}

/** The DaemonSet controller creates the pod; the kubelet of its node reports its status. */
function put(store: Store, podType: ResourceType, pod: KubeObject): void {
  systemCreate(store, podType, pod, 'kube-controller-manager', 'kubelet')
}

/**
 * Replaces the pods of the first `updated` nodes with current-generation pods; nodes without a pod
 * get one only when they are among the updated. Pods on nodes that no longer exist are removed.
 */
export function syncDaemonSetPods(
  store: Store,
  types: { pod: ResourceType; node: ResourceType },
  ds: KubeObject,
  updated: number
): void {
  const generation = ds.metadata.generation ?? 1
  const nodes = store.list(types.node)
  const pods = daemonSetPods(store, types.pod, ds)
  const nodeOf = (p: KubeObject): string =>
    isMap(p.spec) && typeof p.spec.nodeName === 'string' ? p.spec.nodeName : ''
  nodes.forEach((node, i) => {
    const name = node.metadata.name
    const current = pods.filter((p) => nodeOf(p) === name)
    const upToDate = current.some(
      (p) => p.metadata.labels?.[GENERATION_LABEL] === String(generation)
    )
    if (i >= updated || upToDate) return
    for (const p of current) store.remove(types.pod, p.metadata.namespace, p.metadata.name)
    const addresses =
      isMap(node.status) && Array.isArray(node.status.addresses) ? node.status.addresses : []
    const internal = addresses.find((a) => isMap(a) && a.type === 'InternalIP')
    const ip = isMap(internal) ? String(internal.address) : ''
    put(store, types.pod, newPod(ds, name, generation, ip))
  })
  const names = new Set(nodes.map((n) => n.metadata.name))
  for (const p of pods) {
    if (!names.has(nodeOf(p))) store.remove(types.pod, p.metadata.namespace, p.metadata.name)
  }
}

/** Removes a deleted DaemonSet's pods (the garbage collector's job, done at once here). */
export function deleteDaemonSetPods(store: Store, podType: ResourceType, ds: KubeObject): void {
  for (const p of daemonSetPods(store, podType, ds)) {
    store.remove(podType, p.metadata.namespace, p.metadata.name)
  }
}
