/**
 * Other kinds of cluster through the harness on dist/: Auto Mode and IPv6 are refused with zero
 * writes, a CREATING cluster is waited for, and a cluster without any CNI is refused unless
 * `mode: addon` asks for the add-on to be created. One test bed per kind, stopped after its test.
 */
import { describe, expect, it } from '@jest/globals'
import { startTestbed, type Testbed, type TestbedOptions } from '../../testbed/index.js'
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

async function withBed(options: TestbedOptions, fn: (bed: Testbed) => Promise<void>) {
  const bed = await startTestbed(options)
  try {
    await fn(bed)
  } finally {
    await bed.stop()
  }
}

async function run(bed: Testbed, inputs: Record<string, string> = {}) {
  const seq = bed.log.lastSeq
  const result = await runAction({ env: bed.env, inputs: originInputs(bed, inputs) })
  result.cleanup()
  const since = bed.log.since(seq)
  return {
    ...result,
    // The add-on manager's own writes (field manager eks) are EKS's, not the action's.
    kubeWrites: kubeWrites(bed, seq).filter((e) => !/(^|&)fieldManager=eks(&|$)/.test(e.query)),
    awsWrites: since.filter(
      (e) => e.service !== 'kube' && /^eks:(Create|Update|Delete)/.test(e.operation ?? '')
    )
  }
}

describe('refused before any write', () => {
  it('Auto Mode: explains, and prints the NodeClass pod subnet and security group terms', async () => {
    await withBed({ autoMode: true }, async (bed) => {
      const r = await run(bed, { 'security-groups': '' })
      expect(r.main.exitCode).not.toBe(0)
      const text = errors(r)
      expect(text).toMatch(/runs EKS Auto Mode/)
      expect(text).toContain('podSubnetSelectorTerms')
      for (const s of bed.podSubnets) expect(text).toContain(s.id)
      expect(text).toContain('Nothing was changed.')
      expect(r.kubeWrites).toEqual([])
      expect(r.awsWrites).toEqual([])
    })
  }, 120_000)

  it("IPv6: quotes the VPC CNI's own words", async () => {
    await withBed({ ipFamily: 'ipv6' }, async (bed) => {
      const r = await run(bed)
      expect(r.main.exitCode).not.toBe(0)
      expect(errors(r)).toMatch(/IPv6 family/)
      expect(errors(r)).toContain('Custom Networking are not supported in IPv6 mode.')
      expect(r.kubeWrites).toEqual([])
      expect(r.awsWrites).toEqual([])
    })
  }, 120_000)
})

describe('a CREATING cluster', () => {
  it('is waited for and then configured', async () => {
    await withBed({ clusterStatus: 'CREATING', clusterActiveAfterMs: 4000 }, async (bed) => {
      const r = await run(bed)
      expect(errors(r)).toBe('')
      expect(r.main.exitCode).toBe(0)
      expect(r.log).toMatch(/CREATING/)
      expect(containerEnvs(liveAwsNode(bed)).env).toMatchObject(ORIGIN_ENV)
      expect(r.outputs).toMatchObject({ mode: 'self-managed', changed: 'true' })
    })
  }, 120_000)
})

describe('a cluster without any CNI', () => {
  it('is refused by default, and mode addon creates the add-on with the settings', async () => {
    await withBed({ cniVersion: null, addonUpdateDelayMs: 300 }, async (bed) => {
      const refused = await run(bed)
      expect(refused.main.exitCode).not.toBe(0)
      expect(errors(refused)).toMatch(/has no VPC CNI/)
      expect(errors(refused)).toMatch(/mode: addon/)
      expect(refused.kubeWrites).toEqual([])
      expect(refused.awsWrites).toEqual([])

      const r = await run(bed, { mode: 'addon', 'manifest-base-url': '' })
      expect(errors(r)).toBe('')
      expect(r.main.exitCode).toBe(0)
      expect(r.awsWrites.map((e) => e.operation)).toEqual(['eks:CreateAddon'])
      const { env, initEnv } = containerEnvs(liveAwsNode(bed))
      expect(env).toMatchObject(ORIGIN_ENV)
      expect(initEnv).toMatchObject(ORIGIN_INIT_ENV)
      expect(bed.kube.list('crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig')).toHaveLength(
        bed.podSubnets.length
      )
      expect(r.outputs.mode).toBe('addon')
      expect(r.outputs['addon-version']).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/)
      expect(r.outputs.changed).toBe('true')
    })
  }, 120_000)
})

describe('an old add-on version whose schema lacks the settings', () => {
  it('is refused before any write, naming each input the schema refuses', async () => {
    // v1.11.2-eksbuild.1 is served with the v1.12.0 schema: no eniConfig, no init, and no
    // WARM_IP_TARGET, MINIMUM_IP_TARGET or ENI_CONFIG_LABEL_DEF in env.
    await withBed(
      { cniMode: 'addon', cniVersion: 'v1.11.2', kubernetesVersion: '1.24' },
      async (bed) => {
        const r = await run(bed, { 'manifest-base-url': '', 'disable-tcp-early-demux': '' })
        expect(r.main.exitCode).not.toBe(0)
        const text = errors(r)
        expect(text).toContain('do not match the schema of add-on version v1.11.2-eksbuild.1')
        expect(text).toContain(
          "input 'eni-config-label-def': $.env.ENI_CONFIG_LABEL_DEF: is not defined in the schema"
        )
        expect(text).toMatch(/set cni-version/)
        expect(r.kubeWrites).toEqual([])
        expect(r.awsWrites).toEqual([])
      }
    )
  }, 120_000)
})
