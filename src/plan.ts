/**
 * The dry-run plan: what a real run would change, object by object and field by field, so a
 * reviewer can read it in a pull request. It compares each live object with what the API server
 * answered to the same write sent with dryRun=All, so it shows exactly what the server would store:
 * values set, variables removed (an input set to ''), fields a version change resets, and fields
 * that only change owner. The real run's `changed` comes from the same stored state, so the two
 * agree.
 */
import type { KubernetesObject } from '@kubernetes/client-node'
import { AWS_NODE, AWS_NODE_INIT_CONTAINER, isAwsNodeDaemonSet } from './cni/aws-node.js'
import { ENI_CONFIG } from './cni/eniconfig.js'
import type { Change } from './kube/apply.js'
import { managedEntries, ownedLeaves } from './kube/managed-fields.js'
import { code, text } from './report/markdown.js'

/** One field that would change. undefined means absent. */
export type PlannedField = {
  /** e.g. DaemonSet kube-system/aws-node */
  object: string
  /** e.g. env WARM_IP_TARGET, init env DISABLE_TCP_EARLY_DEMUX, image aws-node, spec.subnet */
  field: string
  before: string | undefined
  after: string | undefined
}

/** What would happen to one object. */
export interface ObjectPlan {
  object: string
  action: 'create' | 'update' | 'unchanged'
  changes: PlannedField[]
}

/** One object: as it is now (undefined = absent), and as the dry-run write says it would be. */
export interface PlanPair {
  live: KubernetesObject | undefined
  after: KubernetesObject
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const MAX_VALUE_LENGTH = 120
/** Metadata the server keeps for itself; a write changes it only along with something shown. */
const SERVER_METADATA = ['resourceVersion', 'generation', 'uid', 'creationTimestamp', 'selfLink']
const SERVER_ANNOTATIONS = ['deprecated.daemonset.template.generation']
/** Field managers and how much they own (not when), so an ownership-only change counts. */
const OWNERS = 'field owners'

/** The plan of each pair, in order. */
export function planChanges(pairs: readonly PlanPair[]): ObjectPlan[] {
  return pairs.map(({ live, after }) => {
    const object = objectName(after)
    if (live === undefined)
      return { object, action: 'create', changes: createdFields(object, after) }
    // An answer without managedFields says nothing about owners (an API server always sends them).
    const owners = managedEntries(after).length > 0
    const [b, a] = [flatten(normalize(live, owners)), flatten(normalize(after, owners))]
    const changes: PlannedField[] = []
    for (const field of [...new Set([...b.keys(), ...a.keys()])]) {
      if (b.get(field) !== a.get(field)) {
        changes.push({ object, field, before: clip(b.get(field)), after: clip(a.get(field)) })
      }
    }
    return { object, action: changes.length > 0 ? 'update' : 'unchanged', changes }
  })
}

/** How a dry-run write would change one object: the same answer the real write gives. */
export function plannedChange(live: KubernetesObject | undefined, after: KubernetesObject): Change {
  const [plan] = planChanges([{ live, after }])
  return plan.action === 'create'
    ? 'created'
    : plan.action === 'update'
      ? 'configured'
      : 'unchanged'
}

/**
 * Dry-run apply results with `change` decided by content: a dry-run answer keeps the live
 * resourceVersion, so the stamps cannot tell. `live` maps refKey to the object read before.
 */
export function withPlannedChanges<
  T extends { key: string; change: Change; object: KubernetesObject }
>(applied: readonly T[], live: ReadonlyMap<string, KubernetesObject | undefined>): T[] {
  return applied.map((a) => ({ ...a, change: plannedChange(live.get(a.key), a.object) }))
}

/** True when a real run would create or change anything. */
export function planChanged(plans: readonly ObjectPlan[]): boolean {
  return plans.some((p) => p.action !== 'unchanged')
}

/**
 * The summary section: one row per object, then a before → after table per changed object. As a
 * `plan` (dry run) it says what a real run would do; as a `result` what this run did.
 */
export function planMarkdown(plans: readonly ObjectPlan[], as: 'plan' | 'result' = 'plan'): string {
  const changed = plans.filter((p) => p.action !== 'unchanged')
  const dry = as === 'plan'
  const lines = [
    dry ? '### Plan' : '### Fields changed',
    '',
    changed.length === 0
      ? `${dry ? 'Nothing would change' : 'Nothing changed'}: all ${plans.length} objects are as a run would apply them.`
      : `${dry ? 'A real run would change' : 'This run changed'} ${changed.length} of ${plans.length} objects. ` +
        'An After of *removed* means the field was deleted.',
    '',
    '| Object | Action | Fields |',
    '|---|---|--:|',
    ...plans.map((p) => `| ${code(p.object)} | ${p.action} | ${p.changes.length} |`),
    ''
  ]
  for (const p of changed) {
    if (p.changes.length === 0) continue
    lines.push(
      `#### ${text(p.object)} (${p.action})`,
      '',
      '| Field | Before | After |',
      '|---|---|---|',
      ...p.changes.map(
        (c) =>
          `| ${code(c.field)} | ${code(c.before)} | ${c.after === undefined ? '*removed*' : code(c.after)} |`
      ),
      ''
    )
  }
  return lines.join('\n')
}

/** What a created object sets that a reviewer looks for: aws-node's env and images, an ENIConfig's spec. */
function createdFields(object: string, after: KubernetesObject): PlannedField[] {
  const all = flatten(normalize(after, false))
  const shown = isAwsNodeDaemonSet(after)
    ? (field: string) => /^(env|init env|image) /.test(field)
    : after.kind === ENI_CONFIG.kind
      ? (field: string) => field.startsWith('spec.')
      : () => false
  return [...all]
    .filter(([field]) => shown(field))
    .map(([field, value]) => ({ object, field, before: undefined, after: clip(value) }))
}

/**
 * Plain JSON without what the server keeps for itself (status, resourceVersion, …), with
 * managedFields reduced to who owns what, and with aws-node's env lists turned into maps.
 */
function normalize(o: KubernetesObject, withOwners: boolean): Json {
  const json = JSON.parse(JSON.stringify(o)) as { [key: string]: Json }
  delete json.status
  const meta = (json.metadata ?? {}) as { [key: string]: Json }
  for (const k of SERVER_METADATA) delete meta[k]
  const annotations = meta.annotations as { [key: string]: Json } | undefined
  for (const k of SERVER_ANNOTATIONS) delete annotations?.[k]
  if (annotations && Object.keys(annotations).length === 0) delete meta.annotations
  const owners = managedEntries(o)
    .filter((e) => withOwners && e.subresource === '')
    .map((e) => `${e.manager} ${e.operation} (${ownedLeaves(e).length} fields)`)
    .sort()
  delete meta.managedFields
  return { ...json, metadata: meta, ...(owners.length > 0 ? { [OWNERS]: owners.join(', ') } : {}) }
}

/**
 * Leaf path → rendered value. Lists whose elements all have a name are keyed by name, as
 * Kubernetes merges them; other lists are one value. aws-node's env, init env and images get short
 * names.
 */
function flatten(json: Json): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (value: Json, path: string): void => {
    if (Array.isArray(value)) {
      const named = value.length > 0 && value.every((v) => typeof field(v, 'name') === 'string')
      if (!named) {
        out.set(shortName(path), render(value))
        return
      }
      for (const v of value) {
        const name = String(field(v, 'name'))
        const at = `${path}[${name}]`
        if (/\.env$/.test(path)) {
          const valueFrom = field(v, 'valueFrom')
          out.set(
            shortName(at),
            valueFrom === undefined ? String(field(v, 'value') ?? '') : render(valueFrom)
          )
        } else walk(v, at)
      }
      return
    }
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k)
      return
    }
    out.set(shortName(path), render(value))
  }
  walk(json, '')
  return out
}

