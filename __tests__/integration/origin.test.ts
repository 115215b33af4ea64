/**
 * The origin scenario through the runner harness on dist/: three pod subnets, the cluster security
 * group and the origin's settings, for the v1.11.2, v1.19.6 and v1.23.0 manifests on one cluster,
 * then a second run that must change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startTestbed, type Testbed } from '../../testbed/index.js'
import {
  ORIGIN_ENV,
  ORIGIN_INIT_ENV,
  containerEnvs,
  expectNoSecretsInLog,
  expectSecretsMasked,
  filesIn,
  fixtureAwsNode,
  kubeWrites,
  liveAwsNode,
  originInputs,
  runAction
} from './helpers.js'

const REGISTRY = '602401143452.dkr.ecr.ap-northeast-2.amazonaws.com'
let bed: Testbed

beforeAll(async () => {
  // Nothing preinstalled: each version's apply then owns every field, so the live object must
  // equal that manifest plus the origin's settings exactly.
  bed = await startTestbed({ cniVersion: null })
}, 120_000)
afterAll(async () => bed?.stop())

/** The ENIConfigs in the cluster, as name → {subnet, securityGroups}. */
function eniConfigs() {
  return Object.fromEntries(
    bed.kube
      .list('crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig')
      .map((o) => [o.metadata.name, (o as unknown as { spec: unknown }).spec])
  )
}

describe.each(['v1.11.2', 'v1.19.6', 'v1.23.0'])(
  'the origin scenario with the %s manifest',
  (version) => {
    it('configures aws-node exactly as the origin script and creates one ENIConfig per zone', async () => {
      // A version change keeps the live variables no input sets (all but the release stamp).
      const { VPC_CNI_VERSION: _stamp, ...carried } = bed.kube.get(
        'apps/v1',
        'DaemonSet',
        'aws-node',
        'kube-system'
      )
        ? containerEnvs(liveAwsNode(bed)).env
        : ({} as Record<string, string>)
      const run = await runAction({
        env: { ...bed.env, ACTIONS_STEP_DEBUG: 'true' },
        inputs: originInputs(bed, { 'cni-version': version })
      })
      void _stamp
      try {
        expect(run.main.exitCode).toBe(0)
        expect(run.post?.exitCode).toBe(0)

        const published = containerEnvs(fixtureAwsNode(version))
        const live = containerEnvs(liveAwsNode(bed))
        expect(live.env).toEqual({ ...published.env, ...carried, ...ORIGIN_ENV })
        expect(live.initEnv).toEqual({ ...published.initEnv, ...ORIGIN_INIT_ENV })
        expect(live.images).toEqual(published.images.map((i) => i.replace(/^[^/]+/, REGISTRY)))
        expect(live.images.every((i) => i.startsWith(`${REGISTRY}/`))).toBe(true)

        const sg = bed.clusterSecurityGroupId
        const [a, b, c] = bed.podSubnets
        expect(eniConfigs()).toEqual({
          'ap-northeast-2a': { subnet: a.id, securityGroups: [sg] },
          'ap-northeast-2b': { subnet: b.id, securityGroups: [sg] },
          'ap-northeast-2c': { subnet: c.id, securityGroups: [sg] }
        })

        expect(JSON.parse(run.outputs['eni-configs'])).toEqual(
          bed.podSubnets.map((s) => ({
            name: s.zone,
            zone: s.zone,
            zoneId: s.zoneId,
            subnet: s.id,
            securityGroups: [sg]
          }))
        )
        expect(run.outputs).toMatchObject({
          'eni-config-label-def': 'topology.kubernetes.io/zone',
          'cni-version': version,
          changed: 'true',
          'cluster-security-group-id': sg,
          'kubernetes-version': bed.kubernetesVersion
        })
        expect(run.outputs['kubectl-path']).toMatch(/kubectl$/)
        expect(run.outputs.kubeconfig).toBeUndefined()
        expect(run.exportedEnv).toEqual({})

        expect(run.state['kubeconfig-dir']).toBeTruthy()
        expect(filesIn(bed.env.RUNNER_TEMP)).toEqual([])
        expectSecretsMasked(run)
        expectNoSecretsInLog(run)
        expect(run.log).not.toMatch(/punycode|DEP0040|DeprecationWarning/)
        // Node 24 prints deprecations on stderr; the action's own dependencies must cause none.
        expect(run.main.stderr).not.toContain('DeprecationWarning')
        expect(run.post?.stderr ?? '').not.toContain('DeprecationWarning')
        expect(run.summary).toContain('ENIConfigs')
        expect(run.summary).toContain('ap-northeast-2a')
        expect(run.summary).toContain('MINIMUM_IP_TARGET')
      } finally {
        run.cleanup()
      }
    })
  }
)

describe('a second run with the same inputs', () => {
  it('reports changed=false and bumps no resourceVersion or generation', async () => {
    const inputs = originInputs(bed, { 'cni-version': 'v1.23.0' })
    const snapshot = () => {
      const kinds: [string, string, string?][] = [
        ['apps/v1', 'DaemonSet', 'kube-system'],
        ['v1', 'ServiceAccount', 'kube-system'],
        ['v1', 'ConfigMap', 'kube-system'],
        ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
        ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
        ['apiextensions.k8s.io/v1', 'CustomResourceDefinition'],
        ['crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig']
      ]
      return kinds.flatMap(([v, k, ns]) =>
        bed.kube
          .list(v, k, ns)
          .map(
            (o) =>
              `${k}/${o.metadata.name} rv=${o.metadata.resourceVersion} gen=${o.metadata.generation}`
          )
      )
    }
    const before = snapshot()
    const seq = bed.log.lastSeq
    const run = await runAction({ env: bed.env, inputs })
    try {
      expect(run.main.exitCode).toBe(0)
      expect(run.outputs.changed).toBe('false')
      expect(snapshot()).toEqual(before)
      expect(run.summary).toContain('Nothing changed')
      // The no-op costs no wait: the apply answers already show a rolled-out aws-node.
      const writes = kubeWrites(bed, seq)
      expect(writes.every((w) => w.method === 'PATCH')).toBe(true)
    } finally {
      run.cleanup()
    }
  })
})
