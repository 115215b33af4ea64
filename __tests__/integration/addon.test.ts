/**
 * The add-on path through the harness on dist/, on one test bed that runs vpc-cni as an EKS managed
 * add-on. The describes run in order, each from the cluster the previous one left: first the
 * origin script's kubectl apply changes aws-node behind EKS's back (the migration case), then
 * refusals and a dry run that write nothing, the update with NONE (EKS's conflict), with
 * OVERWRITE, a rerun, and EKS's own update-addon afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { originEditedManifest, pathWithAwsCli } from '../../testbed/baseline.js'
import { run as runProcess, startTestbed, type Testbed } from '../../testbed/index.js'
import { fixturesDir } from '../../testbed/mirror.js'
import {
  ORIGIN_ENV,
  ORIGIN_INIT_ENV,
  containerEnvs,
  errors,
  kubeWrites,
  liveAwsNode,
  originInputs,
  runAction
} from './helpers.js'

let bed: Testbed
let awsEnv: Record<string, string>

beforeAll(async () => {
  bed = await startTestbed({ cniMode: 'addon', addonUpdateDelayMs: 300 })
  const home = mkdtempSync(join(bed.dir, 'aws-'))
  awsEnv = {
    PATH: pathWithAwsCli(),
    HOME: home,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: 'AKIDADDONWIRE',
    AWS_SECRET_ACCESS_KEY: 'addon-wire-secret',
    AWS_REGION: bed.region,
    AWS_DEFAULT_REGION: bed.region,
    AWS_ENDPOINT_URL: bed.endpoints.aws
  }
}, 120_000)
afterAll(async () => bed?.stop())

const ENI_KIND: [string, string] = ['crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig']

async function run(inputs: Record<string, string> = {}) {
  const seq = bed.log.lastSeq
  // manifest-base-url is a manifest-only input, refused in add-on mode.
  const result = await runAction({
    env: bed.env,
    inputs: originInputs(bed, { 'manifest-base-url': '', ...inputs })
  })
  result.cleanup()
  const since = bed.log.since(seq)
  return {
    ...result,
    // The add-on manager's own writes (field manager eks) are EKS's, not the action's.
    kubeWrites: kubeWrites(bed, seq).filter((e) => !/(^|&)fieldManager=eks(&|$)/.test(e.query)),
    addonWrites: since.filter((e) => /^eks:(UpdateAddon|CreateAddon)$/.test(e.operation ?? ''))
  }
}

async function aws(args: string[]) {
  const r = await runProcess('aws', ['eks', ...args], { env: awsEnv, timeoutMs: 120_000 })
  if (r.code !== 0) throw new Error(`aws eks ${args.join(' ')}: ${r.stderr}`)
  return JSON.parse(r.stdout || '{}') as Record<string, unknown>
}

/** name → subnet of every ENIConfig. */
function eniConfigSubnets(): Record<string, string> {
  return Object.fromEntries(
    bed.kube
      .list(...ENI_KIND)
      .map((o) => [o.metadata.name, (o as unknown as { spec: { subnet: string } }).spec.subnet])
  )
}

/** The managers that own env entry `name` of container aws-node. */
function envOwners(name: string): string[] {
  const ds = liveAwsNode(bed) as unknown as {
    metadata: { managedFields?: { manager: string; fieldsV1?: unknown }[] }
  }
  const key = `k:{"name":"${name}"}`
  const has = (node: unknown): boolean =>
    typeof node === 'object' &&
    node !== null &&
    Object.entries(node).some(([k, v]) => k === key || has(v))
  return (ds.metadata.managedFields ?? []).filter((m) => has(m.fieldsV1)).map((m) => m.manager)
}

describe('migration: the origin script already changed the managed add-on', () => {
  it('kubectl applies the origin-edited manifest over the add-on', async () => {
    const manifest = readFileSync(join(fixturesDir(), 'aws-k8s-cni-v1.19.6.yaml'), 'utf8')
    const file = join(bed.dir, 'origin.yaml')
    writeFileSync(file, originEditedManifest(manifest))
    const r = await bed.kubectl(['apply', '-f', file])
    expect(r.code).toBe(0)
    expect(containerEnvs(liveAwsNode(bed)).env).toMatchObject(ORIGIN_ENV)
  })
})

describe('before any write', () => {
  it('a bad env key fails with the schema complaint and no write', async () => {
    const r = await run({ env: 'NOT_A_CNI_SETTING=1' })
    expect(r.main.exitCode).not.toBe(0)
    expect(errors(r)).toMatch(/NOT_A_CNI_SETTING/)
    expect(errors(r)).toMatch(
      /is not defined in the schema and the schema does not allow additional properties/
    )
    expect(errors(r)).toMatch(/'env'/)
    expect(r.addonWrites).toEqual([])
    expect(r.kubeWrites).toEqual([])
  })

  it('manifest-only inputs are refused, naming the input', async () => {
    const r = await run({ 'image-registry': '111122223333.dkr.ecr.us-west-2.amazonaws.com' })
    expect(r.main.exitCode).not.toBe(0)
    expect(errors(r)).toMatch(/'image-registry' applies only to a self-managed VPC CNI/)
    expect(r.addonWrites).toEqual([])
    expect(r.kubeWrites).toEqual([])
  })

  it('dry-run shows the before → after key by key and writes nothing', async () => {
    const r = await run({ 'dry-run': 'true' })
    expect(r.main.exitCode).toBe(0)
    expect(r.log).toMatch(/configurationValues env\.ENABLE_PREFIX_DELEGATION: \(not set\) → true/)
    expect(r.log).toMatch(/configurationValues eniConfig/)
    expect(r.outputs).toMatchObject({
      mode: 'addon',
      'addon-version': 'v1.19.6-eksbuild.1',
      changed: 'true'
    })
    expect(r.addonWrites).toEqual([])
    expect(r.kubeWrites).toEqual([])
    expect(r.summary).toMatch(/\*\*dry run\*\*: nothing was sent/)
  })
})

