/**
 * Who owns the fields a run is about to change, read from `metadata.managedFields` before any
 * write. A field owned by `eks` means the cluster runs the EKS managed add-on, whose fields the
 * action must not force over. A field owned by any other manager is taken over by the forced
 * apply; that is reported, and warned about when the manager is not the one that installed the
 * CNI, since that tool may set the field back on its next sync.
 */
import type { KubernetesObject } from '@kubernetes/client-node'
import { AWS_NODE, AWS_NODE_INIT_CONTAINER, isAwsNodeDaemonSet } from '../cni/aws-node.js'
import { FIELD_MANAGER } from '../constants.js'
import { shellWord } from '../report/markdown.js'
import {
  type FieldPath,
  type ManagedEntry,
  type Segment,
  deepEqual,
  formatPath,
  managedEntries,
  ownersOf
} from './managed-fields.js'
import { asObject, isObject } from '../json.js'

/** The field manager of the EKS managed add-on. */
export const EKS_ADDON_MANAGER = 'eks'

/** A field a write sets (after) or removes (after undefined), with its live value. */
export interface FieldChange {
  path: FieldPath
  before: unknown
  after: unknown
}

/** One object a run writes: what it holds now, what the run sends, and what it removes. */
export interface OwnershipInput {
  live: KubernetesObject | undefined
  desired: KubernetesObject
  /** Fields removed outright (an input set to ''), beyond the ones `desired` changes. */
  removals?: readonly FieldPath[]
}

/** Fields of one object that another manager owns and the run would change. */
export interface Takeover {
  /** e.g. DaemonSet kube-system/aws-node */
  object: string
  manager: string
  /** The manager is the one that installed the CNI (it owns aws-node's images). */
  installer: boolean
  fields: string[]
}

export interface OwnershipReport {
  /** The manager that owns aws-node's images, if it can be told. */
  installer?: string
  /** Changed fields owned by the EKS add-on: the run must not write. */
  addon: Takeover[]
  /** Changed fields owned by other managers: the forced apply takes them over. */
  takeovers: Takeover[]
}

/**
 * Lists merged by key rather than replaced whole, by field name, as the Kubernetes schema declares
 * them for the kinds a VPC CNI manifest holds. Every other list is atomic.
 */
const MERGE_KEYS: Readonly<Record<string, readonly string[]>> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  volumeMounts: ['mountPath'],
  volumeDevices: ['devicePath'],
  ports: ['containerPort', 'protocol'],
  imagePullSecrets: ['name'],
  hostAliases: ['ip']
}
const KEY_DEFAULTS: Readonly<Record<string, unknown>> = { protocol: 'TCP' }

/** The path of env `name` on container `container` (or init container) of a pod template. */
export function envPath(container: string, name: string, init = false): FieldPath {
  return [
    { field: 'spec' },
    { field: 'template' },
    { field: 'spec' },
    { field: init ? 'initContainers' : 'containers' },
    { key: { name: container } },
    { field: 'env' },
    { key: { name } }
  ]
}

/**
 * The leaves `desired` sets whose live value differs (all of them when `live` is undefined). The
 * object's identity (apiVersion, kind, name, namespace) and server fields are not changes.
 */
export function changedFields(live: unknown, desired: unknown): FieldChange[] {
  const out: FieldChange[] = []
  const d = asObject(plain(desired))
  const l = asObject(plain(live))
  const meta = asObject(d.metadata)
  for (const name of ['labels', 'annotations']) {
    if (meta[name] !== undefined) {
      walk(meta[name], asObject(l.metadata)[name], [{ field: 'metadata' }, { field: name }], out)
    }
  }
  for (const [k, v] of Object.entries(d)) {
    if (['apiVersion', 'kind', 'metadata', 'status'].includes(k) || v === undefined) continue
    walk(v, l[k], [{ field: k }], out)
  }
  return out
}

/**
 * Who owns the fields the run would change. `self` (the action's own manager) and subresource
 * entries (status) never count.
 */
export function analyzeOwnership(
  inputs: readonly OwnershipInput[],
  self: string = FIELD_MANAGER
): OwnershipReport {
  const ds = inputs.find((i) => isAwsNodeDaemonSet(i.desired))?.live
  const installer = ds ? installerOf(ds, self) : undefined
  const addon = new Map<string, Takeover>()
  const takeovers = new Map<string, Takeover>()
  for (const { live, desired, removals = [] } of inputs) {
    if (!live) continue
    const entries = managedEntries(live).filter((e) => e.manager !== self)
    const object = objectName(desired)
    const changes = [...changedFields(live, desired).map((c) => c.path), ...removals]
    for (const path of changes) {
      for (const owner of ownersOf(entries, path)) {
        const target = owner.manager === EKS_ADDON_MANAGER ? addon : takeovers
        const id = `${object}\u0000${owner.manager}`
        const t = target.get(id) ?? {
          object,
          manager: owner.manager,
          installer: owner.manager === installer,
          fields: []
        }
        const field = describeField(path)
        if (!t.fields.includes(field)) t.fields.push(field)
        target.set(id, t)
      }
    }
  }
  return {
    ...(installer !== undefined ? { installer } : {}),
    addon: [...addon.values()],
    takeovers: [...takeovers.values()]
  }
}

