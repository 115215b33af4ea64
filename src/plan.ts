/**
 * The dry-run diff (issue 4 item 4): what a real run would change, object by object and field by
 * field, so a reviewer can read it in a pull request. Only the fields the apply sets count; what the
 * server adds (status, defaults, resourceVersion) is never a change.
 */
import type { KubernetesObject } from '@kubernetes/client-node'
import { awsNodeEnv, isAwsNodeDaemonSet } from './cni/aws-node.js'

/** One field that would change. undefined means absent. */
export type Change = {
  /** e.g. DaemonSet kube-system/aws-node */
  object: string
  /** e.g. env WARM_IP_TARGET, init env DISABLE_TCP_EARLY_DEMUX, image aws-node, subnet */
  field: string
  before: string | undefined
  after: string | undefined
}

/** What would happen to one object. */
export interface ObjectPlan {
  object: string
  action: 'create' | 'update' | 'unchanged'
  changes: Change[]
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Diff = { path: string; before: Json | undefined; after: Json | undefined }

// The DaemonSet's env and images get their own rows; the generic diff skips them.
const CONTAINER_FIELDS =
  /^spec\.template\.spec\.(initContainers|containers)\[[^\]]*\]\.(env|image)\b/
const ENI_CONFIG_FIELDS = /^spec\.(subnet|securityGroups)\b/
const MAX_VALUE_LENGTH = 120

/**
 * Compares live objects (undefined = absent) with the objects a run would apply: the aws-node
 * DaemonSet per env var of container aws-node, per init env var and per container image;
 * ENIConfigs by subnet and securityGroups; every object also by the other fields it sets. Live
 * and desired objects must have the same shape, e.g. both client-node models (from the API and
 * from loadAllYaml); they are compared as plain JSON, so Date fields do not matter.
 */
export function planChanges(
  pairs: { live: KubernetesObject | undefined; desired: KubernetesObject }[]
): ObjectPlan[] {
  return pairs.map(({ live, desired }) => {
    const object = objectName(desired)
    const before = live === undefined ? undefined : plain(live)
    const after = plain(desired)
    const changes: Change[] = []
    let skip: RegExp | undefined
    if (isAwsNodeDaemonSet(desired)) {
      changes.push(...daemonSetChanges(object, live, desired))
      skip = CONTAINER_FIELDS
    } else if (desired.kind === 'ENIConfig') {
      changes.push(...eniConfigChanges(object, before, after))
      skip = ENI_CONFIG_FIELDS
    }
    if (before === undefined) return { object, action: 'create', changes }
    for (const d of subsetDiff(after, before, '')) {
      if (skip?.test(d.path)) continue
      changes.push({ object, field: d.path, before: render(d.before), after: render(d.after) })
    }
    return { object, action: changes.length > 0 ? 'update' : 'unchanged', changes }
  })
}

/** True when a real run would create or change anything. */
export function planChanged(plans: ObjectPlan[]): boolean {
  return plans.some((p) => p.action !== 'unchanged')
}

/** The summary section: one row per object, then a before → after table per changed object. */
export function planMarkdown(plans: ObjectPlan[]): string {
  const changed = plans.filter((p) => p.action !== 'unchanged')
  const lines = [
    '### Plan',
    '',
    changed.length === 0
      ? `Nothing would change: all ${plans.length} objects are as a run would apply them.`
      : `A real run would change ${changed.length} of ${plans.length} objects.`,
    '',
    '| Object | Action | Fields |',
    '|---|---|--:|',
    ...plans.map((p) => `| ${code(p.object)} | ${p.action} | ${p.changes.length} |`),
    ''
  ]
  for (const p of changed) {
    if (p.changes.length === 0) continue
    lines.push(
      `#### ${p.object} (${p.action})`,
      '',
      '| Field | Before | After |',
      '|---|---|---|',
      ...p.changes.map((c) => `| ${escapeCell(c.field)} | ${code(c.before)} | ${code(c.after)} |`),
      ''
    )
  }
  return lines.join('\n')
}

