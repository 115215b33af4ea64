/**
 * The vpc-cni add-on versions the test bed offers, each with the configuration schema EKS serves
 * for it (DescribeAddonConfiguration), its Kubernetes compatibilities (DescribeAddonVersions) and
 * the upstream manifest the add-on manager installs for it.
 *
 * The schemas are public `aws eks describe-addon-configuration --addon-name vpc-cni` outputs,
 * stored in testbed/aws/addon-schemas/ with their keys in the dump's order (served compact, as
 * EKS sends them):
 * - vpc-cni-v1.12.0.json: v1.12.0-eksbuild.1 as printed in the Amazon EKS User Guide's
 *   "Managing Amazon EKS add-ons" page (awsdocs/amazon-eks-user-guide). It has no `eniConfig`,
 *   no `init` and no POD_SECURITY_GROUP_ENFORCING_MODE.
 * - vpc-cni-v1.15.1.json: v1.15.1-eksbuild.1 from the aws CLI's own example
 *   awscli/examples/eks/describe-addon-configuration.rst (shipped with the CLI).
 * The v1.13.0-eksbuild.1 dump (https://github.com/awslabs/cdk-eks-blueprints/issues/741) and the
 * v1.18.6-eksbuild.1 dump (https://github.com/aws/amazon-vpc-cni-k8s/issues/3059) are public only
 * as excerpts; every readable part of them agrees with the v1.15.1 file, so those versions are
 * served with it. Versions newer than
 * the newest public dump (v1.19.6, v1.20.5, v1.23.0, the manifests the test bed installs) are
 * served with the nearest dump, v1.15.1: env keys added upstream after v1.18 are not in it.
 * v1.11.2-eksbuild.1 (the oldest manifest the test bed installs) is served with the nearest newer
 * dump, v1.12.0, so a cluster can run an add-on whose schema has no `eniConfig`.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const VPC_CNI = 'vpc-cni'

const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'addon-schemas')

export interface AddonVersion {
  /** e.g. `v1.19.6-eksbuild.1`. */
  addonVersion: string
  /** File in addon-schemas/ whose text DescribeAddonConfiguration returns. */
  schemaFile: string
  /** Upstream tag of the manifest installed for this version, or null when it cannot be installed. */
  manifestTag: string | null
  /** Kubernetes minor versions this version supports. */
  clusterVersions: string[]
  /** Kubernetes minor versions for which this is the default version. */
  defaultFor: string[]
}

const range = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `1.${from + i}`)

/**
 * Newest first, as DescribeAddonVersions lists them. The compatibility ranges and defaults are
 * the test bed's own choice (each Kubernetes minor version has exactly one default), shaped like
 * EKS's: several -eksbuild.N builds of one upstream version, older minors defaulting to older
 * versions.
 */
export const VPC_CNI_VERSIONS: AddonVersion[] = [
  {
    addonVersion: 'v1.23.0-eksbuild.1',
    schemaFile: 'vpc-cni-v1.15.1.json',
    manifestTag: 'v1.23.0',
    clusterVersions: range(28, 34),
    defaultFor: ['1.34']
  },
  {
    addonVersion: 'v1.20.5-eksbuild.1',
    schemaFile: 'vpc-cni-v1.15.1.json',
    manifestTag: 'v1.20.5',
    clusterVersions: range(25, 34),
    defaultFor: ['1.32', '1.33']
  },
  {
    addonVersion: 'v1.19.6-eksbuild.2',
    schemaFile: 'vpc-cni-v1.15.1.json',
    manifestTag: 'v1.19.6',
    clusterVersions: range(25, 33),
    defaultFor: []
  },
  {
    addonVersion: 'v1.19.6-eksbuild.1',
    schemaFile: 'vpc-cni-v1.15.1.json',
    manifestTag: 'v1.19.6',
    clusterVersions: range(25, 33),
    defaultFor: range(25, 31)
  },
  {
    addonVersion: 'v1.18.6-eksbuild.1',
    schemaFile: 'vpc-cni-v1.15.1.json',
    manifestTag: null,
    clusterVersions: range(25, 31),
    defaultFor: []
  },
  {
    addonVersion: 'v1.15.1-eksbuild.1',
    schemaFile: 'vpc-cni-v1.15.1.json',
    manifestTag: null,
    clusterVersions: range(23, 28),
    defaultFor: []
  },
  {
    addonVersion: 'v1.13.0-eksbuild.1',
    schemaFile: 'vpc-cni-v1.15.1.json',
    manifestTag: null,
    clusterVersions: range(22, 27),
    defaultFor: []
  },
  {
    addonVersion: 'v1.12.0-eksbuild.1',
    schemaFile: 'vpc-cni-v1.12.0.json',
    manifestTag: null,
    clusterVersions: range(21, 26),
    defaultFor: []
  },
  {
    addonVersion: 'v1.11.2-eksbuild.1',
    schemaFile: 'vpc-cni-v1.12.0.json',
    manifestTag: 'v1.11.2',
    clusterVersions: range(21, 25),
    defaultFor: range(21, 24)
  }
]

export function findVersion(addonName: string, addonVersion: string): AddonVersion | undefined {
  if (addonName !== VPC_CNI) return undefined
  return VPC_CNI_VERSIONS.find((v) => v.addonVersion === addonVersion)
}

/** The default version for a Kubernetes minor version, if any. */
export function defaultVersion(kubernetesVersion: string): AddonVersion | undefined {
  return VPC_CNI_VERSIONS.find((v) => v.defaultFor.includes(kubernetesVersion))
}

const schemaCache = new Map<string, string>()

/** The configurationSchema string of a version, as EKS sends it. */
export function schemaText(version: AddonVersion): string {
  let text = schemaCache.get(version.schemaFile)
  if (text === undefined) {
    // Stored formatted for reading; EKS sends it compact, keys in the dump's order.
    text = JSON.stringify(JSON.parse(readFileSync(join(SCHEMA_DIR, version.schemaFile), 'utf8')))
    schemaCache.set(version.schemaFile, text)
  }
  return text
}

/** DescribeAddonVersions' `addons[]` entry for vpc-cni, optionally for one Kubernetes version. */
export function describeVersions(kubernetesVersion?: string): Record<string, unknown> {
  // Only versions the test bed can install are offered; older ones keep their schemas.
  const versions = VPC_CNI_VERSIONS.filter(
    (v) => v.manifestTag && (!kubernetesVersion || v.clusterVersions.includes(kubernetesVersion))
  )
  return {
    addonName: VPC_CNI,
    type: 'networking',
    addonVersions: versions.map((v) => ({
      addonVersion: v.addonVersion,
      architecture: ['amd64', 'arm64'],
      computeTypes: ['ec2', 'hybrid'],
      compatibilities: (kubernetesVersion ? [kubernetesVersion] : v.clusterVersions)
        .slice()
        .reverse()
        .map((clusterVersion) => ({
          clusterVersion,
          platformVersions: ['*'],
          defaultVersion: v.defaultFor.includes(clusterVersion)
        })),
      requiresConfiguration: false,
      requiresIamPermissions: true
    })),
    publisher: 'eks',
    owner: 'aws',
    defaultNamespace: 'kube-system'
  }
}