/**
 * The manager that installed the CNI: the owner of container aws-node's image, else of any
 * container image of the DaemonSet; not `self`.
 */
export function installerOf(ds: unknown, self: string = FIELD_MANAGER): string | undefined {
  const entries = managedEntries(ds).filter((e) => e.manager !== self)
  const image = (list: string, name: string): FieldPath => [
    ...envPath(name, '', list === 'initContainers').slice(0, 5),
    { field: 'image' }
  ]
  const first = (path: FieldPath): ManagedEntry | undefined => ownersOf(entries, path)[0]
  const main = first(image('containers', AWS_NODE))
  if (main) return main.manager
  const spec = asObject(asObject(asObject(asObject(plain(ds)).spec).template).spec)
  for (const list of ['containers', 'initContainers']) {
    const containers = Array.isArray(spec[list]) ? (spec[list] as unknown[]) : []
    for (const c of containers) {
      const name = asObject(c).name
      const owner = typeof name === 'string' ? first(image(list, name)) : undefined
      if (owner) return owner.manager
    }
  }
  return undefined
}

/**
 * The error that stops the run before any write when the EKS add-on owns a field the run would
 * change; undefined otherwise.
 */
export function addonError(
  report: OwnershipReport,
  cluster?: { name: string; region: string }
): Error | undefined {
  if (report.addon.length === 0) return undefined
  const fields = report.addon.flatMap((t) => t.fields.map((f) => `${t.object}: ${f}`))
  const where = cluster
    ? ` --cluster-name ${shellWord(cluster.name)} --region ${shellWord(cluster.region)}`
    : ''
  return new Error(
    'This cluster runs the VPC CNI as an EKS managed add-on: field manager ' +
      `'${EKS_ADDON_MANAGER}' owns ${fields.length} field(s) this run would change ` +
      `(${fields.join('; ')}). Nothing was changed. Writing over them would make EKS stop ` +
      'managing the add-on, and its next update would set them back. Set these values through ' +
      `the add-on instead (aws eks update-addon${where} --addon-name vpc-cni --configuration-values).`
  )
}

/** "env WARM_IP_TARGET", "init env X", "image aws-node", or the full path. */
export function describeField(path: FieldPath): string {
  const p = formatPath(path)
  const m =
    /^\.spec\.template\.spec\.(containers|initContainers)\[name="([^"]+)"\]\.(env\[name="([^"]+)"\](?:\.value)?|image)$/.exec(
      p
    )
  if (!m) return p
  const [, list, container, what, env] = m
  if (what === 'image') return `image ${container}`
  if (list === 'containers' && container === AWS_NODE) return `env ${env}`
  if (list === 'initContainers' && container === AWS_NODE_INIT_CONTAINER) return `init env ${env}`
  return `${container} env ${env}`
}

function walk(desired: unknown, live: unknown, path: Segment[], out: FieldChange[]): void {
  if (Array.isArray(desired)) {
    const last = path[path.length - 1]
    const keys = last && 'field' in last ? MERGE_KEYS[last.field] : undefined
    if (keys && desired.every(isObject)) {
      const liveList = Array.isArray(live) ? live : []
      for (const element of desired as Record<string, unknown>[]) {
        const key = keyOf(element, keys)
        const match = liveList.find((l) => deepEqual(keyOf(asObject(l), keys), key))
        const at = [...path, { key }]
        if (match === undefined) out.push({ path: at, before: undefined, after: element })
        else {
          for (const [k, v] of Object.entries(element)) {
            if (!keys.includes(k) && v !== undefined)
              walk(v, asObject(match)[k], [...at, { field: k }], out)
          }
        }
      }
      return
    }
    if (!deepEqual(desired, live)) out.push({ path, before: live, after: desired })
    return
  }
  if (desired !== null && typeof desired === 'object') {
    const entries = Object.entries(desired).filter(([, v]) => v !== undefined)
    if (entries.length === 0 || live === null || typeof live !== 'object' || Array.isArray(live)) {
      if (!deepEqual(desired, live)) out.push({ path, before: live, after: desired })
      return
    }
    for (const [k, v] of entries) walk(v, asObject(live)[k], [...path, { field: k }], out)
    return
  }
  if (!deepEqual(desired, live)) out.push({ path, before: live, after: desired })
}

function keyOf(element: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const key: Record<string, unknown> = {}
  for (const k of keys) {
    const v = element[k] ?? KEY_DEFAULTS[k]
    if (v !== undefined) key[k] = v
  }
  return key
}

function objectName(o: KubernetesObject): string {
  const ns = o.metadata?.namespace
  return `${o.kind ?? 'Object'} ${ns ? `${ns}/` : ''}${o.metadata?.name ?? '(unnamed)'}`
}

/** Plain JSON of a model instance: Dates become strings, undefined members vanish. */
function plain(o: unknown): unknown {
  return o === undefined ? undefined : (JSON.parse(JSON.stringify(o)) as unknown)
}
