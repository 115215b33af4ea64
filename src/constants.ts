/**
 * Names the action shares with workflows: its inputs, outputs and saved state, exactly as in
 * action.yml (a test reads action.yml and compares). No other file spells an input name.
 */

/** The inputs of action.yml. */
export enum Inputs {
  ClusterName = 'cluster-name',
  AwsRegion = 'aws-region',
  RoleToAssume = 'role-to-assume',
  RoleSessionName = 'role-session-name',
  RoleDurationSeconds = 'role-duration-seconds',
  Audience = 'audience',
  Subnets = 'subnets',
  SecurityGroups = 'security-groups',
  EniConfigLabelDef = 'eni-config-label-def',
  CniVersion = 'cni-version',
  Manifest = 'manifest',
  AllowDowngrade = 'allow-downgrade',
  ManifestSha256 = 'manifest-sha256',
  ManifestBaseUrl = 'manifest-base-url',
  ImageRegistry = 'image-registry',
  EnablePodEni = 'enable-pod-eni',
  DisableTcpEarlyDemux = 'disable-tcp-early-demux',
  CustomNetworkCfg = 'custom-network-cfg',
  ExternalSnat = 'external-snat',
  EnablePrefixDelegation = 'enable-prefix-delegation',
  WarmIpTarget = 'warm-ip-target',
  MinimumIpTarget = 'minimum-ip-target',
  WarmPrefixTarget = 'warm-prefix-target',
  WarmEniTarget = 'warm-eni-target',
  Env = 'env',
  Wait = 'wait',
  TimeoutSeconds = 'timeout-seconds',
  InstallKubectl = 'install-kubectl',
  KubectlVersion = 'kubectl-version',
  KubectlMirror = 'kubectl-mirror',
  ExportKubeconfig = 'export-kubeconfig',
  InstanceTypes = 'instance-types',
  ExpectedNodes = 'expected-nodes',
  FailOnWarnings = 'fail-on-warnings',
  DryRun = 'dry-run',
  Mode = 'mode',
  ResolveConflicts = 'resolve-conflicts',
  TakeOverAddonFields = 'take-over-addon-fields'
}

/** The outputs of action.yml. */
export enum Outputs {
  EniConfigs = 'eni-configs',
  EniConfigLabelDef = 'eni-config-label-def',
  CniVersion = 'cni-version',
  Changed = 'changed',
  KubectlPath = 'kubectl-path',
  Kubeconfig = 'kubeconfig',
  ClusterSecurityGroupId = 'cluster-security-group-id',
  KubernetesVersion = 'kubernetes-version',
  MaxPods = 'max-pods',
  NodesToRecycle = 'nodes-to-recycle',
  PodSubnetCapacity = 'pod-subnet-capacity',
  /** How the CNI was configured: addon (EKS managed add-on) or self-managed. */
  Mode = 'mode',
  /** The vpc-cni add-on version after the run; empty in self-managed mode. */
  AddonVersion = 'addon-version'
}

/** Keys main saves for the post step. Never a secret: the state file is plain text on the runner. */
export enum State {
  /** The private folder under RUNNER_TEMP that holds the kubeconfig; saved before the file exists. */
  KubeconfigDir = 'kubeconfig-dir',
  /** 'true' when main finished and left the kubeconfig for later steps. */
  KubeconfigExported = 'kubeconfig-exported'
}

/**
 * The defaults action.yml declares, by input. Required inputs and inputs whose default is computed
 * at run time (region, security groups, CNI and kubectl versions, registry) default to ''.
 */
export const INPUT_DEFAULTS: Readonly<Record<Inputs, string>> = {
  [Inputs.ClusterName]: '',
  [Inputs.AwsRegion]: '',
  [Inputs.RoleToAssume]: '',
  [Inputs.RoleSessionName]: 'GitHubActions',
  [Inputs.RoleDurationSeconds]: '3600',
  [Inputs.Audience]: 'sts.amazonaws.com',
  [Inputs.Subnets]: '',
  [Inputs.SecurityGroups]: '',
  [Inputs.EniConfigLabelDef]: 'topology.kubernetes.io/zone',
  [Inputs.CniVersion]: '',
  [Inputs.Manifest]: '',
  [Inputs.AllowDowngrade]: 'false',
  [Inputs.ManifestSha256]: '',
  [Inputs.ManifestBaseUrl]: 'https://raw.githubusercontent.com',
  [Inputs.ImageRegistry]: '',
  [Inputs.EnablePodEni]: 'true',
  [Inputs.DisableTcpEarlyDemux]: 'true',
  [Inputs.CustomNetworkCfg]: 'true',
  [Inputs.ExternalSnat]: 'true',
  [Inputs.EnablePrefixDelegation]: 'true',
  [Inputs.WarmIpTarget]: '1',
  [Inputs.MinimumIpTarget]: '30',
  [Inputs.WarmPrefixTarget]: '1',
  [Inputs.WarmEniTarget]: '1',
  [Inputs.Env]: '',
  [Inputs.Wait]: 'true',
  [Inputs.TimeoutSeconds]: '600',
  [Inputs.InstallKubectl]: 'true',
  [Inputs.KubectlVersion]: '',
  [Inputs.KubectlMirror]: 'https://dl.k8s.io',
  [Inputs.ExportKubeconfig]: 'false',
  [Inputs.InstanceTypes]: '',
  [Inputs.ExpectedNodes]: '',
  [Inputs.FailOnWarnings]: 'false',
  [Inputs.DryRun]: 'false',
  [Inputs.Mode]: 'auto',
  [Inputs.ResolveConflicts]: 'OVERWRITE',
  [Inputs.TakeOverAddonFields]: 'false'
}

/** Inputs action.yml marks `required: true`. */
export const REQUIRED_INPUTS: readonly Inputs[] = [Inputs.ClusterName, Inputs.Subnets]

/**
 * The server-side apply field manager: our claim on the aws-node settings and the ENIConfigs. A
 * settings-only run applies just the env entries it manages under this name, so it must never own
 * the rest of the DaemonSet: a later partial apply would release (and so delete) those fields.
 */
export const FIELD_MANAGER = 'eks-cni-custom-networking'

/**
 * The field manager of a whole-manifest apply (a version change). Kept apart from FIELD_MANAGER so
 * that the settings-only apply that follows releases nothing but the env entries it stops naming.
 */
export const MANIFEST_FIELD_MANAGER = 'eks-cni-custom-networking-manifest'

/**
 * Env on aws-node that only a named input may set: they decide how ENIConfigs are selected and
 * whether custom networking is on, which the ENIConfigs this action writes must agree with.
 */
export const RESERVED_ENV: Readonly<Record<string, Inputs>> = {
  ENI_CONFIG_LABEL_DEF: Inputs.EniConfigLabelDef,
  ENI_CONFIG_ANNOTATION_DEF: Inputs.EniConfigLabelDef,
  AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: Inputs.CustomNetworkCfg
}

/** Where the aws-node DaemonSet lives in every manifest version. */
export const AWS_NODE = { namespace: 'kube-system', name: 'aws-node' } as const
