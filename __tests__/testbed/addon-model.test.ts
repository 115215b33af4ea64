import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigurationError, validateConfigurationValues } from '../../testbed/aws/addon-config.js'
import { augmentCluster } from '../../testbed/aws/addon-cluster.js'
import { objectPath, removeField } from '../../testbed/aws/addon-manager.js'
import { loadManifest, renderAddon, type Obj } from '../../testbed/aws/addon-render.js'
import {
  VPC_CNI_VERSIONS,
  describeVersions,
  findVersion,
  schemaText
} from '../../testbed/aws/addon-schemas.js'
import { fixturesDir } from '../../testbed/mirror.js'

/** The add-on model without servers: schemas, validation, rendering, conflict paths. */
const schema = (v: string): string => schemaText(findVersion('vpc-cni', v)!)
const reject = (values: string, version = 'v1.19.6-eksbuild.1'): string => {
  try {
    validateConfigurationValues(values, schema(version))
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigurationError)
    return (e as Error).message
  }
  throw new Error('accepted')
}

describe('configuration schemas', () => {
  it('serve the stored dumps: draft-06, eniConfig from v1.15.1 on, none in v1.12.0', () => {
    const v1151 = JSON.parse(schema('v1.15.1-eksbuild.1')) as { $schema: string; definitions: Obj }
    expect(v1151.$schema).toBe('http://json-schema.org/draft-06/schema#')
    expect(Object.keys(v1151.definitions)).toContain('EniConfig')
    const v1120 = JSON.parse(schema('v1.12.0-eksbuild.1')) as { definitions: Obj }
    expect(Object.keys(v1120.definitions)).not.toContain('EniConfig')
    expect(schema('v1.19.6-eksbuild.1')).toBe(schema('v1.15.1-eksbuild.1'))
  })

  it("v1.15.1 is served exactly as the aws CLI's own describe-addon-configuration example", () => {
    const dir = execFileSync('python3', [
      '-c',
      'import awscli, os; print(os.path.dirname(awscli.__file__))'
    ])
      .toString()
      .trim()
    const example = join(dir, 'examples', 'eks', 'describe-addon-configuration.rst')
    expect(existsSync(example)).toBe(true)
    const m = /"addonVersion": "v1\.15\.1-eksbuild\.1",\s*"configurationSchema": (".*?")\r?\n/.exec(
      readFileSync(example, 'utf8')
    )
    expect(schema('v1.15.1-eksbuild.1')).toBe(JSON.parse(m![1]) as string)
  })

  it('DescribeAddonVersions: one default per Kubernetes version, only installable versions', () => {
    for (const k of ['1.21', '1.24', '1.25', '1.31', '1.32', '1.33', '1.34']) {
      const info = describeVersions(k) as { addonVersions: { compatibilities: Obj[] }[] }
      const defaults = info.addonVersions.filter((v) => v.compatibilities[0].defaultVersion)
      expect(defaults).toHaveLength(1)
    }
    const all = describeVersions() as { addonVersions: { addonVersion: string }[] }
    expect(all.addonVersions.map((v) => v.addonVersion)).toEqual(
      VPC_CNI_VERSIONS.filter((v) => v.manifestTag).map((v) => v.addonVersion)
    )
  })
})

describe('validateConfigurationValues', () => {
  it('accepts JSON and YAML with env, init.env and eniConfig', () => {
    const yaml = [
      'env:',
      '  AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: "true"',
      '  WARM_IP_TARGET: "1"',
      'init:',
      '  env:',
      '    DISABLE_TCP_EARLY_DEMUX: "true"',
      'eniConfig:',
      '  create: true',
      '  region: ap-northeast-2',
      '  subnets:',
      '    ap-northeast-2a: {id: subnet-1, securityGroups: [sg-1]}'
    ].join('\n')
    const fromYaml = validateConfigurationValues(yaml, schema('v1.19.6-eksbuild.1'))
    const fromJson = validateConfigurationValues(
      JSON.stringify(fromYaml),
      schema('v1.19.6-eksbuild.1')
    )
    expect(fromJson).toEqual(fromYaml)
    expect(validateConfigurationValues('', schema('v1.19.6-eksbuild.1'))).toEqual({})
  })

  it("rejects an unknown env key with EKS's text", () => {
    expect(reject('{"env":{"NOT_A_SETTING":"1"}}')).toBe(
      'ConfigurationValue provided in request is not supported [$.env.NOT_A_SETTING: is not defined in the schema and the schema does not allow additional properties]'
    )
  })

  it('follows the version: POD_SECURITY_GROUP_ENFORCING_MODE and eniConfig are not in v1.12.0', () => {
    const psg = '{"env":{"POD_SECURITY_GROUP_ENFORCING_MODE":"standard"}}'
    expect(validateConfigurationValues(psg, schema('v1.15.1-eksbuild.1'))).toBeTruthy()
    expect(reject(psg, 'v1.12.0-eksbuild.1')).toContain(
      '$.env.POD_SECURITY_GROUP_ENFORCING_MODE: is not defined in the schema'
    )
    expect(reject('{"init":{"env":{}}}', 'v1.12.0-eksbuild.1')).toContain('$.init: is not defined')
    expect(reject('{"env":{"DISABLE_TCP_EARLY_DEMUX":"true"}}')).toContain(
      '$.env.DISABLE_TCP_EARLY_DEMUX: is not defined'
    )
  })

  it('names missing, mistyped and malformed values', () => {
    expect(reject('{"eniConfig":{"create":true,"subnets":{}}}')).toBe(
      'ConfigurationValue provided in request is not supported [$.eniConfig.region: is missing but it is required, $.eniConfig.subnets: should have a minimum of 1 properties]'
    )
    expect(reject('{"env":{"WARM_IP_TARGET":1}}')).toContain(
      '$.env.WARM_IP_TARGET: integer found, string expected'
    )
    expect(reject('{"env":{"ENABLE_POD_ENI":"yes"}}')).toContain(
      '$.env.ENABLE_POD_ENI: does not match the boolean pattern'
    )
    expect(reject('[1]')).toContain('object expected')
  })
})

