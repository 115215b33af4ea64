/**
 * A version change applies a whole manifest, which would reset what the running aws-node was set
 * to. Like the EKS add-on's PRESERVE, the live env and init env that no input sets are carried over,
 * and so are the nodeagent's arguments; a version older than the running one is refused unless the
 * user allows it.
 */
import type { KubernetesObject, V1Container, V1DaemonSet } from '@kubernetes/client-node'
import { type CniSettings, awsNodeEnv } from './aws-node.js'

/** The network policy agent's container in every manifest since v1.14. */
export const NODEAGENT = 'aws-eks-nodeagent'

/** Variables a manifest sets to describe its own release: they follow the manifest, never the live value. */
const RELEASE_STAMPS: readonly string[] = ['VPC_CNI_VERSION']

/** -1, 0 or 1 as release `a` is older than, the same as or newer than `b` (vX.Y.Z). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.replace(/^v/, '').split('.').map(Number)
  const [x, y] = [parts(a), parts(b)]
  for (let i = 0; i < 3; i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0) ? -1 : 1
  }
  return 0
}

/**
 * The settings a version change applies: the inputs' settings, plus every literal env and init-env
 * value of the live aws-node that the inputs neither set nor remove (but for release stamps such as
 * VPC_CNI_VERSION, which follow the manifest).
 */
export function preservedSettings(
  live: KubernetesObject | undefined,
  settings: CniSettings
): CniSettings {
  if (!live) return settings
  const have = awsNodeEnv(live)
  const keep = (
    liveEnv: Record<string, string>,
    set: Record<string, string>,
    unset: readonly string[] = []
  ): Record<string, string> => {
    const carried = Object.entries(liveEnv).filter(
      ([k]) => !(k in set) && !unset.includes(k) && !RELEASE_STAMPS.includes(k)
    )
    return { ...Object.fromEntries(carried), ...set }
  }
  return {
    env: keep(have.env, settings.env, settings.unset),
    initEnv: keep(have.initEnv, settings.initEnv, settings.initUnset),
    unset: settings.unset,
    initUnset: settings.initUnset
  }
}

/**
 * Gives the nodeagent container of `ds` (a fresh copy, edited in place) the live `--flag=value`
 * arguments: a flag the manifest also has takes the live value, and the network-policy switch is
 * added when the manifest lacks it. Returns the flags that took a live value.
 */
export function carryNodeagentArgs(
  ds: KubernetesObject,
  live: KubernetesObject | undefined
): string[] {
  const target = nodeagent(ds)
  const source = nodeagent(live)
  if (!target || !source) return []
  const liveFlags = new Map(source.args?.flatMap((a) => flagOf(a)) ?? [])
  const carried: string[] = []
  const args = (target.args ?? []).map((arg) => {
    const [entry] = flagOf(arg)
    if (!entry || !liveFlags.has(entry[0])) return arg
    const value = liveFlags.get(entry[0])
    if (value !== entry[1]) carried.push(entry[0])
    liveFlags.delete(entry[0])
    return `--${entry[0]}=${value}`
  })
  const policy = liveFlags.get('enable-network-policy')
  if (policy !== undefined) {
    args.push(`--enable-network-policy=${policy}`)
    carried.push('enable-network-policy')
  }
  target.args = args
  return carried
}

/** Fields a whole-manifest apply changes on aws-node besides the settings: images and nodeagent args. */
export function versionResets(
  live: KubernetesObject | undefined,
  desired: KubernetesObject
): { field: string; before: string | undefined; after: string | undefined }[] {
  if (!live) return []
  const resets: { field: string; before: string | undefined; after: string | undefined }[] = []
  const byName = (ds: KubernetesObject) => {
    const spec = (ds as V1DaemonSet).spec?.template?.spec
    return new Map(
      [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c) => [c.name, c])
    )
  }
  const before = byName(live)
  for (const [name, c] of byName(desired)) {
    const old = before.get(name)
    if (old?.image !== c.image)
      resets.push({ field: `image ${name}`, before: old?.image, after: c.image })
    const [a, b] = [(old?.args ?? []).join(' '), (c.args ?? []).join(' ')]
    if (old && a !== b) resets.push({ field: `args ${name}`, before: a, after: b })
  }
  const [was, now] = [awsNodeEnv(live), awsNodeEnv(desired)]
  for (const [prefix, w, n] of [
    ['env', was.env, now.env],
    ['init env', was.initEnv, now.initEnv]
  ] as const) {
    for (const k of Object.keys(w)) {
      if (!(k in n)) resets.push({ field: `${prefix} ${k}`, before: w[k], after: undefined })
    }
  }
  return resets
}

function nodeagent(ds: KubernetesObject | undefined): V1Container | undefined {
  return (ds as V1DaemonSet | undefined)?.spec?.template?.spec?.containers.find(
    (c) => c.name === NODEAGENT
  )
}

function flagOf(arg: string): [string, string][] {
  const m = /^--?([A-Za-z0-9-]+)=(.*)$/.exec(arg)
  return m ? [[m[1], m[2]]] : []
}
