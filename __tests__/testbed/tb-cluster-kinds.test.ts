import { pathWithAwsCli } from '../../testbed/baseline.js'
import { run, startTestbed, type Testbed, type TestbedOptions } from '../../testbed/index.js'

/**
 * The kinds of cluster the test bed starts, judged by the aws CLI and kubectl: Auto Mode, a
 * cluster still CREATING, IPv6 (self-managed and add-on), and a cluster with no CNI that gets the
 * add-on created.
 */
type Cluster = {
  status: string
  endpoint?: string
  computeConfig?: { enabled: boolean }
  kubernetesNetworkConfig: { ipFamily: string; serviceIpv6Cidr?: string; serviceIpv4Cidr?: string }
}

async function withTestbed(
  options: TestbedOptions,
  body: (
    tb: Testbed,
    aws: (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>
  ) => Promise<void>
): Promise<void> {
  const tb = await startTestbed(options)
  const env = {
    PATH: pathWithAwsCli(),
    HOME: tb.dir,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: 'AKIDKINDSTEST',
    AWS_SECRET_ACCESS_KEY: 'kinds-test-secret',
    AWS_REGION: tb.region,
    AWS_DEFAULT_REGION: tb.region,
    AWS_ENDPOINT_URL: tb.endpoints.aws
  }
  try {
    await body(tb, (args) => run('aws', ['eks', ...args], { env, timeoutMs: 120_000 }))
  } finally {
    await tb.stop()
  }
}

const describeCluster = async (
  aws: (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>,
  name: string
): Promise<Cluster> => {
  const r = await aws(['describe-cluster', '--name', name])
  expect(r.code).toBe(0)
  return (JSON.parse(r.stdout) as { cluster: Cluster }).cluster
}

const awsNodeEnv = async (tb: Testbed): Promise<Record<string, string>> => {
  const r = await tb.kubectl(['get', 'ds', 'aws-node', '-n', 'kube-system', '-o', 'json'])
  expect(r.code).toBe(0)
  const ds = JSON.parse(r.stdout) as {
    spec: {
      template: { spec: { containers: { name: string; env: { name: string; value: string }[] }[] } }
    }
  }
  const node = ds.spec.template.spec.containers.find((c) => c.name === 'aws-node')!
  return Object.fromEntries(node.env.map((e) => [e.name, e.value]))
}

// The tests run concurrently: each starts a test bed of its own and shares nothing, and the Auto
// Mode one mostly waits for its cluster to turn ACTIVE, which the others fill. Up to five test
// beds start at once, so each test gets more time than jest's default.
const TIMEOUT = 150_000
describe('cluster kinds', () => {
  it.concurrent(
    'IPv6, self-managed: ipFamily ipv6 and aws-node running IPv6',
    async () => {
      await withTestbed({ ipFamily: 'ipv6' }, async (tb, aws) => {
        const cluster = await describeCluster(aws, tb.clusterName)
        expect(cluster.kubernetesNetworkConfig.ipFamily).toBe('ipv6')
        expect(cluster.kubernetesNetworkConfig.serviceIpv6Cidr).toMatch(/::\/108$/)
        expect(cluster.computeConfig).toBeUndefined()
        expect(await awsNodeEnv(tb)).toMatchObject({
          ENABLE_IPv6: 'true',
          ENABLE_IPv4: 'false',
          ENABLE_PREFIX_DELEGATION: 'true'
        })
        const addon = await aws([
          'describe-addon',
          '--cluster-name',
          tb.clusterName,
          '--addon-name',
          'vpc-cni'
        ])
        expect(addon.stderr).toContain('(ResourceNotFoundException)')
      })
    },
    TIMEOUT
  )

  it.concurrent(
    'IPv6 with the managed add-on: the IPv6 env is owned by eks',
    async () => {
      await withTestbed({ ipFamily: 'ipv6', cniMode: 'addon' }, async (tb) => {
        expect(await awsNodeEnv(tb)).toMatchObject({ ENABLE_IPv6: 'true', ENABLE_IPv4: 'false' })
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
        expect(r.stdout).toContain('manager: eks')
        expect(r.stdout).toContain('k:{"name":"ENABLE_IPv6"}')
      })
    },
    TIMEOUT
  )

  it.concurrent(
    'no CNI: nothing until create-addon, which installs aws-node with its configuration',
    async () => {
      await withTestbed({ cniVersion: null, addonUpdateDelayMs: 500 }, async (tb, aws) => {
        expect((await tb.kubectl(['get', 'ds', 'aws-node', '-n', 'kube-system'])).code).not.toBe(0)
        expect(
          (await tb.kubectl(['get', 'crd', 'eniconfigs.crd.k8s.amazonaws.com'])).code
        ).not.toBe(0)
        const values = JSON.stringify({ env: { AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true' } })
        const created = await aws([
          'create-addon',
          '--cluster-name',
          tb.clusterName,
          '--addon-name',
          'vpc-cni',
          '--configuration-values',
          values
        ])
        expect(created.code).toBe(0)
        expect(
          (JSON.parse(created.stdout) as { addon: { status: string; addonVersion: string } }).addon
        ).toMatchObject({
          status: 'CREATING',
          addonVersion: 'v1.19.6-eksbuild.1'
        })
        const again = await aws([
          'create-addon',
          '--cluster-name',
          tb.clusterName,
          '--addon-name',
          'vpc-cni'
        ])
        expect(again.stderr).toContain(
          '(ResourceInUseException) when calling the CreateAddon operation: Addon already exists.'
        )
        const wait = await aws([
          'wait',
          'addon-active',
          '--cluster-name',
          tb.clusterName,
          '--addon-name',
          'vpc-cni'
        ])
        expect(wait.code).toBe(0)
        expect(await awsNodeEnv(tb)).toMatchObject({ AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true' })
        const deleted = await aws([
          'delete-addon',
          '--cluster-name',
          tb.clusterName,
          '--addon-name',
          'vpc-cni'
        ])
        expect(JSON.parse(deleted.stdout)).toMatchObject({ addon: { status: 'DELETING' } })
        await tb.addons.changes.settled()
        expect((await tb.kubectl(['get', 'ds', 'aws-node', '-n', 'kube-system'])).code).not.toBe(0)
      })
    },
    TIMEOUT
  )

  it.concurrent(
    'migration: create-addon over a changed self-managed aws-node fails with NONE, OVERWRITE takes over',
    async () => {
      await withTestbed({ addonUpdateDelayMs: 300 }, async (tb, aws) => {
        const set = await tb.kubectl([
          'set',
          'env',
          'daemonset/aws-node',
          '-n',
          'kube-system',
          '-c',
          'aws-node',
          'WARM_ENI_TARGET=2'
        ])
        expect(set.code).toBe(0)
        const args = ['--cluster-name', tb.clusterName, '--addon-name', 'vpc-cni']
        expect((await aws(['create-addon', ...args, '--resolve-conflicts', 'NONE'])).code).toBe(0)
        await tb.addons.changes.settled()
        const failed = JSON.parse((await aws(['describe-addon', ...args])).stdout) as {
          addon: { status: string; health: { issues: { code: string; message: string }[] } }
        }
        expect(failed.addon.status).toBe('CREATE_FAILED')
        expect(failed.addon.health.issues).toEqual([
          expect.objectContaining({
            code: 'ConfigurationConflict',
            message:
              'Conflicts found when trying to apply. Will not continue due to resolve conflicts mode. Conflicts: DaemonSet.apps aws-node - .spec.template.spec.containers[name="aws-node"].env[name="WARM_ENI_TARGET"].value'
          })
        ])
        expect((await awsNodeEnv(tb)).WARM_ENI_TARGET).toBe('2')
        expect(
          (await aws(['update-addon', ...args, '--resolve-conflicts', 'OVERWRITE'])).code
        ).toBe(0)
        await tb.addons.changes.settled()
        const ok = JSON.parse((await aws(['describe-addon', ...args])).stdout) as {
          addon: { status: string }
        }
        expect(ok.addon.status).toBe('ACTIVE')
        expect((await awsNodeEnv(tb)).WARM_ENI_TARGET).toBe('1')
      })
    },
    TIMEOUT
  )

  it.concurrent(
    'an add-on version whose schema has no eniConfig (v1.11.2 on Kubernetes 1.24)',
    async () => {
      await withTestbed(
        { kubernetesVersion: '1.24', cniVersion: 'v1.11.2', cniMode: 'addon' },
        async (tb, aws) => {
          const args = ['--cluster-name', tb.clusterName, '--addon-name', 'vpc-cni']
          const addon = JSON.parse((await aws(['describe-addon', ...args])).stdout) as {
            addon: { addonVersion: string }
          }
          expect(addon.addon.addonVersion).toBe('v1.11.2-eksbuild.1')
          const values = JSON.stringify({
            eniConfig: { create: true, region: tb.region, subnets: { a: { id: 'subnet-1' } } }
          })
          const r = await aws(['update-addon', ...args, '--configuration-values', values])
          expect(r.stderr).toContain(
            'ConfigurationValue provided in request is not supported [$.eniConfig: is not defined in the schema and the schema does not allow additional properties]'
          )
          const env = JSON.stringify({ env: { AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true' } })
          expect((await aws(['update-addon', ...args, '--configuration-values', env])).code).toBe(0)
          await tb.addons.changes.settled()
          expect((await awsNodeEnv(tb)).AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG).toBe('true')
        }
      )
    },
    TIMEOUT
  )

  it.concurrent(
    'Auto Mode, CREATING: no endpoint until ACTIVE, computeConfig.enabled, no aws-node',
    async () => {
      await withTestbed(
        // Long enough that the first describe-cluster sees CREATING on a loaded machine.
        { autoMode: true, clusterStatus: 'CREATING', clusterActiveAfterMs: 12_000 },
        async (tb, aws) => {
          const creating = await describeCluster(aws, tb.clusterName)
          expect(creating.status).toBe('CREATING')
          expect(creating.endpoint).toBeUndefined()
          expect(creating.computeConfig?.enabled).toBe(true)
          let cluster = creating
          for (let i = 0; i < 120 && cluster.status !== 'ACTIVE'; i++) {
            await new Promise((r) => setTimeout(r, 500))
            cluster = await describeCluster(aws, tb.clusterName)
          }
          expect(cluster.status).toBe('ACTIVE')
          expect(cluster.endpoint).toBe(tb.endpoints.kube)
          const ds = await tb.kubectl(['get', 'ds', 'aws-node', '-n', 'kube-system'])
          expect(ds.code).not.toBe(0)
          expect(ds.stderr).toContain('NotFound')
          const addons = await aws(['list-addons', '--cluster-name', tb.clusterName])
          expect(JSON.parse(addons.stdout)).toEqual({ addons: [] })
        }
      )
    },
    TIMEOUT
  )
})
