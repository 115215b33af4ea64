/**
 * The steps that write to the cluster (or, in a dry run, send dryRun=All), and the ones that wait
 * or install after them. Split from steps.ts, which re-exports them, so main sees one module.
 */
import * as core from '@actions/core'
import { isAwsNodeDaemonSet } from './cni/aws-node.js'
import { type EniConfigObject, buildEniConfigs } from './cni/eniconfig.js'
import type { ActionInputs } from './inputs.js'
import { installKubectl } from './kubectl/install.js'
import { type AppliedObject, applyEniConfigs, applyManifest, isCrd } from './kube/apply.js'
import { type KubeClient, type KubernetesObject, refKey, refOf } from './kube/client.js'
import type { LiveState } from './kube/live.js'
import { type WaitOptions, waitForCrdsEstablished, waitForRollout } from './kube/wait.js'
import type { EniConfigOutput } from './outputs.js'
import { withPlannedChanges } from './plan.js'
import type { resolveNetwork } from './steps.js'

/**
 * Applies the manifest (one parallel batch) and waits until its CRDs are Established. A dry run
 * sends every object with dryRun=All and waits for nothing (no CRD gets stored).
 */
export async function applyCniManifest(
  kube: KubeClient,
  objects: KubernetesObject[],
  live: LiveState,
  waitOptions: WaitOptions,
  dryRun: boolean
): Promise<AppliedObject[]> {
  const sent = await applyManifest(kube, objects, live, { dryRun })
  const applied = logApplied(dryRun ? withPlannedChanges(sent, live.objects) : sent)
  if (dryRun) return applied
  const crds = applied.filter((a) => isCrd(a.object)).map((a) => a.object)
  // Always awaited, even with wait: false: ENIConfigs are refused until their CRD is served.
  await waitForCrdsEstablished(kube, crds, waitOptions)
  return applied
}

/** One ENIConfig per zone, named by zone or zone ID, and how the `eni-configs` output lists them. */
export function buildEniConfigSet(
  network: Awaited<ReturnType<typeof resolveNetwork>>,
  inputs: ActionInputs
): { objects: EniConfigObject[]; outputs: EniConfigOutput[] } {
  const objects = buildEniConfigs(network.zones, network.securityGroups, inputs.eniConfigLabelDef)
  const outputs = objects.map((c) => {
    const zone = network.zones.find((z) => z.subnetId === c.spec.subnet)
    return {
      name: c.metadata.name,
      zone: zone?.zone ?? '',
      zoneId: zone?.zoneId ?? '',
      subnet: c.spec.subnet,
      securityGroups: [...network.securityGroups]
    }
  })
  return { objects, outputs }
}

/** CRD of the ENIConfig kind, as readLiveState keys it. */
const ENI_CONFIG_CRD = 'CustomResourceDefinition/eniconfigs.crd.k8s.amazonaws.com'

/**
 * Applies the ENIConfigs, all at once. A dry run on a cluster without the ENIConfig CRD cannot
 * send them (the kind is not served until a real run creates it), so they count as created.
 */
export async function applyEniConfigSet(
  kube: KubeClient,
  objects: EniConfigObject[],
  live: LiveState,
  dryRun: boolean
): Promise<AppliedObject[]> {
  if (dryRun && live.versions.get(ENI_CONFIG_CRD) === undefined) {
    core.info('The ENIConfig kind is not served yet, so the ENIConfigs are not sent')
    return logApplied(
      objects.map((object) => {
        const ref = refOf(object)
        return { ref, key: refKey(ref), change: 'created' as const, object }
      })
    )
  }
  const sent = await applyEniConfigs(kube, objects, live, { dryRun })
  return logApplied(dryRun ? withPlannedChanges(sent, live.objects) : sent)
}

/** Waits for aws-node's rollout unless `wait` is false; returns one line for the summary. */
export async function awaitAwsNode(
  kube: KubeClient,
  applied: AppliedObject[],
  wait: boolean,
  options: WaitOptions,
  dryRun: boolean
): Promise<string> {
  const ds = applied.find((a) => isAwsNodeDaemonSet(a.object))?.object
  let line = dryRun
    ? 'Dry run: nothing was changed, so no rollout was awaited.'
    : 'The aws-node rollout was not awaited (wait: false).'
  if (wait && ds && !dryRun) {
    const s = await waitForRollout(kube, ds, options)
    line = `aws-node rolled out: ${s.updated} of ${s.desired} pods updated and available.`
  }
  core.info(line)
  return line
}

/**
 * kubectl through the tool cache, unless install-kubectl is false or this is a dry run. Its
 * requests stop at the run's deadline (timeout-seconds).
 */
export async function installKubectlIfWanted(
  inputs: ActionInputs,
  clusterVersion: string,
  deadline: number
) {
  if (!inputs.installKubectl || inputs.dryRun) return undefined
  return installKubectl({
    version: inputs.kubectlVersion,
    clusterVersion,
    mirror: inputs.kubectlMirror,
    deadline
  })
}

function logApplied(applied: AppliedObject[]): AppliedObject[] {
  for (const a of applied) core.info(`${a.key} ${a.change}`)
  return applied
}
