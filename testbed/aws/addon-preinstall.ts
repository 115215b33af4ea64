/**
 * The VPC CNI a new cluster of a given kind starts with: the managed add-on created through the
 * add-on manager (its fields owned by `eks`), or, on an IPv6 cluster, the self-managed manifest
 * with aws-node's IPv6 settings.
 */
import { writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import * as yaml from 'js-yaml'
import {
  AWS_NODE,
  INIT_CONTAINER,
  IPV6_ENV,
  loadManifest,
  setEnv,
  type Obj
} from './addon-render.js'
import type { AddonStore } from './addons.js'
import { VPC_CNI } from './addon-schemas.js'

/** Creates the vpc-cni add-on at once (no in-progress delay) and checks that it became ACTIVE. */
export async function preinstallAddon(
  store: AddonStore,
  clusterName: string,
  addonVersion: string,
  configurationValues?: string
): Promise<void> {
  const delay = store.changes.delayMs
  store.changes.delayMs = 0
  try {
    store.create(clusterName, {
      addonName: VPC_CNI,
      addonVersion,
      configurationValues,
      resolveConflicts: 'OVERWRITE'
    })
    await store.changes.settled()
  } finally {
    store.changes.delayMs = delay
  }
  const { addon } = store.describe(clusterName, VPC_CNI) as { addon: Obj }
  if (addon.status !== 'ACTIVE')
    throw new Error(
      `preinstalled vpc-cni add-on is ${String(addon.status)}: ${JSON.stringify(addon.health)}`
    )
}

/** Writes a copy of a manifest whose aws-node runs as on an IPv6 cluster; returns its path. */
export function ipv6Manifest(path: string, dir: string): string {
  const docs = loadManifest(path)
  for (const doc of docs) {
    if (doc.kind !== 'DaemonSet') continue
    const spec = ((doc.spec as Obj).template as Obj).spec as Obj
    const all = [...((spec.containers as Obj[]) ?? []), ...((spec.initContainers as Obj[]) ?? [])]
    const node = all.find((c) => c.name === AWS_NODE)
    const init = all.find((c) => c.name === INIT_CONTAINER)
    if (node) setEnv(node, IPV6_ENV)
    if (init) setEnv(init, { ENABLE_IPv6: 'true' })
  }
  const out = join(dir, `ipv6-${basename(path)}`)
  writeFileSync(out, docs.map((d) => yaml.dump(d, { lineWidth: -1 })).join('---\n'))
  return out
}
