/**
 * What the vpc-cni add-on installs for one version and one set of configurationValues: the
 * upstream manifest's objects with images tagged `-eksbuild.N`, the cluster's IP family settings,
 * `env` merged into the aws-node container, `init.env` into the init container,
 * `enableNetworkPolicy` into the node agent's argument, and one ENIConfig per `eniConfig.subnets`
 * key (named by the key, as the aws-vpc-cni chart's eniconfig template does) when `create` is true.
 */
import { readFileSync } from 'node:fs'
import * as yaml from 'js-yaml'
import type { ConfigValues } from './addon-config.js'

export type Obj = Record<string, unknown>

export interface RenderOptions {
  /** e.g. `v1.19.6-eksbuild.2`: images get its `-eksbuild.2`. */
  addonVersion: string
  values: ConfigValues
  ipFamily: 'ipv4' | 'ipv6'
}

export const AWS_NODE = 'aws-node'
export const INIT_CONTAINER = 'aws-vpc-cni-init'
export const NODE_AGENT = 'aws-eks-nodeagent'
export const ENICONFIG_API = 'crd.k8s.amazonaws.com/v1alpha1'

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The env an IPv6 cluster's aws-node runs with (EKS sets these for the ipv6 family). */
export const IPV6_ENV: Record<string, string> = {
  ENABLE_IPv6: 'true',
  ENABLE_IPv4: 'false',
  ENABLE_PREFIX_DELEGATION: 'true'
}

function podSpec(obj: Obj): Obj | undefined {
  const spec = isObj(obj.spec) && isObj(obj.spec.template) ? obj.spec.template.spec : undefined
  return isObj(spec) ? spec : undefined
}

function container(obj: Obj, name: string): Obj | undefined {
  const spec = podSpec(obj)
  if (!spec) return undefined
  for (const list of [spec.containers, spec.initContainers]) {
    if (!Array.isArray(list)) continue
    const c = list.find((x) => isObj(x) && x.name === name)
    if (isObj(c)) return c
  }
  return undefined
}

/** Sets env vars by name: existing entries get the new value, new names are appended. */
export function setEnv(c: Obj, env: Record<string, unknown>): void {
  const list: Obj[] = Array.isArray(c.env) ? (c.env as Obj[]) : (c.env = [])
  for (const [name, value] of Object.entries(env)) {
    const entry = list.find((e) => e.name === name)
    if (entry) {
      entry.value = String(value)
      delete entry.valueFrom
    } else list.push({ name, value: String(value) })
  }
}

function tagImages(obj: Obj, build: string): void {
  const spec = podSpec(obj)
  if (!spec) return
  for (const list of [spec.containers, spec.initContainers]) {
    if (!Array.isArray(list)) continue
    for (const c of list) {
      if (isObj(c) && typeof c.image === 'string')
        c.image = c.image.replace(/:([^:/@]+)$/, `:$1-${build}`)
    }
  }
}

/** The ENIConfig objects `eniConfig` asks for (none unless `create` is true). */
export function eniConfigObjects(values: ConfigValues): Obj[] {
  const cfg = values.eniConfig
  if (!isObj(cfg) || cfg.create !== true || !isObj(cfg.subnets)) return []
  return Object.entries(cfg.subnets).map(([name, subnet]) => {
    const s = isObj(subnet) ? subnet : {}
    const spec: Obj = {}
    if (Array.isArray(s.securityGroups) && s.securityGroups.length)
      spec.securityGroups = [...s.securityGroups]
    spec.subnet = s.id
    return { apiVersion: ENICONFIG_API, kind: 'ENIConfig', metadata: { name }, spec }
  })
}

/** The upstream manifest's documents (objects only). */
export function loadManifest(path: string): Obj[] {
  return yaml.loadAll(readFileSync(path, 'utf8')).filter(isObj)
}

/** The objects the add-on manager applies, in apply order (CRDs first, ENIConfigs last). */
export function renderAddon(manifest: Obj[], opts: RenderOptions): Obj[] {
  const build = /-(eksbuild\.\d+)$/.exec(opts.addonVersion)?.[1] ?? 'eksbuild.1'
  const docs = structuredClone(manifest)
  const { values } = opts
  for (const doc of docs) {
    if (doc.kind !== 'DaemonSet') continue
    tagImages(doc, build)
    const node = container(doc, AWS_NODE)
    const init = container(doc, INIT_CONTAINER)
    if (opts.ipFamily === 'ipv6') {
      if (node) setEnv(node, IPV6_ENV)
      if (init) setEnv(init, { ENABLE_IPv6: 'true' })
    }
    if (node && isObj(values.env)) setEnv(node, values.env)
    if (init && isObj(values.init) && isObj(values.init.env)) setEnv(init, values.init.env)
    const agent = container(doc, NODE_AGENT)
    if (agent && typeof values.enableNetworkPolicy === 'string' && Array.isArray(agent.args)) {
      agent.args = agent.args.map((a: unknown) =>
        typeof a === 'string' && a.startsWith('--enable-network-policy=')
          ? `--enable-network-policy=${values.enableNetworkPolicy as string}`
          : a
      )
    }
  }
  const crds = docs.filter((d) => d.kind === 'CustomResourceDefinition')
  const rest = docs.filter((d) => d.kind !== 'CustomResourceDefinition')
  return [...crds, ...rest, ...eniConfigObjects(values)]
}
