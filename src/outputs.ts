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

/** Sets every output of action.yml from the result. */
export function setOutputs(result: ActionResult): void {
  core.setOutput(Outputs.EniConfigs, JSON.stringify(result.eniConfigs))
  core.setOutput(Outputs.EniConfigLabelDef, result.eniConfigLabelDef)
  core.setOutput(Outputs.CniVersion, result.cniVersion)
  core.setOutput(Outputs.Changed, String(result.changed))
  core.setOutput(Outputs.KubectlPath, result.kubectlPath)
  if (result.kubeconfig !== undefined) core.setOutput(Outputs.Kubeconfig, result.kubeconfig)
  core.setOutput(Outputs.ClusterSecurityGroupId, result.clusterSecurityGroupId)
  core.setOutput(Outputs.KubernetesVersion, result.kubernetesVersion)
  core.setOutput(Outputs.MaxPods, JSON.stringify(result.maxPods))
  core.setOutput(Outputs.NodesToRecycle, JSON.stringify(result.nodesToRecycle))
  core.setOutput(Outputs.PodSubnetCapacity, JSON.stringify(result.podSubnetCapacity ?? []))
  core.setOutput(Outputs.Mode, result.mode ?? 'self-managed')
  core.setOutput(Outputs.AddonVersion, result.addonVersion ?? '')
}

/** The outputs a run that failed after its first write still knows. */
export function setPartialOutputs(
  result: Pick<
    ActionResult,
    | 'eniConfigs'
    | 'eniConfigLabelDef'
    | 'changed'
    | 'nodesToRecycle'
    | 'clusterSecurityGroupId'
    | 'kubernetesVersion'
  >
): void {
  core.setOutput(Outputs.EniConfigs, JSON.stringify(result.eniConfigs))
  core.setOutput(Outputs.EniConfigLabelDef, result.eniConfigLabelDef)
  core.setOutput(Outputs.Changed, String(result.changed))
  core.setOutput(Outputs.ClusterSecurityGroupId, result.clusterSecurityGroupId)
  core.setOutput(Outputs.KubernetesVersion, result.kubernetesVersion)
  core.setOutput(Outputs.NodesToRecycle, JSON.stringify(result.nodesToRecycle))
}
