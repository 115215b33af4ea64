/**
 * The write model through the harness on dist/, on one test bed that starts as EKS leaves a cluster
 * (VPC CNI v1.19.6 with -eksbuild.1 images, applied by manager `eks`). Before the first run, real
 * kubectl sets a custom variable on aws-node and turns network policy on in the nodeagent. The
 * describes run in order, each from the cluster the previous one left.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startTestbed, type Testbed } from '../../testbed/index.js'
import {
  containerEnvs,
  errors,
  fixtureAwsNode,
  kubeWrites,
  liveAwsNode,
  originInputs,
  runAction
} from './helpers.js'

let bed: Testbed

beforeAll(async () => {
  bed = await startTestbed()
}, 120_000)
afterAll(async () => bed?.stop())

const ENI_KIND: [string, string] = ['crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig']

/** resourceVersion of aws-node, the CRDs and every ENIConfig. */
function versions(): Record<string, string | undefined> {
  const ds = bed.kube.get('apps/v1', 'DaemonSet', 'aws-node', 'kube-system')
  const crds = bed.kube.list('apiextensions.k8s.io/v1', 'CustomResourceDefinition')
  const configs = bed.kube.list(...ENI_KIND)
  return Object.fromEntries([
    ['aws-node', ds?.metadata.resourceVersion],
    ...[...crds, ...configs].map((o) => [
      `${o.kind}/${o.metadata.name}`,
      o.metadata.resourceVersion
    ])
  ])
}

function nodeagentArgs(): string[] {
  const ds = liveAwsNode(bed) as unknown as {
    spec: { template: { spec: { containers: { name: string; args?: string[] }[] } } }
  }
  return ds.spec.template.spec.containers.find((c) => c.name === 'aws-eks-nodeagent')?.args ?? []
}

async function kubectl(args: string[]): Promise<void> {
  const r = await bed.kubectl(args)
  expect(r.stderr + (r.code === 0 ? '' : ` (exit ${r.code})`)).not.toMatch(/error|exit/i)
}

async function run(inputs: Record<string, string> = {}) {
  const seq = bed.log.lastSeq
  const result = await runAction({ env: bed.env, inputs: originInputs(bed, inputs) })
  result.cleanup()
  return { ...result, writes: kubeWrites(bed, seq) }
}

