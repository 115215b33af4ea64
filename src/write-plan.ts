/**
 * Turns the mode, the inputs and the cluster reads into the writes of a run, before any is sent:
 * SETTINGS sends a partial aws-node (and the ENIConfig CRD only when it is missing); VERSION sends
 * the whole manifest of a version with the live settings carried over, and refuses a downgrade.
 */
import * as core from '@actions/core'
import { awsNodeEnv, editAwsNode, isAwsNodeDaemonSet } from './cni/aws-node.js'
import {
  carryNodeagentArgs,
  compareVersions,
  preservedSettings,
  versionResets
} from './cni/carry-over.js'
import { ENI_CONFIG } from './cni/eniconfig.js'
import {
  type WriteMode,
  type WriteOrder,
  appliedWholeBy,
  awsNodeSettingsObject,
  handoverObject,
  writeOrder
} from './cni/partial.js'
import { ecrRegistryForRegion, unknownRegionWarning } from './cni/registry.js'
import { LATEST_KNOWN_CNI_VERSION, cniVersionFromImage } from './cni/versions.js'
import { FIELD_MANAGER, Inputs, MANIFEST_FIELD_MANAGER } from './constants.js'
import type { ActionInputs } from './inputs.js'
import { isCrd } from './kube/apply.js'
import { type KubeClient, type KubernetesObject, refKey, refOf } from './kube/client.js'
import { type LiveState, completeLiveState } from './kube/live.js'
import { isEstablished } from './kube/wait.js'
import type { ManifestLoader } from './start.js'

/** The ENIConfig CRD's key as readLiveState stores it. */
export const ENI_CONFIG_CRD = `CustomResourceDefinition/${ENI_CONFIG.crdName}`

/** Everything a run will write, decided before the first write. */
export interface WritePlan {
  mode: WriteMode
  /** The objects as the run leaves them (aws-node whole), for the linter, the plan and the report. */
  objects: KubernetesObject[]
  images: string[]
  cniVersion: string
  /** Step 1: the CRDs and, for a version change, the manifest's other objects but aws-node. */
  first: KubernetesObject[]
  /** Step 4: the partial (SETTINGS) or whole (VERSION) aws-node, and the manager that sends it. */
  awsNode: { object: KubernetesObject; fieldManager: string }
  /** Sent first in step 4 when an earlier release applied aws-node whole as the settings manager. */
  handover?: { object: KubernetesObject; fieldManager: string }
  order: WriteOrder
  /** Fields of aws-node a version change resets (images, arguments, env no input keeps). */
  resets: { field: string; before: string | undefined; after: string | undefined }[]
}

/**
 * The writes of a self-managed run. `load` gives a version's manifest: the early download when
 * the inputs named the version, else one started when first asked.
 */
export async function prepareWrites(
  inputs: ActionInputs,
  mode: WriteMode,
  load: ManifestLoader,
  live: LiveState,
  kube: KubeClient
): Promise<WritePlan> {
  const crdEstablished = isEstablished(live.objects.get(ENI_CONFIG_CRD) ?? {})
  if (mode === 'settings') return settingsWrites(inputs, load, live, crdEstablished)
  return versionWrites(inputs, load, live, kube, crdEstablished)
}

async function settingsWrites(
  inputs: ActionInputs,
  load: ManifestLoader,
  live: LiveState,
  crdEstablished: boolean
): Promise<WritePlan> {
  const running = live.awsNode
  if (!running) {
    throw new Error(
      `aws-node is not installed on the cluster, so there are no settings to change. Set ` +
        `'${Inputs.CniVersion}' to install the VPC CNI.`
    )
  }
  const version = live.runningCniVersion ?? LATEST_KNOWN_CNI_VERSION
  // The ENIConfig kind must exist before the ENIConfigs: take it from the running version.
  const first =
    live.objects.get(ENI_CONFIG_CRD) === undefined
      ? (await load(version)).filter((o) => isCrd(o) && o.metadata?.name === ENI_CONFIG.crdName)
      : []
  const desired = editAwsNode([running], inputs.settings, undefined)[0]
  const handover = appliedWholeBy(running, FIELD_MANAGER)
    ? { object: handoverObject(running), fieldManager: MANIFEST_FIELD_MANAGER }
    : undefined
  if (handover) {
    core.info(
      `${FIELD_MANAGER} applied aws-node whole (an earlier release of this action): its fields go to ` +
        `${MANIFEST_FIELD_MANAGER} first, unchanged, so the settings-only apply releases nothing else`
    )
  }
  const { images } = awsNodeEnv(desired)
  core.info(
    `Settings only: the running aws-node (VPC CNI ${live.runningCniVersion ?? 'version unknown'}) ` +
      `keeps its images, arguments and other variables` +
      (first.length > 0
        ? `; the ENIConfig CRD is missing and comes from ${version}'s manifest`
        : '')
  )
  return {
    mode: 'settings',
    objects: [...first, desired],
    images,
    // An image tag that names no release (a digest): the reports assume the newest known one.
    cniVersion: version,
    first,
    awsNode: {
      object: awsNodeSettingsObject(inputs.settings, running),
      fieldManager: FIELD_MANAGER
    },
    handover,
    order: writeOrder({
      eniConfigCrdEstablished: crdEstablished,
      liveAwsNode: running,
      desiredAwsNode: desired
    }),
    resets: []
  }
}

