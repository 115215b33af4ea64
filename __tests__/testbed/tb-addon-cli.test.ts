import { mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as yaml from 'js-yaml'
import { pathWithAwsCli } from '../../testbed/baseline.js'
import { run, startTestbed, type Testbed } from '../../testbed/index.js'

/**
 * The test bed's EKS add-on API judged by the real aws CLI (botocore's model, parser and waiter)
 * and the cluster it reconciles judged by real kubectl.
 */
describe('EKS add-on API: aws CLI and kubectl against a managed vpc-cni add-on', () => {
  let tb: Testbed
  let work: string
  let env: Record<string, string>

  const aws = (args: string[]) => run('aws', ['eks', ...args], { env, timeoutMs: 120_000 })
  const awsJson = async <T>(args: string[]): Promise<T> => {
    const r = await aws(args)
    if (r.code !== 0) throw new Error(`aws eks ${args.join(' ')} failed: ${r.stderr}`)
    return JSON.parse(r.stdout) as T
  }
  const cluster = (): string[] => ['--cluster-name', tb.clusterName, '--addon-name', 'vpc-cni']
  type Update = { update: { id: string; status: string; errors: { errorMessage: string }[] } }
  type Addon = { addon: { status: string; addonVersion: string; configurationValues?: string } }
  const describeUpdate = (id: string) =>
    awsJson<Update>([
      'describe-update',
      '--name',
      tb.clusterName,
      '--update-id',
      id,
      '--addon-name',
      'vpc-cni'
    ])
  const awsNodeEnv = async (): Promise<Record<string, string>> => {
    const r = await tb.kubectl(['get', 'ds', 'aws-node', '-n', 'kube-system', '-o', 'json'])
    const ds = JSON.parse(r.stdout) as {
      spec: {
        template: {
          spec: { containers: { name: string; env: { name: string; value: string }[] }[] }
        }
      }
    }
    const node = ds.spec.template.spec.containers.find((c) => c.name === 'aws-node')!
    return Object.fromEntries(node.env.map((e) => [e.name, e.value]))
  }
  const file = (name: string, text: string): string => {
    const p = join(work, name)
    writeFileSync(p, text)
    return `file://${p}`
  }

  beforeAll(async () => {
    tb = await startTestbed({ cniMode: 'addon', addonUpdateDelayMs: 1000 })
    work = mkdtempSync(join(tb.dir, 'addon-'))
    env = {
      PATH: pathWithAwsCli(),
      HOME: work,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ACCESS_KEY_ID: 'AKIDADDONTEST',
      AWS_SECRET_ACCESS_KEY: 'addon-test-secret',
      AWS_REGION: tb.region,
      AWS_DEFAULT_REGION: tb.region,
      AWS_ENDPOINT_URL: tb.endpoints.aws
    }
  })
  afterAll(() => tb?.stop())

  it('describe-addon: the preinstalled add-on is ACTIVE at the cluster default version', async () => {
    const { addon } = await awsJson<Addon>(['describe-addon', ...cluster()])
    expect(addon).toMatchObject({ status: 'ACTIVE', addonVersion: 'v1.19.6-eksbuild.1' })
    const missing = await aws([
      'describe-addon',
      '--cluster-name',
      tb.clusterName,
      '--addon-name',
      'coredns'
    ])
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toContain(
      'An error occurred (ResourceNotFoundException) when calling the DescribeAddon operation: No addon: coredns found in cluster: demo'
    )
    const list = await awsJson<{ addons: string[] }>([
      'list-addons',
      '--cluster-name',
      tb.clusterName
    ])
    expect(list.addons).toEqual(['vpc-cni'])
  })

  it('describe-addon-versions and describe-addon-configuration', async () => {
    const versions = await awsJson<{
      addons: {
        addonVersions: { addonVersion: string; compatibilities: { defaultVersion: boolean }[] }[]
      }[]
    }>([
      'describe-addon-versions',
      '--addon-name',
      'vpc-cni',
      '--kubernetes-version',
      tb.kubernetesVersion
    ])
    const list = versions.addons[0].addonVersions
    expect(list.map((v) => v.addonVersion)).toContain('v1.19.6-eksbuild.2')
    expect(
      list.filter((v) => v.compatibilities[0].defaultVersion).map((v) => v.addonVersion)
    ).toEqual(['v1.19.6-eksbuild.1'])
    const conf = await awsJson<{ configurationSchema: string }>([
      'describe-addon-configuration',
      '--addon-name',
      'vpc-cni',
      '--addon-version',
      'v1.19.6-eksbuild.1'
    ])
    const schema = JSON.parse(conf.configurationSchema) as { definitions: Record<string, unknown> }
    expect(Object.keys(schema.definitions)).toEqual(
      expect.arrayContaining(['Env', 'InitEnv', 'EniConfig'])
    )
  })

  it('a bad env key is rejected with the real text, and nothing changes', async () => {
    const before = await awsNodeEnv()
    const r = await aws([
      'update-addon',
      ...cluster(),
      '--configuration-values',
      file('bad.json', '{"env":{"BOGUS_SETTING":"1"}}')
    ])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain(
      'An error occurred (InvalidParameterException) when calling the UpdateAddon operation: ConfigurationValue provided in request is not supported [$.env.BOGUS_SETTING: is not defined in the schema and the schema does not allow additional properties]'
    )
    expect(await awsNodeEnv()).toEqual(before)
  })

  it('update-addon from a YAML file, describe-update, wait addon-active, then the cluster has it', async () => {
    const subnets = tb.podSubnets.map(
      (s) => `    ${s.zone}: {id: ${s.id}, securityGroups: [${tb.clusterSecurityGroupId}]}`
    )
    const values = [
      'env:',
      '  AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: "true"',
      '  ENI_CONFIG_LABEL_DEF: topology.kubernetes.io/zone',
      '  ENABLE_PREFIX_DELEGATION: "true"',
      'init:',
      '  env:',
      '    DISABLE_TCP_EARLY_DEMUX: "true"',
      'eniConfig:',
      '  create: true',
      `  region: ${tb.region}`,
      '  subnets:',
      ...subnets,
      ''
    ].join('\n')
    // Held in progress until the checks below have seen it so, whatever the machine's load.
    tb.addons.changes.pause()
    const { update } = await awsJson<Update>([
      'update-addon',
      ...cluster(),
      '--configuration-values',
      file('values.yaml', values),
      '--resolve-conflicts',
      'OVERWRITE'
    ])
    expect(update.status).toBe('InProgress')
    expect((await describeUpdate(update.id)).update.status).toBe('InProgress')
    // A second update while this one runs is refused.
    const busy = await aws(['update-addon', ...cluster(), '--configuration-values', '{}'])
    expect(busy.code).not.toBe(0)
    expect(busy.stderr).toContain('(ResourceInUseException) when calling the UpdateAddon operation')

    tb.addons.changes.resume()
    const wait = await aws(['wait', 'addon-active', ...cluster()])
    expect(wait).toMatchObject({ code: 0 })
    expect((await describeUpdate(update.id)).update.status).toBe('Successful')
    const { addon } = await awsJson<Addon>(['describe-addon', ...cluster()])
    expect(addon.configurationValues).toBe(values)

    expect(await awsNodeEnv()).toMatchObject({
      AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true',
      ENI_CONFIG_LABEL_DEF: 'topology.kubernetes.io/zone',
      ENABLE_PREFIX_DELEGATION: 'true'
    })
    const eni = await tb.kubectl([
      'get',
      'eniconfigs',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.spec.subnet}{"\\n"}{end}'
    ])
    expect(eni.stdout.trim().split('\n').sort()).toEqual(
      tb.podSubnets.map((s) => `${s.zone}=${s.id}`).sort()
    )
  })

  it("kubectl --show-managed-fields: the add-on's env fields belong to manager eks", async () => {
    const r = await tb.kubectl([
      'get',
      'ds',
      'aws-node',
      '-n',
      'kube-system',
      '-o',
      'yaml',
      '--show-managed-fields'
    ])
    expect(r.code).toBe(0)
    const ds = yaml.load(r.stdout) as {
      metadata: {
        managedFields: { manager: string; operation: string; fieldsV1: Record<string, unknown> }[]
      }
    }
    const envOf = (fields: Record<string, unknown>): Record<string, unknown> => {
      const spec = (
        (fields['f:spec'] as Record<string, unknown>)?.['f:template'] as Record<string, unknown>
      )?.['f:spec'] as Record<string, unknown> | undefined
      const node = (spec?.['f:containers'] as Record<string, unknown>)?.[
        'k:{"name":"aws-node"}'
      ] as Record<string, unknown> | undefined
      return (node?.['f:env'] as Record<string, unknown>) ?? {}
    }
    const eks = ds.metadata.managedFields.filter((m) => m.manager === 'eks')
    expect(eks).toHaveLength(1)
    expect(eks[0].operation).toBe('Apply')
    const owned = envOf(eks[0].fieldsV1)
    for (const name of [
      'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG',
      'ENI_CONFIG_LABEL_DEF',
      'ENABLE_PREFIX_DELEGATION'
    ]) {
      expect(owned[`k:{"name":"${name}"}`]).toMatchObject({ 'f:value': {} })
    }
    for (const other of ds.metadata.managedFields.filter((m) => m.manager !== 'eks')) {
      expect(Object.keys(envOf(other.fieldsV1))).not.toContain(
        'k:{"name":"ENABLE_PREFIX_DELEGATION"}'
      )
    }
  })

  it('NONE fails on a field kubectl changed, with EKS conflict text; OVERWRITE takes it back', async () => {
    // The origin script's way: kubectl changes aws-node's env behind the add-on's back.
    const set = await tb.kubectl([
      'set',
      'env',
      'daemonset/aws-node',
      '-n',
      'kube-system',
      '-c',
      'aws-node',
      'ENABLE_PREFIX_DELEGATION=false'
    ])
    expect(set.code).toBe(0)
    const none = await awsJson<Update>([
      'update-addon',
      ...cluster(),
      '--resolve-conflicts',
      'NONE'
    ])
    await tb.addons.changes.settled()
    const failed = (await describeUpdate(none.update.id)).update
    expect(failed.status).toBe('Failed')
    expect(failed.errors[0].errorMessage).toBe(
      'Conflicts found when trying to apply. Will not continue due to resolve conflicts mode. Conflicts: DaemonSet.apps aws-node - .spec.template.spec.containers[name="aws-node"].env[name="ENABLE_PREFIX_DELEGATION"].value'
    )
    expect((await awsNodeEnv()).ENABLE_PREFIX_DELEGATION).toBe('false')

    const over = await awsJson<Update>([
      'update-addon',
      ...cluster(),
      '--resolve-conflicts',
      'OVERWRITE'
    ])
    await tb.addons.changes.settled()
    expect((await describeUpdate(over.update.id)).update.status).toBe('Successful')
    expect((await awsNodeEnv()).ENABLE_PREFIX_DELEGATION).toBe('true')
    const { addon } = await awsJson<Addon>(['describe-addon', ...cluster()])
    expect(addon.status).toBe('ACTIVE')
  })

  it("PRESERVE keeps the other manager's value and applies the rest", async () => {
    await tb.kubectl([
      'set',
      'env',
      'daemonset/aws-node',
      '-n',
      'kube-system',
      '-c',
      'aws-node',
      'ENABLE_PREFIX_DELEGATION=false'
    ])
    const values = file(
      'preserve.json',
      '{"env":{"WARM_PREFIX_TARGET":"1","ENABLE_PREFIX_DELEGATION":"true"}}'
    )
    const up = await awsJson<Update>([
      'update-addon',
      ...cluster(),
      '--resolve-conflicts',
      'PRESERVE',
      '--configuration-values',
      values
    ])
    await tb.addons.changes.settled()
    expect((await describeUpdate(up.update.id)).update.status).toBe('Successful')
    expect(await awsNodeEnv()).toMatchObject({
      ENABLE_PREFIX_DELEGATION: 'false',
      WARM_PREFIX_TARGET: '1'
    })
    // The earlier eniConfig is gone from the values, so the add-on removed its ENIConfigs.
    const eni = await tb.kubectl(['get', 'eniconfigs', '-o', 'name'])
    expect(eni.stdout.trim()).toBe('')
  })
})
