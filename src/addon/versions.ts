/**
 * Which vpc-cni add-on version a run asks EKS for. Pure: it reads DescribeAddonVersions' answer.
 * `cni-version` (vX.Y.Z) picks the newest -eksbuild.N of that release that supports the cluster's
 * Kubernetes version; without it an existing add-on keeps its version, and a new one gets the
 * default version for the cluster's Kubernetes version. A downgrade needs allow-downgrade.
 */
import { Inputs } from '../constants.js'
import { ADDON_VERSION, VPC_CNI_ADDON } from './names.js'

/** One add-on version and the Kubernetes versions it supports. */
export interface AddonVersionInfo {
  addonVersion: string
  /** Kubernetes minors, e.g. ['1.30', '1.31']. */
  clusterVersions: string[]
  /** Kubernetes minors for which EKS installs this version by default. */
  defaultFor: string[]
}

/** The part of DescribeAddonVersions' `addons[]` this module reads (the SDK's AddonInfo). */
export interface AddonInfoLike {
  addonName?: string
  addonVersions?: {
    addonVersion?: string
    compatibilities?: { clusterVersion?: string; defaultVersion?: boolean }[]
  }[]
}

/** Flattens DescribeAddonVersions pages into the versions of vpc-cni. */
export function addonVersionsFrom(addons: readonly AddonInfoLike[]): AddonVersionInfo[] {
  return addons
    .filter((a) => a.addonName === undefined || a.addonName === VPC_CNI_ADDON)
    .flatMap((a) => a.addonVersions ?? [])
    .flatMap((v) => {
      if (!v.addonVersion) return []
      const compat = v.compatibilities ?? []
      return [
        {
          addonVersion: v.addonVersion,
          clusterVersions: compat.flatMap((c) => (c.clusterVersion ? [c.clusterVersion] : [])),
          defaultFor: compat.flatMap((c) =>
            c.defaultVersion && c.clusterVersion ? [c.clusterVersion] : []
          )
        }
      ]
    })
}

/** Orders add-on versions: release, then build. Unparsable versions sort first. */
export function compareAddonVersions(a: string, b: string): number {
  const pa = ADDON_VERSION.exec(a)
  const pb = ADDON_VERSION.exec(b)
  if (!pa || !pb) return pa ? 1 : pb ? -1 : a.localeCompare(b)
  for (let i = 1; i <= 4; i++) {
    const d = Number(pa[i]) - Number(pb[i])
    if (d !== 0) return d
  }
  return 0
}

export interface VersionRequest {
  /** cni-version: vX.Y.Z (or an exact vX.Y.Z-eksbuild.N); undefined keeps or defaults. */
  requested?: string
  /** The add-on's version; undefined when the add-on is to be created. */
  current?: string
  /** The cluster's Kubernetes version, e.g. '1.31'. */
  kubernetesVersion: string
  allowDowngrade: boolean
}

/** The version to send, or undefined to leave the add-on's version as it is. */
export interface VersionChoice {
  addonVersion?: string
  /** One line for the log and summary. */
  reason: string
}

/**
 * Picks the version.
 *
 * @throws Error naming cni-version when no compatible build exists, or naming allow-downgrade
 *   when the pick is older than the running version
 */
export function pickAddonVersion(
  versions: readonly AddonVersionInfo[],
  request: VersionRequest
): VersionChoice {
  const k8s = request.kubernetesVersion
  const compatible = versions
    .filter((v) => v.clusterVersions.includes(k8s))
    .sort((a, b) => compareAddonVersions(b.addonVersion, a.addonVersion))
  if (request.requested === undefined) {
    if (request.current !== undefined)
      return { reason: `keeps add-on version ${request.current} (cni-version is empty)` }
    const chosen = compatible.find((v) => v.defaultFor.includes(k8s)) ?? compatible[0]
    if (!chosen) {
      throw new Error(
        `EKS offers no ${VPC_CNI_ADDON} add-on version for Kubernetes ${k8s}; nothing was changed.`
      )
    }
    return {
      addonVersion: chosen.addonVersion,
      reason: `${chosen.addonVersion}, the default ${VPC_CNI_ADDON} version for Kubernetes ${k8s}`
    }
  }

  const requested = request.requested
  const exact = ADDON_VERSION.test(requested)
  // Already on a build of the requested release: keep it (a newer build may not be offered for
  // this Kubernetes version, and moving to an older one would be a downgrade nobody asked for).
  if (!exact && request.current?.startsWith(`${requested}-eksbuild.`))
    return { reason: `keeps add-on version ${request.current} (already ${requested})` }
  const chosen = compatible.find((v) =>
    exact ? v.addonVersion === requested : v.addonVersion.startsWith(`${requested}-eksbuild.`)
  )
  if (!chosen) {
    const offered = compatible.slice(0, 8).map((v) => v.addonVersion)
    throw new Error(
      `Input '${Inputs.CniVersion}' is ${requested}, but EKS offers no ${VPC_CNI_ADDON} add-on ` +
        `build of it for Kubernetes ${k8s}. Versions offered for ${k8s}: ` +
        `${offered.length > 0 ? offered.join(', ') : 'none'}. Nothing was changed.`
    )
  }
  const current = request.current
  if (current !== undefined) {
    const order = compareAddonVersions(chosen.addonVersion, current)
    if (order === 0) return { reason: `keeps add-on version ${current} (already ${requested})` }
    if (order < 0 && !request.allowDowngrade) {
      throw new Error(
        `Input '${Inputs.CniVersion}' is ${requested}, which would downgrade the ${VPC_CNI_ADDON} ` +
          `add-on from ${current} to ${chosen.addonVersion}. Set allow-downgrade: true to do ` +
          'that on purpose. Nothing was changed.'
      )
    }
  }
  return {
    addonVersion: chosen.addonVersion,
    reason: `${chosen.addonVersion}, the newest build of ${requested} for Kubernetes ${k8s}`
  }
}