function shortName(path: string): string {
  const pod = 'spec.template.spec.'
  if (!path.startsWith(pod)) return path
  const rest = path.slice(pod.length)
  const env = /^(containers|initContainers)\[([^\]]+)\]\.env\[(.+)\]$/.exec(rest)
  if (env) {
    const [, list, container, name] = env
    if (list === 'containers' && container === AWS_NODE) return `env ${name}`
    if (list === 'initContainers' && container === AWS_NODE_INIT_CONTAINER)
      return `init env ${name}`
    return `${container} env ${name}`
  }
  const image = /^(?:containers|initContainers)\[([^\]]+)\]\.image$/.exec(rest)
  return image ? `image ${image[1]}` : path
}

function objectName(o: KubernetesObject): string {
  const ns = o.metadata?.namespace
  return `${o.kind ?? 'Object'} ${ns ? `${ns}/` : ''}${o.metadata?.name ?? '(unnamed)'}`
}

/** A member of a JSON object; undefined for anything else. */
function field(o: Json | undefined, name: string): Json | undefined {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return undefined
  return o[name]
}

function render(value: Json): string {
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(', ')
  return typeof value === 'string' ? value : JSON.stringify(value)
}

function clip(s: string | undefined): string | undefined {
  if (s === undefined) return undefined
  return s.length > MAX_VALUE_LENGTH ? `${s.slice(0, MAX_VALUE_LENGTH - 1)}…` : s
}
