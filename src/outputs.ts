/** The action's outputs, set in one place from one result object. */
import * as core from '@actions/core'
import { Outputs } from './constants.js'
import type { RecycleEntry } from './recycle.js'

/** One ENIConfig as reported in the `eni-configs` output. */
export interface EniConfigOutput {
  name: string
  zone: string
  zoneId: string
  subnet: string
  securityGroups: string[]
}

/** Everything a run reports. Nothing here is secret (outputs are visible to later jobs). */
export interface ActionResult {
  eniConfigs: EniConfigOutput[]
  eniConfigLabelDef: string
  cniVersion: string
  changed: boolean
  /** Empty when install-kubectl is false. */
  kubectlPath: string
  /** Only with export-kubeconfig. */
  kubeconfig?: string
  clusterSecurityGroupId: string
  kubernetesVersion: string
  /** Instance type → kubelet --max-pods for the settings applied. */
  maxPods: Record<string, number>
  /** Nodes created before the change; empty when nothing changed. */
  nodesToRecycle: RecycleEntry[]
  /** Per pod subnet: free addresses and /28 blocks against the planned nodes' need. */
  podSubnetCapacity?: object[]
  /** How the CNI was configured (addon | self-managed); unset means self-managed. */
  mode?: string
  /** The vpc-cni add-on version after the run; unset or '' in self-managed mode. */
  addonVersion?: string
}

/** The part of the result a run that failed after its first write still knows. */
export type PartialResult = Pick<
  ActionResult,
  | 'eniConfigs'
  | 'eniConfigLabelDef'
  | 'changed'
  | 'nodesToRecycle'
  | 'clusterSecurityGroupId'
  | 'kubernetesVersion'
>

type OutputValue<R> = (result: R) => string | undefined

/** The outputs that PartialResult fills, each as its text. */
const KNOWN_AFTER_FAILURE = {
  [Outputs.EniConfigs]: (r) => JSON.stringify(r.eniConfigs),
  [Outputs.EniConfigLabelDef]: (r) => r.eniConfigLabelDef,
  [Outputs.Changed]: (r) => String(r.changed),
  [Outputs.ClusterSecurityGroupId]: (r) => r.clusterSecurityGroupId,
  [Outputs.KubernetesVersion]: (r) => r.kubernetesVersion,
  [Outputs.NodesToRecycle]: (r) => JSON.stringify(r.nodesToRecycle)
} satisfies Partial<Record<Outputs, OutputValue<PartialResult>>>

/**
 * Every output of action.yml as text; undefined leaves it unset. The one place an output's value is
 * written: a new Outputs member does not typecheck until it has its row here.
 */
const OUTPUT_VALUES: Readonly<Record<Outputs, OutputValue<ActionResult>>> = {
  ...KNOWN_AFTER_FAILURE,
  [Outputs.CniVersion]: (r) => r.cniVersion,
  [Outputs.KubectlPath]: (r) => r.kubectlPath,
  [Outputs.Kubeconfig]: (r) => r.kubeconfig,
  [Outputs.MaxPods]: (r) => JSON.stringify(r.maxPods),
  [Outputs.PodSubnetCapacity]: (r) => JSON.stringify(r.podSubnetCapacity ?? []),
  [Outputs.Mode]: (r) => r.mode ?? 'self-managed',
  [Outputs.AddonVersion]: (r) => r.addonVersion ?? ''
}

/** Sets every output of action.yml from the result (kubeconfig only when exported). */
export function setOutputs(result: ActionResult): void {
  setEach(OUTPUT_VALUES, result)
}

/** The outputs a run that failed after its first write still knows. */
export function setPartialOutputs(result: PartialResult): void {
  setEach(KNOWN_AFTER_FAILURE, result)
}

function setEach<R>(values: Partial<Record<Outputs, OutputValue<R>>>, result: R): void {
  for (const [name, value] of Object.entries(values) as [Outputs, OutputValue<R>][]) {
    const text = value(result)
    if (text !== undefined) core.setOutput(name, text)
  }
}
