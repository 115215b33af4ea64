/**
 * The write model's pure parts: which mode a run is in, the partial aws-node object a
 * settings-only run applies, the explicit removal of variables another manager set, and the order
 * of the writes that keeps custom networking off until every zone has its ENIConfig.
 */
import type { KubernetesObject, V1Container, V1DaemonSet } from '@kubernetes/client-node'
import {
  AWS_NODE,
  AWS_NODE_INIT_CONTAINER,
  AWS_NODE_NAMESPACE,
  type CniSettings,
  awsNodeEnv,
  isTrue
} from './aws-node.js'

/**
 * SETTINGS: only the managed env of the running aws-node changes. VERSION: the whole manifest of a
 * version (`cni-version` or `manifest`) is applied.
 */
export type WriteMode = 'settings' | 'version'

/** The mode, decided once before any write; every later step reads this value. */
export function decideWriteMode(inputs: { cniVersion?: string; manifest?: unknown }): WriteMode {
  return inputs.cniVersion !== undefined || inputs.manifest !== undefined ? 'version' : 'settings'
}

/** The variable that turns custom networking on. */
export const CUSTOM_NETWORK_CFG = 'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG'

/**
 * The partial DaemonSet of a settings-only run: the env entries the action manages on container
 * aws-node and on the init container, and nothing else. Containers and env merge by name on the
 * server, so every other field keeps its value and its owner. The entries that `live` already has
 * are sent in its order, new ones after them: the server orders shared entries as the applied
 * list does, so any other order would move entries and restart aws-node on every node for nothing.
 */
export function awsNodeSettingsObject(
  settings: CniSettings,
  live?: KubernetesObject
): KubernetesObject {
  const spec = (live as V1DaemonSet | undefined)?.spec?.template?.spec
  const liveOrder = (list: V1Container[] | undefined, name: string): string[] =>
    (list?.find((c) => c.name === name)?.env ?? []).map((e) => e.name)
  const env = (values: Record<string, string>, order: string[]) => {
    const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length)
    return Object.entries(values)
      .map(([name, value], i) => ({ name, value, i }))
      .sort((a, b) => rank(a.name) - rank(b.name) || a.i - b.i)
      .map(({ name, value }) => ({ name, value }))
  }
  const podSpec: Record<string, unknown> = {
    containers: [{ name: AWS_NODE, env: env(settings.env, liveOrder(spec?.containers, AWS_NODE)) }]
  }
  if (Object.keys(settings.initEnv).length > 0) {
    const order = liveOrder(spec?.initContainers, AWS_NODE_INIT_CONTAINER)
    podSpec.initContainers = [{ name: AWS_NODE_INIT_CONTAINER, env: env(settings.initEnv, order) }]
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: AWS_NODE, namespace: AWS_NODE_NAMESPACE },
    spec: { template: { spec: podSpec } }
  } as KubernetesObject
}

/** A JSON patch operation (RFC 6902). */
export interface EnvPatchOp {
  op: 'test' | 'remove'
  path: string
  value?: string
}

/**
 * The JSON patch that removes, from the stored DaemonSet `ds`, the variables `settings` wants
 * absent, and their names. Each removal is guarded by a `test` of the entry's name, so a DaemonSet
 * changed in between fails the patch instead of losing the wrong entry; within a container the
 * entries go from the last index down, so earlier indices stay valid.
 */