async function versionWrites(
  inputs: ActionInputs,
  load: ManifestLoader,
  live: LiveState,
  kube: KubeClient,
  crdEstablished: boolean
): Promise<WritePlan> {
  const version = inputs.cniVersion ?? live.runningCniVersion ?? LATEST_KNOWN_CNI_VERSION
  const loaded = await load(version)
  const r = inputs.imageRegistry
  const registry =
    r.mode === 'keep'
      ? undefined
      : r.mode === 'custom'
        ? r.registry
        : ecrRegistryForRegion(inputs.region)
  if (r.mode === 'region' && registry === undefined)
    core.warning(unknownRegionWarning(inputs.region))
  const settings = preservedSettings(live.awsNode, inputs.settings)
  const objects = editAwsNode(loaded, settings, registry)
  const ds = objects.find(isAwsNodeDaemonSet) as KubernetesObject
  const carried = carryNodeagentArgs(ds, live.awsNode)
  const { images } = awsNodeEnv(ds)
  const cniImage = images.find((i) => /\/amazon-k8s-cni:/.test(i))
  const cniVersion = (cniImage && cniVersionFromImage(cniImage)) || version
  refuseDowngrade(cniVersion, live.runningCniVersion, inputs.allowDowngrade)
  await completeLiveState(kube, live, objects)
  const resets = versionResets(live.awsNode, ds)
  core.info(`${objects.length} objects, VPC CNI ${cniVersion}; images:\n  ${images.join('\n  ')}`)
  if (carried.length > 0)
    core.info(`Kept the nodeagent's live ${carried.map((f) => `--${f}`).join(', ')}`)
  for (const x of resets)
    core.info(`The manifest resets ${x.field}: ${x.before ?? '(unset)'} → ${x.after ?? '(unset)'}`)
  return {
    mode: 'version',
    objects,
    images,
    cniVersion,
    first: objects.filter((o) => o !== ds),
    awsNode: { object: ds, fieldManager: MANIFEST_FIELD_MANAGER },
    order: writeOrder({
      eniConfigCrdEstablished: crdEstablished,
      liveAwsNode: live.awsNode,
      desiredAwsNode: ds
    }),
    resets
  }
}

/** Stops a version change to an older release unless allow-downgrade says so. */
export function refuseDowngrade(
  target: string,
  running: string | undefined,
  allowed: boolean
): void {
  if (!running || compareVersions(target, running) >= 0) return
  if (allowed) {
    core.warning(
      `Downgrading the VPC CNI from ${running} to ${target} (${Inputs.AllowDowngrade}: true)`
    )
    return
  }
  throw new Error(
    `The cluster runs VPC CNI ${running}; the manifest that '${Inputs.CniVersion}' or ` +
      `'${Inputs.Manifest}' names would install the older ${target}. ` +
      `Nothing was changed. Set '${Inputs.AllowDowngrade}: true' to downgrade on purpose, or leave ` +
      `'${Inputs.CniVersion}' and '${Inputs.Manifest}' empty to change only the settings.`
  )
}

/** The keys of every object a plan writes, in order, for the progress table. */
export function plannedKeys(plan: WritePlan, eniConfigs: readonly KubernetesObject[]): string[] {
  return [...plan.first, ...eniConfigs, plan.awsNode.object].map((o) => refKey(refOf(o)))
}
