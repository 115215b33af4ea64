/** A version change keeps what the running aws-node was set to: pure builders on real manifests. */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { type KubernetesObject, type V1DaemonSet, loadAllYaml } from '@kubernetes/client-node'
import { awsNodeEnv, editAwsNode, isAwsNodeDaemonSet } from '../src/cni/aws-node.js'
import {
  NODEAGENT,
  carryNodeagentArgs,
  compareVersions,
  preservedSettings,
  versionResets
} from '../src/cni/carry-over.js'
import { VPC_CNI_FIXTURES } from '../testbed/fixtures.js'

const FIXTURES = VPC_CNI_FIXTURES

const awsNodeOf = (version: string): KubernetesObject =>
  (
    loadAllYaml(
      readFileSync(path.join(FIXTURES, `aws-k8s-cni-${version}.yaml`), 'utf8')
    ) as KubernetesObject[]
  ).find(isAwsNodeDaemonSet) as KubernetesObject

const nodeagentArgs = (ds: KubernetesObject): string[] =>
  (ds as V1DaemonSet).spec?.template?.spec?.containers.find((c) => c.name === NODEAGENT)?.args ?? []

describe('compareVersions', () => {
  it('orders releases numerically', () => {
    expect(compareVersions('v1.11.2', 'v1.19.6')).toBe(-1)
    expect(compareVersions('v1.19.10', 'v1.19.6')).toBe(1)
    expect(compareVersions('v1.19.6', '1.19.6')).toBe(0)
  })
})

describe('preservedSettings', () => {
  it('keeps live values no input sets or removes; inputs win', () => {
    const live = editAwsNode(
      [awsNodeOf('v1.19.6')],
      {
        env: { MY_TEAM_SETTING: 'x', ENABLE_IPv6: 'true', WARM_IP_TARGET: '5' },
        initEnv: { ENABLE_IPv6: 'true' }
      },
      undefined
    )[0]
    const s = preservedSettings(live, {
      env: { WARM_IP_TARGET: '1' },
      initEnv: {},
      unset: ['WARM_PREFIX_TARGET'],
      initUnset: []
    })
    expect(s.env).toMatchObject({ MY_TEAM_SETTING: 'x', ENABLE_IPv6: 'true', WARM_IP_TARGET: '1' })
    expect(s.env.WARM_PREFIX_TARGET).toBeUndefined()
    // The live release stamp is not carried: the new manifest sets its own.
    expect(awsNodeEnv(live).env.VPC_CNI_VERSION).toBe('v1.19.6')
    expect(s.env.VPC_CNI_VERSION).toBeUndefined()
    expect(s.initEnv.ENABLE_IPv6).toBe('true')
    expect(s.unset).toEqual(['WARM_PREFIX_TARGET'])
  })

  it('is the inputs alone without a live aws-node', () => {
    const settings = { env: { A: '1' }, initEnv: {}, unset: [], initUnset: [] }
    expect(preservedSettings(undefined, settings)).toBe(settings)
  })
})

describe('carryNodeagentArgs and versionResets', () => {
  it('keep network policy on across a version change and list what else resets', () => {
    const live = awsNodeOf('v1.19.6')
    const liveAgent = (live as V1DaemonSet).spec!.template.spec!.containers.find(
      (c) => c.name === NODEAGENT
    )!
    liveAgent.args = liveAgent.args!.map((a) =>
      a.startsWith('--enable-network-policy=') ? '--enable-network-policy=true' : a
    )
    const target = editAwsNode([awsNodeOf('v1.23.0')], { env: {}, initEnv: {} }, undefined)[0]
    expect(nodeagentArgs(target)).toContain('--enable-network-policy=false')
    expect(carryNodeagentArgs(target, live)).toContain('enable-network-policy')
    expect(nodeagentArgs(target)).toContain('--enable-network-policy=true')
    expect(nodeagentArgs(target)).not.toContain('--enable-network-policy=false')
    const resets = versionResets(live, target)
    expect(resets.map((r) => r.field)).toEqual(
      expect.arrayContaining(['image aws-node', 'image aws-vpc-cni-init', `image ${NODEAGENT}`])
    )
    // v1.23.0 adds a flag, so the args change, but network policy stays on.
    expect(resets.find((r) => r.field === `args ${NODEAGENT}`)?.after).toMatch(
      /--enable-network-policy=true .*--conntrack-cache-table-size=/
    )
  })

  it('adds the live network-policy switch to a manifest that lacks it', () => {
    const live = awsNodeOf('v1.19.6')
    const target = editAwsNode([awsNodeOf('v1.19.6')], { env: {}, initEnv: {} }, undefined)[0]
    const agent = (target as V1DaemonSet).spec!.template.spec!.containers.find(
      (c) => c.name === NODEAGENT
    )!
    agent.args = agent.args!.filter((a) => !a.startsWith('--enable-network-policy='))
    carryNodeagentArgs(target, live)
    expect(nodeagentArgs(target)).toContain('--enable-network-policy=false')
  })

  it('lists live variables the new manifest drops as resets', () => {
    const live = editAwsNode(
      [awsNodeOf('v1.19.6')],
      { env: { GONE: '1' }, initEnv: {} },
      undefined
    )[0]
    const target = awsNodeOf('v1.19.6')
    expect(awsNodeEnv(target).env.GONE).toBeUndefined()
    expect(versionResets(live, target)).toContainEqual({
      field: 'env GONE',
      before: '1',
      after: undefined
    })
  })
})