export function envRemovalPatch(
  ds: KubernetesObject,
  settings: Pick<CniSettings, 'unset' | 'initUnset'>
): { ops: EnvPatchOp[]; removed: { container: string; name: string }[] } {
  const spec = (ds as V1DaemonSet).spec?.template?.spec
  const ops: EnvPatchOp[] = []
  const removed: { container: string; name: string }[] = []
  const scan = (list: 'containers' | 'initContainers', name: string, unset: readonly string[]) => {
    const containers: V1Container[] = spec?.[list] ?? []
    const index = containers.findIndex((c) => c.name === name)
    if (index < 0 || unset.length === 0) return
    const env = containers[index].env ?? []
    for (let i = env.length - 1; i >= 0; i--) {
      if (!unset.includes(env[i].name)) continue
      const path = `/spec/template/spec/${list}/${index}/env/${i}`
      ops.push({ op: 'test', path: `${path}/name`, value: env[i].name })
      ops.push({ op: 'remove', path })
      removed.push({ container: name, name: env[i].name })
    }
  }
  scan('containers', AWS_NODE, settings.unset ?? [])
  scan('initContainers', AWS_NODE_INIT_CONTAINER, settings.initUnset ?? [])
  return { ops, removed: removed.reverse() }
}

/** Whether aws-node `ds` (absent: no) runs with custom networking on. */
export function customNetworkingOn(ds: KubernetesObject | undefined): boolean {
  return ds !== undefined && isTrue(awsNodeEnv(ds).env[CUSTOM_NETWORK_CFG])
}

/** How the writes of a run depend on each other. */
export interface WriteOrder {
  /** The ENIConfigs wait until the first batch's CRDs are Established (the kind is not served yet). */
  eniConfigsAfterCrds: boolean
  /**
   * aws-node waits for the ENIConfigs: its write turns custom networking on, and no node may see
   * it on before its zone's ENIConfig exists. Otherwise it goes out with the ENIConfigs.
   */
  awsNodeAfterEniConfigs: boolean
}

/**
 * The order of a run's writes: 1 CRDs (and, for a version change, the manifest's other objects),
 * 2 CRDs Established, 3 ENIConfigs, 4 aws-node, 5 rollout. A step waits only for what it needs, so
 * a run that keeps the ENIConfig CRD and custom networking as they are sends its writes together.
 */
export function writeOrder(p: {
  /** The ENIConfig CRD is stored and Established before the run. */
  eniConfigCrdEstablished: boolean
  /** aws-node as it runs, or undefined. */
  liveAwsNode: KubernetesObject | undefined
  /** aws-node as the run leaves it. */
  desiredAwsNode: KubernetesObject
}): WriteOrder {
  const labelOf = (ds: KubernetesObject | undefined) =>
    ds ? (awsNodeEnv(ds).env.ENI_CONFIG_LABEL_DEF ?? '') : ''
  const turnsOn = !customNetworkingOn(p.liveAwsNode)
  // A new label definition while on makes nodes look for ENIConfigs under new names.
  const newLabel = labelOf(p.liveAwsNode) !== labelOf(p.desiredAwsNode)
  return {
    eniConfigsAfterCrds: !p.eniConfigCrdEstablished,
    awsNodeAfterEniConfigs: customNetworkingOn(p.desiredAwsNode) && (turnsOn || newLabel)
  }
}

/**
 * Whether `manager` applied aws-node whole (it owns a container image): an earlier release of the
 * action applied the full manifest under the settings manager. A partial apply by that manager
 * would release every field it alone owns, and the server would delete them.
 */
export function appliedWholeBy(ds: KubernetesObject | undefined, manager: string): boolean {
  return (ds?.metadata?.managedFields ?? []).some(
    (m) =>
      m.manager === manager &&
      m.operation === 'Apply' &&
      JSON.stringify(m.fieldsV1 ?? {}).includes('"f:image"')
  )
}

/**
 * aws-node as it is (metadata labels and annotations, and the spec), to apply under another
 * manager: that manager then co-owns every field, so the settings manager's next partial apply
 * releases nothing that would be deleted. The values are the live ones, so the pod template does
 * not change.
 */
export function handoverObject(ds: KubernetesObject): KubernetesObject {
  const d = ds as V1DaemonSet
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name: AWS_NODE,
      namespace: AWS_NODE_NAMESPACE,
      ...(d.metadata?.labels ? { labels: d.metadata.labels } : {}),
      ...(d.metadata?.annotations ? { annotations: d.metadata.annotations } : {})
    },
    spec: d.spec
  } as KubernetesObject
}
