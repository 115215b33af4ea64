/**
 * The in-memory edit of the `aws-node` DaemonSet: env on container `aws-node`,
 * env on init container `aws-vpc-cni-init`, and the image registry. Pure: the input objects, which
 * are client-node model instances from loadAllYaml, are cloned with their prototypes and never touched.
 */
import type { KubernetesObject, V1Container, V1DaemonSet, V1EnvVar } from '@kubernetes/client-node'
import { ECR_REGISTRY_HOST } from './registry.js'

/** Name of the DaemonSet, and of its main container. */
export const AWS_NODE = 'aws-node'
/** Namespace of the DaemonSet in every official manifest. */
export const AWS_NODE_NAMESPACE = 'kube-system'
/** The init container that reads DISABLE_TCP_EARLY_DEMUX. */
export const AWS_NODE_INIT_CONTAINER = 'aws-vpc-cni-init'

/**
 * The aws-node settings a run applies, as the inputs give them (settings.ts) and as the edits
 * take them: values are strings, as Kubernetes requires.
 */
export interface CniSettings {
  /** Env of container aws-node to set or add. */
  env: Record<string, string>
  /** Env of init container aws-vpc-cni-init to set or add. */
  initEnv: Record<string, string>
  /** Variables of container aws-node that must be absent after the run (an input set to ''). */
  unset?: readonly string[]
  /** Variables of the init container that must be absent after the run. */
  initUnset?: readonly string[]
}

/** Whether `o` is DaemonSet kube-system/aws-node. */
export function isAwsNodeDaemonSet(o: KubernetesObject): o is V1DaemonSet {
  return (
    o.kind === 'DaemonSet' &&
    o.metadata?.name === AWS_NODE &&
    o.metadata?.namespace === AWS_NODE_NAMESPACE
  )
}

/**
 * Returns new objects where the aws-node DaemonSet carries `settings` and, unless `registry` is
 * undefined ('keep'), every ECR image of the DaemonSet points at `registry`. Existing env entries are
 * rewritten in place (a `valueFrom` is dropped), missing ones are appended; nothing else changes.
 *
 * @throws Error when there is no aws-node DaemonSet, no container `aws-node`, or initEnv is
 *   non-empty and there is no init container `aws-vpc-cni-init`
 */
export function editAwsNode(
  objects: KubernetesObject[],
  settings: CniSettings,
  registry: string | undefined
): KubernetesObject[] {
  let found = false
  const edited = objects.map((object) => {
    const copy = cloneDeep(object)
    if (isAwsNodeDaemonSet(copy)) {
      found = true
      editDaemonSet(copy, settings, registry)
    }
    return copy
  })
  if (!found) {
    throw new Error(`The manifest has no DaemonSet ${AWS_NODE_NAMESPACE}/${AWS_NODE} to configure`)
  }
  return edited
}

/** The effective env of container aws-node and the init container, and every image of the DaemonSet. */
export function awsNodeEnv(ds: KubernetesObject): {
  env: Record<string, string>
  initEnv: Record<string, string>
  images: string[]
} {
  const spec = (ds as V1DaemonSet).spec?.template?.spec
  const containers = spec?.containers ?? []
  const initContainers = spec?.initContainers ?? []
  return {
    env: envRecord(containers.find((c) => c.name === AWS_NODE)),
    initEnv: envRecord(initContainers.find((c) => c.name === AWS_NODE_INIT_CONTAINER)),
    images: [...initContainers, ...containers].flatMap((c) => (c.image ? [c.image] : []))
  }
}

/**
 * Whether ipamd reads an aws-node variable as true: Go's strconv.ParseBool true set, which is how
 * ipamd parses its booleans (so `1` and `T` count, `yes` does not).
 */
export function isTrue(value: string | undefined): boolean {
  return value !== undefined && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value.trim())
}

/**
 * An aws-node variable as a whole number, as ipamd reads one with Go's strconv.Atoi (a sign is
 * allowed); undefined when it is unset or not a whole number.
 */
export function envInteger(value: string | undefined): number | undefined {
  if (value === undefined || !/^[+-]?\d+$/.test(value.trim())) return undefined
  return Number(value.trim())
}

/** Moves an image from any EKS add-on ECR registry to `registry`; other images stay as they are. */
export function moveImage(image: string, registry: string): string {
  const slash = image.indexOf('/')
  if (slash < 0 || !ECR_REGISTRY_HOST.test(image.slice(0, slash))) return image
  return `${registry.replace(/\/+$/, '')}${image.slice(slash)}`
}

function editDaemonSet(ds: V1DaemonSet, settings: CniSettings, registry: string | undefined): void {
  const podSpec = ds.spec?.template?.spec
  const where = `DaemonSet ${AWS_NODE_NAMESPACE}/${AWS_NODE}`
  const main = podSpec?.containers.find((c) => c.name === AWS_NODE)
  if (!podSpec || !main) throw new Error(`The manifest's ${where} has no container '${AWS_NODE}'`)
  setEnv(main, settings.env, settings.unset)
  const init = podSpec.initContainers?.find((c) => c.name === AWS_NODE_INIT_CONTAINER)
  if (init && settings.initUnset?.length) setEnv(init, {}, settings.initUnset)
  if (Object.keys(settings.initEnv).length > 0) {
    if (!init) {
      throw new Error(
        `The manifest's ${where} has no init container '${AWS_NODE_INIT_CONTAINER}' to set ` +
          `${Object.keys(settings.initEnv).join(', ')} on`
      )
    }
    setEnv(init, settings.initEnv)
  }
  if (registry === undefined) return
  for (const container of [...(podSpec.initContainers ?? []), ...podSpec.containers]) {
    if (container.image) container.image = moveImage(container.image, registry)
  }
}

function setEnv(
  container: V1Container,
  values: Record<string, string>,
  unset: readonly string[] = []
): void {
  const env: V1EnvVar[] = (container.env ?? []).filter((e) => !unset.includes(e.name))
  for (const [name, value] of Object.entries(values)) {
    const existing = env.filter((e) => e.name === name)
    for (const entry of existing) {
      // A literal value and valueFrom are mutually exclusive in the API.
      entry.value = value
      delete entry.valueFrom
    }
    if (existing.length === 0) env.push({ name, value })
  }
  if (env.length > 0 || container.env) container.env = env
}

function envRecord(container: V1Container | undefined): Record<string, string> {
  const record: Record<string, string> = {}
  for (const entry of container?.env ?? []) {
    // Entries from valueFrom (MY_NODE_NAME, …) have no literal value to compare or show.
    if (entry.valueFrom === undefined) record[entry.name] = entry.value ?? ''
  }
  return record
}

/** Deep copy that keeps prototypes, so model instances stay model instances for the serializer. */
function cloneDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => cloneDeep(item)) as T
  if (value instanceof Date) return new Date(value.getTime()) as T
  if (value !== null && typeof value === 'object') {
    const copy = Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>
    for (const [key, item] of Object.entries(value)) copy[key] = cloneDeep(item)
    return copy as T
  }
  return value
}
