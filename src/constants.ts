/**
 * Names the action shares with workflows: its inputs, outputs and saved state, exactly as in
 * action.yml (a test reads action.yml and compares). No other file spells an input name. Their
 * defaults, and the aws-node settings the inputs write, live in settings.ts.
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