function daemonSetChanges(
  object: string,
  live: KubernetesObject | undefined,
  desired: KubernetesObject
): Change[] {
  const want = awsNodeEnv(desired)
  const have = live ? awsNodeEnv(live) : { env: {}, initEnv: {} }
  const changes: Change[] = []
  const compare = (
    prefix: string,
    after: Record<string, string>,
    before: Record<string, string>
  ) => {
    for (const [name, value] of Object.entries(after)) {
      if (before[name] !== value) {
        changes.push({ object, field: `${prefix} ${name}`, before: before[name], after: value })
      }
    }
  }
  compare('env', want.env, have.env)
  compare('init env', want.initEnv, have.initEnv)
  compare('image', containerImages(desired), live ? containerImages(live) : {})
  return changes
}

function eniConfigChanges(object: string, live: Json | undefined, desired: Json): Change[] {
  const [before, after] = [field(live, 'spec'), field(desired, 'spec')]
  const changes: Change[] = []
  // securityGroups counts even when the desired object omits it: SSA removes a list we applied before.
  for (const name of ['subnet', 'securityGroups']) {
    const [b, a] = [render(field(before, name)), render(field(after, name))]
    if (b !== a) changes.push({ object, field: name, before: b, after: a })
  }
  return changes
}

/** image by container name, init containers included. */
function containerImages(o: KubernetesObject): Record<string, string> {
  const spec = field(field(field(plain(o), 'spec'), 'template'), 'spec')
  const images: Record<string, string> = {}
  for (const list of [field(spec, 'initContainers'), field(spec, 'containers')]) {
    for (const c of Array.isArray(list) ? list : []) {
      const [name, image] = [field(c, 'name'), field(c, 'image')]
      if (typeof name === 'string' && typeof image === 'string') images[name] = image
    }
  }
  return images
}

/**
 * The paths where `desired` is not contained in `live`. Lists whose elements all have a name are
 * matched by name (containers, env), as Kubernetes merges them; other lists must match whole.
 */
function subsetDiff(desired: Json, live: Json | undefined, path: string): Diff[] {
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return [{ path, before: live, after: desired }]
    if (desired.length > 0 && desired.every((d) => typeof field(d, 'name') === 'string')) {
      return desired.flatMap((d) => {
        const name = field(d, 'name')
        return subsetDiff(
          d,
          live.find((l) => field(l, 'name') === name),
          `${path}[${String(name)}]`
        )
      })
    }
    if (desired.length !== live.length) return [{ path, before: live, after: desired }]
    return desired.flatMap((d, i) => subsetDiff(d, live[i], `${path}[${i}]`))
  }
  if (desired !== null && typeof desired === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) {
      return [{ path, before: live, after: desired }]
    }
    return Object.entries(desired).flatMap(([key, value]) =>
      subsetDiff(value, live[key], path ? `${path}.${key}` : key)
    )
  }
  return desired === live ? [] : [{ path, before: live, after: desired }]
}

function objectName(o: KubernetesObject): string {
  const ns = o.metadata?.namespace
  return `${o.kind ?? 'Object'} ${ns ? `${ns}/` : ''}${o.metadata?.name ?? '(unnamed)'}`
}

/** Plain JSON of a model instance: Dates become strings, undefined members vanish. */
function plain(o: unknown): Json {
  return JSON.parse(JSON.stringify(o ?? null)) as Json
}

/** A member of a JSON object; undefined for anything else. */
function field(o: Json | undefined, name: string): Json | undefined {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return undefined
  return o[name]
}

function render(value: Json | undefined): string | undefined {
  if (value === undefined) return undefined
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(', ')
  const s = typeof value === 'string' ? value : JSON.stringify(value)
  return s.length > MAX_VALUE_LENGTH ? `${s.slice(0, MAX_VALUE_LENGTH - 1)}…` : s
}

function code(s: string | undefined): string {
  return s === undefined ? '—' : `\`${escapeCell(s.replace(/`/g, "'"))}\``
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}