describe('a default run changes only the settings', () => {
  it('keeps images, the nodeagent args and a variable another manager set', async () => {
    await kubectl([
      'set',
      'env',
      'daemonset/aws-node',
      '-n',
      'kube-system',
      '-c',
      'aws-node',
      'MY_TEAM_SETTING=keep-me'
    ])
    const i = nodeagentArgs().findIndex((a) => a.startsWith('--enable-network-policy='))
    expect(i).toBeGreaterThanOrEqual(0)
    await kubectl([
      'patch',
      'daemonset/aws-node',
      '-n',
      'kube-system',
      '--type=json',
      '-p',
      JSON.stringify([
        {
          op: 'replace',
          path: `/spec/template/spec/containers/1/args/${i}`,
          value: '--enable-network-policy=true'
        }
      ])
    ])
    const before = containerEnvs(liveAwsNode(bed))
    expect(before.images.every((image) => /-eksbuild\.1$/.test(image))).toBe(true)
    expect(nodeagentArgs()).toContain('--enable-network-policy=true')

    const r = await run()
    expect(errors(r)).toBe('')
    expect(r.main.exitCode).toBe(0)
    expect(r.outputs.changed).toBe('true')
    expect(r.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual([])
    const after = containerEnvs(liveAwsNode(bed))
    expect(after.images).toEqual(before.images)
    expect(nodeagentArgs()).toContain('--enable-network-policy=true')
    expect(after.env.MY_TEAM_SETTING).toBe('keep-me')
    expect(after.env).toMatchObject({
      ENABLE_POD_ENI: 'true',
      AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true',
      ENI_CONFIG_LABEL_DEF: 'topology.kubernetes.io/zone',
      WARM_ENI_TARGET: '1',
      WARM_IP_TARGET: '1',
      MINIMUM_IP_TARGET: '30',
      WARM_PREFIX_TARGET: '1',
      ENABLE_PREFIX_DELEGATION: 'true',
      AWS_VPC_K8S_CNI_EXTERNALSNAT: 'true'
    })
    // Every variable the action does not manage keeps its value.
    const managed = new Set(Object.keys(after.env).filter((k) => after.env[k] !== before.env[k]))
    expect([...managed].sort()).toEqual(
      [
        'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG',
        'AWS_VPC_K8S_CNI_EXTERNALSNAT',
        'ENABLE_POD_ENI',
        'ENABLE_PREFIX_DELEGATION',
        'ENI_CONFIG_LABEL_DEF',
        'MINIMUM_IP_TARGET',
        'WARM_IP_TARGET'
      ].sort()
    )
    expect(after.initEnv.DISABLE_TCP_EARLY_DEMUX).toBe('true')
    // No manifest download, and only ENIConfigs and aws-node are written.
    expect(r.writes.map((w) => w.path.split('/').slice(-2)[0]).sort()).toEqual([
      'daemonsets',
      'eniconfigs',
      'eniconfigs',
      'eniconfigs'
    ])
    // aws-node went out after the ENIConfigs were stored: custom networking turned on.
    const ds = r.writes.find((w) => /daemonsets/.test(w.path))
    const eni = r.writes.filter((w) => /eniconfigs/.test(w.path))
    expect(eni.every((e) => e.end <= (ds?.start ?? 0))).toBe(true)
    expect(bed.kube.list(...ENI_KIND)).toHaveLength(3)
  }, 120_000)

  it('a rerun changes nothing', async () => {
    const before = versions()
    const r = await run()
    expect(errors(r)).toBe('')
    expect(r.outputs.changed).toBe('false')
    // Read from the cluster: the nodes that predate custom networking are still listed.
    expect(JSON.parse(r.outputs['nodes-to-recycle'])).toHaveLength(3)
    expect(versions()).toEqual(before)
  }, 120_000)

  it("an input set to '' removes the variable, even one another manager also set", async () => {
    // WARM_PREFIX_TARGET came from the manifest EKS applied, so manager eks owns it too.
    const r = await run({ 'warm-prefix-target': '', 'warm-ip-target': '' })
    expect(errors(r)).toBe('')
    expect(r.outputs.changed).toBe('true')
    const env = containerEnvs(liveAwsNode(bed)).env
    expect(env.WARM_PREFIX_TARGET).toBeUndefined()
    expect(env.WARM_IP_TARGET).toBeUndefined()
    expect(env.MY_TEAM_SETTING).toBe('keep-me')
    expect(r.log).toMatch(/Removed from aws-node: .*WARM_PREFIX_TARGET/)
  }, 120_000)

  it("a dry run's changed and removals match the real run that follows", async () => {
    const inputs = { 'warm-prefix-target': '', 'warm-ip-target': '', 'warm-eni-target': '' }
    const before = versions()
    const dry = await run({ ...inputs, 'dry-run': 'true' })
    expect(errors(dry)).toBe('')
    expect(dry.outputs.changed).toBe('true')
    expect(dry.writes.every((w) => /(^|&)dryRun=All/.test(w.query))).toBe(true)
    expect(versions()).toEqual(before)
    expect(dry.summary).toMatch(/### Would remove from aws-node\s+- `aws-node WARM_ENI_TARGET`/)
    const real = await run(inputs)
    expect(errors(real)).toBe('')
    expect(real.outputs.changed).toBe(dry.outputs.changed)
    expect(real.summary).toMatch(/### Removed from aws-node\s+- `aws-node WARM_ENI_TARGET`/)
    expect(containerEnvs(liveAwsNode(bed)).env.WARM_ENI_TARGET).toBeUndefined()
  }, 120_000)
})

describe('a version change', () => {
  it('refuses an older version before any write', async () => {
    const r = await run({ 'cni-version': 'v1.11.2' })
    expect(r.main.exitCode).toBe(1)
    expect(errors(r)).toMatch(/runs VPC CNI v1\.19\.6.*older v1\.11\.2.*allow-downgrade: true/s)
    expect(r.writes).toEqual([])
  }, 120_000)

  it('an upgrade keeps the live variables and network policy, and lists what it resets', async () => {
    const r = await run({ 'cni-version': 'v1.20.5' })
    expect(errors(r)).toBe('')
    expect(r.outputs.changed).toBe('true')
    expect(r.outputs['cni-version']).toBe('v1.20.5')
    const live = containerEnvs(liveAwsNode(bed))
    expect(live.env.MY_TEAM_SETTING).toBe('keep-me')
    expect(live.env.VPC_CNI_VERSION).toBe('v1.20.5')
    expect(live.env.WARM_ENI_TARGET).toBe('1')
    expect(nodeagentArgs()).toContain('--enable-network-policy=true')
    expect(
      live.images.filter((i) => /amazon-k8s-cni/.test(i)).every((i) => /:v1\.20\.5$/.test(i))
    ).toBe(true)
    expect(r.summary).toMatch(
      /### The version change reset[\s\S]*\| image aws-node \| `[^`]*v1\.19\.6-eksbuild\.1` \| `[^`]*v1\.20\.5` \|/
    )
  }, 120_000)

  it('a settings-only run after the upgrade drops nothing and restarts nothing', async () => {
    const ds = () =>
      liveAwsNode(bed) as unknown as { metadata: { generation: number }; spec: unknown }
    const spec = JSON.stringify(ds().spec)
    const generation = ds().metadata.generation
    // The first claims the settings the upgrade re-set for our settings manager: only
    // managedFields change, so the pod template (and its generation) stays as it is.
    const first = await run()
    expect(errors(first)).toBe('')
    expect(JSON.stringify(ds().spec)).toBe(spec)
    expect(ds().metadata.generation).toBe(generation)
    const before = versions()
    const second = await run()
    expect(errors(second)).toBe('')
    expect(second.outputs.changed).toBe('false')
    expect(versions()).toEqual(before)
  }, 120_000)
})

describe('a cluster an earlier release configured', () => {
  it('hands the whole aws-node to the manifest manager before the first settings-only apply', async () => {
    // The earlier release applied the whole manifest under the settings manager.
    const r0 = await bed.kubectl(
      [
        'apply',
        '--server-side',
        '--force-conflicts',
        '--field-manager=eks-cni-custom-networking',
        '-f',
        '-'
      ],
      { stdin: JSON.stringify(fixtureAwsNode('v1.19.6')) }
    )
    expect(r0.code).toBe(0)
    const before = containerEnvs(liveAwsNode(bed))
    const r = await run()
    // Two writes to aws-node: the hand-over under the manifest manager, then the settings.
    expect(
      r.writes
        .filter((w) => /daemonsets/.test(w.path))
        .map((w) => /fieldManager=([^&]+)/.exec(w.query)?.[1])
    ).toEqual(['eks-cni-custom-networking-manifest', 'eks-cni-custom-networking'])
    expect(errors(r)).toBe('')
    expect(r.log).toMatch(/applied aws-node whole \(an earlier release of this action\)/)
    const after = containerEnvs(liveAwsNode(bed))
    expect(after.images).toEqual(before.images)
    expect(after.env.AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG).toBe('true')
    // Everything the earlier release set but the settings keeps its value.
    for (const [k, v] of Object.entries(before.env)) {
      if (!(k in after.env)) throw new Error(`${k}=${v} was dropped`)
    }
    const second = await run()
    expect(second.outputs.changed).toBe('false')
    expect(second.log).not.toMatch(/applied aws-node whole/)
  }, 120_000)
})

describe('a failing run never strands a node and says what changed', () => {
  it('an ENIConfig write that keeps failing leaves custom networking off', async () => {
    await kubectl(['delete', 'eniconfig', '--all'])
    await kubectl([
      'set',
      'env',
      'daemonset/aws-node',
      '-n',
      'kube-system',
      '-c',
      'aws-node',
      'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=false'
    ])
    const stop = bed.faults.add({
      name: 'eniconfig-500',
      service: 'kube',
      method: 'PATCH',
      path: /eniconfigs\/.*-2b$/,
      status: 500,
      times: Infinity
    })
    try {
      const r = await run({ 'timeout-seconds': '8' })
      expect(r.main.exitCode).toBe(1)
      expect(containerEnvs(liveAwsNode(bed)).env.AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG).toBe('false')
      const message = errors(r)
      expect(message).toMatch(/custom networking on aws-node is as it was \(off\)/)
      expect(message).toMatch(/Not reached: DaemonSet\/kube-system\/aws-node/)
      expect(message).toMatch(/rerun with the same inputs completes/i)
      expect(r.outputs.changed).toBe('true')
      expect(JSON.parse(r.outputs['eni-configs'])).toHaveLength(3)
      expect(JSON.parse(r.outputs['nodes-to-recycle'])).toHaveLength(3)
      expect(r.summary).toMatch(/ENIConfig\/ap-northeast-2a.*created/)
      expect(r.summary).toMatch(/DaemonSet\/kube-system\/aws-node.*not reached/)
      expect(r.writes.some((w) => /daemonsets/.test(w.path))).toBe(false)
    } finally {
      stop()
    }
  }, 120_000)

  it('a CRD that never becomes Established leaves custom networking off', async () => {
    await kubectl(['delete', 'crd', 'eniconfigs.crd.k8s.amazonaws.com'])
    bed.kube.setCrdEstablishDelay(3_600_000)
    const r = await run({ 'timeout-seconds': '3' })
    expect(r.main.exitCode).toBe(1)
    expect(containerEnvs(liveAwsNode(bed)).env.AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG).toBe('false')
    expect(errors(r)).toMatch(/not Established/)
    expect(errors(r)).toMatch(/custom networking on aws-node is as it was \(off\)/)
    expect(r.summary).toMatch(
      /CustomResourceDefinition\/eniconfigs\.crd\.k8s\.amazonaws\.com.*created/
    )
    expect(r.summary).toMatch(/ENIConfig\/ap-northeast-2a.*not reached/)
    expect(r.outputs.changed).toBe('true')
    expect(r.writes.some((w) => /daemonsets|eniconfigs\//.test(w.path))).toBe(false)
  }, 120_000)
})
