/**
 * The add-on path's reads, in the order the pipeline needs them: the cluster and the add-on in one
 * parallel round trip (waiting for a CREATING or UPDATING cluster or add-on), then the plan with
 * only the extra calls it needs: DescribeAddonVersions when a version must be picked, and the
 * schema of the version the add-on will run.
 */
import type { Cluster, EKSClient } from '@aws-sdk/client-eks'
import { describeClusterRaw } from '../aws/cluster.js'
import {
  type AddonState,
  describeAddonSchema,
  describeVpcCniAddon,
  listAddonVersions
} from '../aws/addon.js'
import { waitForAddonActive } from '../aws/addon-wait.js'
import type { EniConfigObject } from '../cni/eniconfig.js'
import { type ClusterKindFacts, clusterKindFacts } from './cluster-kind.js'
import { CLUSTER_SETTLING, ADDON_SETTLING } from './names.js'
import { type AddonPlan, planAddon } from './plan.js'
import { loadSchemaCompiler } from './schema.js'
import type { AddonSettings } from './values.js'
import { pickAddonVersion } from './versions.js'
import { type PollSettings, waitForClusterActive } from './wait.js'

export interface KindReading {
  /** DescribeCluster's answer, for clusterInfoFrom once the cluster is ACTIVE. */
  cluster: Cluster
  kind: ClusterKindFacts
  addon: AddonState
}

/** A settling cluster or add-on is polled every 10 s by default. */
export type ReadOptions = PollSettings

/**
 * DescribeCluster ∥ DescribeAddon. A cluster that is CREATING or UPDATING is waited for (then
 * read again); so is an add-on that is CREATING or UPDATING. Refusals are decideMode's job.
 */
export async function readClusterKind(
  eks: Pick<EKSClient, 'send'>,
  clusterName: string,
  region: string,
  options: ReadOptions
): Promise<KindReading> {
  const read = async (): Promise<KindReading> => {
    const [cluster, addon] = await Promise.all([
      describeClusterRaw(eks, clusterName, region),
      describeVpcCniAddon(eks, clusterName)
    ])
    return { cluster, kind: clusterKindFacts(cluster, clusterName), addon }
  }
  let reading = await read()
  if ((CLUSTER_SETTLING as readonly string[]).includes(reading.kind.status)) {
    await waitForClusterActive(
      clusterName,
      async () => (await describeClusterRaw(eks, clusterName, region)).status ?? 'UNKNOWN',
      options
    )
    reading = await read()
  }
  const addon = reading.addon
  if (addon.present && (ADDON_SETTLING as readonly string[]).includes(addon.status)) {
    reading = { ...reading, addon: await waitForAddonActive(eks, clusterName, options) }
  }
  return reading
}

export interface PlanRequest {
  clusterName: string
  kubernetesVersion: string
  region: string
  /** The add-on as read; undefined when the run creates it (CREATE_ADDON). */
  addon?: AddonState & { present: true }
  /** The cni-version input (vX.Y.Z), if set. */
  cniVersion?: string
  allowDowngrade: boolean
  settings: AddonSettings
  eniConfigs: readonly EniConfigObject[]
}

/**
 * Picks the version (DescribeAddonVersions only when cni-version is set or the add-on is to be
 * created), reads that version's schema and plans the write. Throws before any write on a bad
 * version or a value the schema refuses.
 */
export async function prepareAddonPlan(eks: EKSClient, request: PlanRequest): Promise<AddonPlan> {
  const current = request.addon
  const needVersions = request.cniVersion !== undefined || current === undefined
  const versions = needVersions
    ? await listAddonVersions(eks, request.clusterName, request.kubernetesVersion)
    : []
  const version = needVersions
    ? pickAddonVersion(versions, {
        requested: request.cniVersion,
        current: current?.version,
        kubernetesVersion: request.kubernetesVersion,
        allowDowngrade: request.allowDowngrade
      })
    : { reason: `keeps add-on version ${current.version} (cni-version is empty)` }
  const target = version.addonVersion ?? current?.version
  if (!target) throw new Error('No vpc-cni add-on version to plan for')
  const [schemaText] = await Promise.all([
    describeAddonSchema(eks, request.clusterName, target),
    loadSchemaCompiler()
  ])
  return planAddon({
    current: current && {
      version: current.version,
      configurationValues: current.configurationValues
    },
    version,
    schemaText,
    settings: request.settings,
    region: request.region,
    eniConfigs: request.eniConfigs
  })
}
