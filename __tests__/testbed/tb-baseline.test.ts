import { readdirSync } from 'node:fs'
import yaml from 'js-yaml'
import {
  ORIGIN_INIT_ENV,
  ORIGIN_NODE_ENV,
  originEditedManifest,
  prepareBaseline,
  runBaseline
} from '../../testbed/baseline.js'
import { startTestbed, type Testbed } from '../../testbed/index.js'
import { kubectlDirsOnPath } from '../../testbed/mirror.js'

type Env = { name: string; value?: string }[]
interface DaemonSet {
  kind: string
  metadata: { name: string }
  spec: {
    template: {
      spec: {
        containers: { name: string; env?: Env }[]
        initContainers: { name: string; env?: Env }[]
      }
    }
  }
}
const envOf = (env: Env | undefined): Record<string, string | undefined> =>
  Object.fromEntries((env ?? []).map((e) => [e.name, e.value]))

describe('origin baseline manifest edits', () => {
  it('sets the origin env on aws-node and aws-vpc-cni-init, leaving the rest alone', async () => {
    const { readFileSync } = await import('node:fs')
    const { join } = await import('node:path')
    const { fixturesDir } = await import('../../testbed/mirror.js')
    const source = readFileSync(join(fixturesDir(), 'aws-k8s-cni-v1.11.2.yaml'), 'utf8')
    const before = yaml.loadAll(source).filter(Boolean)
    const after = yaml.loadAll(originEditedManifest(source)) as DaemonSet[]
    expect(after).toHaveLength(before.length)
    const ds = after.find((d) => d.kind === 'DaemonSet') as DaemonSet
    const node = envOf(ds.spec.template.spec.containers.find((c) => c.name === 'aws-node')?.env)
    expect(node).toMatchObject(ORIGIN_NODE_ENV)
    const init = ds.spec.template.spec.initContainers.find((c) => c.name === 'aws-vpc-cni-init')
    expect(envOf(init?.env)).toMatchObject(ORIGIN_INIT_ENV)
  })
})

// Any kubectl the machine has: versioned kubectl.1.N files or a single kubectl (see findKubectl).
const tools = kubectlDirsOnPath().length > 0
const describeTools = tools ? describe : describe.skip

describeTools('bench/baseline-origin.sh against the test bed', () => {
  let tb: Testbed

  beforeAll(async () => {
    tb = await startTestbed()
  })
  afterAll(() => tb?.stop())

  it('runs green, creates the ENIConfigs and the origin env, and leaves no kubeconfig', async () => {
    const prepared = await prepareBaseline(tb)
    const result = await runBaseline(prepared)
    expect(result.stderr).not.toMatch(/error/i)
    expect(result.code).toBe(0)
    console.log(`baseline-origin.sh: ${result.ms} ms`)
    const eniConfigs = tb.kube.list('crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig')
    expect(eniConfigs.map((e) => e.metadata?.name).sort()).toEqual(
      ['a', 'b', 'c'].map((z) => `${tb.region}${z}`)
    )
    const specs = eniConfigs.map((e) => (e as unknown as { spec: unknown }).spec)
    expect(specs).toEqual(
      expect.arrayContaining(
        tb.podSubnets.map((s) => ({ subnet: s.id, securityGroups: [tb.clusterSecurityGroupId] }))
      )
    )
    const ds = tb.kube.get(
      'apps/v1',
      'DaemonSet',
      'aws-node',
      'kube-system'
    ) as unknown as DaemonSet
    const node = ds.spec.template.spec.containers.find((c) => c.name === 'aws-node')
    expect(envOf(node?.env)).toMatchObject(ORIGIN_NODE_ENV)
    const init = ds.spec.template.spec.initContainers.find((c) => c.name === 'aws-vpc-cni-init')
    expect(envOf(init?.env)).toMatchObject(ORIGIN_INIT_ENV)
    expect(readdirSync(prepared.tmpDir)).toEqual([])
    const ops = tb.log.entries.filter((e) => e.service === 'aws').map((e) => e.operation)
    expect(ops).toContain('eks:DescribeCluster')
  })

  it('fails loudly when a step fails', async () => {
    const prepared = await prepareBaseline(tb)
    const result = await runBaseline({
      ...prepared,
      env: { ...prepared.env, CLUSTER_NAME: 'missing' }
    })
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('ResourceNotFoundException')
    expect(readdirSync(prepared.tmpDir)).toEqual([])
  })
})