describe('renderAddon', () => {
  const manifest = loadManifest(join(fixturesDir(), 'aws-k8s-cni-v1.19.6.yaml'))
  const ds = (objects: Obj[]): Obj => objects.find((o) => o.kind === 'DaemonSet')!
  const containers = (d: Obj): Obj[] => {
    const spec = ((d.spec as Obj).template as Obj).spec as Obj
    return [...(spec.containers as Obj[]), ...(spec.initContainers as Obj[])]
  }
  const env = (d: Obj, name: string): Record<string, unknown> =>
    Object.fromEntries(
      (containers(d).find((c) => c.name === name)!.env as Obj[]).map((e) => [e.name, e.value])
    )

  it('merges env, init.env and eniConfig; tags images with the build', () => {
    const objects = renderAddon(manifest, {
      addonVersion: 'v1.19.6-eksbuild.2',
      ipFamily: 'ipv4',
      values: {
        env: {
          ENABLE_PREFIX_DELEGATION: 'true',
          ENI_CONFIG_LABEL_DEF: 'topology.kubernetes.io/zone'
        },
        init: { env: { DISABLE_TCP_EARLY_DEMUX: 'true' } },
        eniConfig: {
          create: true,
          region: 'ap-northeast-2',
          subnets: {
            'ap-northeast-2a': { id: 'subnet-a', securityGroups: ['sg-1'] },
            'ap-northeast-2b': { id: 'subnet-b' }
          }
        }
      }
    })
    expect(objects[0].kind).toBe('CustomResourceDefinition')
    const d = ds(objects)
    expect(env(d, 'aws-node')).toMatchObject({
      ENABLE_PREFIX_DELEGATION: 'true',
      ENI_CONFIG_LABEL_DEF: 'topology.kubernetes.io/zone',
      ENABLE_IPv4: 'true'
    })
    expect(env(d, 'aws-vpc-cni-init').DISABLE_TCP_EARLY_DEMUX).toBe('true')
    for (const c of containers(d)) expect(String(c.image)).toMatch(/-eksbuild\.2$/)
    expect(objects.filter((o) => o.kind === 'ENIConfig')).toEqual([
      {
        apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
        kind: 'ENIConfig',
        metadata: { name: 'ap-northeast-2a' },
        spec: { securityGroups: ['sg-1'], subnet: 'subnet-a' }
      },
      {
        apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
        kind: 'ENIConfig',
        metadata: { name: 'ap-northeast-2b' },
        spec: { subnet: 'subnet-b' }
      }
    ])
    expect(objectPath(d)).toBe('/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node')
  })

  it('runs aws-node as on an IPv6 cluster', () => {
    const d = ds(
      renderAddon(manifest, { addonVersion: 'v1.19.6-eksbuild.1', ipFamily: 'ipv6', values: {} })
    )
    expect(env(d, 'aws-node')).toMatchObject({
      ENABLE_IPv6: 'true',
      ENABLE_IPv4: 'false',
      ENABLE_PREFIX_DELEGATION: 'true'
    })
  })

  it('no ENIConfig unless eniConfig.create is true', () => {
    const objects = renderAddon(manifest, {
      addonVersion: 'v1.19.6-eksbuild.1',
      ipFamily: 'ipv4',
      values: { eniConfig: { create: false, region: 'r', subnets: { a: { id: 's' } } } }
    })
    expect(objects.some((o) => o.kind === 'ENIConfig')).toBe(false)
  })
})

describe('removeField (PRESERVE leaves conflicting fields to their owner)', () => {
  it('drops an env value and the entry left with only its key', () => {
    const obj: Obj = {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'aws-node',
                env: [
                  { name: 'A', value: '1' },
                  { name: 'B', value: '2' }
                ]
              }
            ]
          }
        }
      }
    }
    expect(
      removeField(obj, '.spec.template.spec.containers[name="aws-node"].env[name="A"].value')
    ).toBe(true)
    expect(obj).toEqual({
      spec: {
        template: { spec: { containers: [{ name: 'aws-node', env: [{ name: 'B', value: '2' }] }] } }
      }
    })
    expect(removeField(obj, '.spec.nothing')).toBe(false)
  })
})

describe('augmentCluster', () => {
  const body = JSON.stringify({
    cluster: {
      name: 'demo',
      status: 'CREATING',
      endpoint: 'https://x',
      kubernetesNetworkConfig: { serviceIpv4Cidr: '172.20.0.0/16' }
    }
  })
  it('adds Auto Mode, the IP family, and hides the endpoint while CREATING', () => {
    const out = JSON.parse(
      augmentCluster(body, () => ({ ipFamily: 'ipv6', autoMode: true, nodeRoleArn: 'arn:r' }))
    ) as { cluster: Obj }
    expect(out.cluster.computeConfig).toEqual({
      enabled: true,
      nodePools: ['general-purpose', 'system'],
      nodeRoleArn: 'arn:r'
    })
    expect(out.cluster.kubernetesNetworkConfig).toMatchObject({
      ipFamily: 'ipv6',
      elasticLoadBalancing: { enabled: true }
    })
    expect(out.cluster.endpoint).toBeUndefined()
    expect(augmentCluster(body, () => undefined)).toBe(body)
  })
})