describe('the update', () => {
  it('resolve-conflicts NONE fails with the conflict text EKS reports, verbatim', async () => {
    const r = await run({ 'resolve-conflicts': 'NONE' })
    expect(r.main.exitCode).not.toBe(0)
    expect(r.addonWrites).toHaveLength(1)
    const id = /started update (\S+)/.exec(r.log)?.[1] ?? ''
    const described = (await aws([
      'describe-update',
      '--name',
      bed.clusterName,
      '--update-id',
      id,
      '--addon-name',
      'vpc-cni'
    ])) as { update: { status: string; errors: { errorMessage: string }[] } }
    expect(described.update.status).toBe('Failed')
    const eksText = described.update.errors.map((e) => e.errorMessage)
    expect(eksText.join('\n')).toMatch(
      /^Conflicts found when trying to apply\. Will not continue due to resolve conflicts mode\. Conflicts:/
    )
    for (const text of eksText) expect(errors(r)).toContain(text)
    expect(r.summary).toContain(id)
  })

  it('OVERWRITE sets the settings and the ENIConfigs through UpdateAddon, owned by eks', async () => {
    const r = await run({ 'resolve-conflicts': 'OVERWRITE', 'instance-types': 'm5.large' })
    expect(errors(r)).toBe('')
    expect(r.main.exitCode).toBe(0)
    expect(r.addonWrites).toHaveLength(1)
    expect(r.addonWrites[0].operation).toBe('eks:UpdateAddon')
    // The action wrote nothing to Kubernetes itself: EKS applied the values.
    expect(r.kubeWrites).toEqual([])
    const { env, initEnv } = containerEnvs(liveAwsNode(bed))
    expect(env).toMatchObject({ ...ORIGIN_ENV, WARM_ENI_TARGET: '1' })
    expect(initEnv).toMatchObject(ORIGIN_INIT_ENV)
    // EKS owns every setting; the origin's kubectl apply stays a co-owner where it set the same
    // value (server-side apply shares a field between managers that agree on it).
    for (const name of Object.keys(ORIGIN_ENV)) {
      const owners = envOwners(name)
      expect([name, owners.includes('eks')]).toEqual([name, true])
      expect(owners.filter((m) => m.startsWith('eks-cni-custom-networking'))).toEqual([])
    }
    expect(eniConfigSubnets()).toEqual(
      Object.fromEntries(bed.podSubnets.map((s) => [s.zone, s.id]))
    )
    expect(r.outputs).toMatchObject({
      mode: 'addon',
      'addon-version': 'v1.19.6-eksbuild.1',
      changed: 'true'
    })
    expect(r.summary).toMatch(/EKS add-on `vpc-cni`/)
    expect(r.summary).toMatch(/through UpdateAddon, update `[^`]+`/)
    expect(r.summary).toMatch(/env\.AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG/)
    // The nodes started before custom networking and max pods work as on the self-managed path.
    const nodes = bed.kube.list('v1', 'Node').map((n) => n.metadata.name)
    const recycle = JSON.parse(r.outputs['nodes-to-recycle']) as { name: string }[]
    expect(recycle.map((n) => n.name).sort()).toEqual([...nodes].sort())
    expect(JSON.parse(r.outputs['max-pods'])).toEqual({ 'm5.large': expect.any(Number) })
  })

  it('a rerun makes no UpdateAddon call and reports changed=false', async () => {
    const before = (await aws([
      'describe-addon',
      '--cluster-name',
      bed.clusterName,
      '--addon-name',
      'vpc-cni'
    ])) as {
      addon: { modifiedAt: string }
    }
    const r = await run()
    expect(r.main.exitCode).toBe(0)
    expect(r.addonWrites).toEqual([])
    expect(r.kubeWrites).toEqual([])
    expect(r.outputs.changed).toBe('false')
    const after = (await aws([
      'describe-addon',
      '--cluster-name',
      bed.clusterName,
      '--addon-name',
      'vpc-cni'
    ])) as {
      addon: { modifiedAt: string }
    }
    expect(after.addon.modifiedAt).toBe(before.addon.modifiedAt)
  })

  it("EKS's own update-addon OVERWRITE with the same version keeps every setting", async () => {
    const { update } = (await aws([
      'update-addon',
      '--cluster-name',
      bed.clusterName,
      '--addon-name',
      'vpc-cni',
      '--addon-version',
      'v1.19.6-eksbuild.1',
      '--resolve-conflicts',
      'OVERWRITE'
    ])) as { update: { id: string } }
    await aws([
      'wait',
      'addon-active',
      '--cluster-name',
      bed.clusterName,
      '--addon-name',
      'vpc-cni'
    ])
    const described = (await aws([
      'describe-update',
      '--name',
      bed.clusterName,
      '--update-id',
      update.id,
      '--addon-name',
      'vpc-cni'
    ])) as { update: { status: string } }
    expect(described.update.status).toBe('Successful')
    const { env, initEnv } = containerEnvs(liveAwsNode(bed))
    expect(env).toMatchObject(ORIGIN_ENV)
    expect(initEnv).toMatchObject(ORIGIN_INIT_ENV)
    expect(Object.keys(eniConfigSubnets())).toHaveLength(bed.podSubnets.length)
  })
})
