/**
 * Real kubectl (1.27 and 1.33) commands against the Kubernetes API emulator with the v1.23.0 CNI
 * manifest: CRD and CR in one file, rollout status, set env, server-side apply conflicts,
 * authentication and injected faults.
 */
import { VPC_CNI_FIXTURES } from '../../testbed/fixtures.js'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as yaml from 'js-yaml'
import type { KubeEmulatorOptions, KubeObject } from '../../testbed/k8s/emulator.js'
import { eniConfigsYaml, rawRequest, type KubectlBed } from '../../testbed/k8s/harness.js'
import {
  awsNode,
  containers,
  eachVersion,
  kubectlBinaries,
  useKubeBeds,
  type Container
} from './kube-beds.js'

const FIXTURES = VPC_CNI_FIXTURES
const { binaries, describeKubectl } = kubectlBinaries(['1.27', '1.33'])
const ZONES = ['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c']

const beds = useKubeBeds('kube-kubectl-test-')
const scratch = beds.scratch
const eniConfigsFile = join(scratch, 'eniconfigs.yaml')
writeFileSync(eniConfigsFile, eniConfigsYaml(ZONES))

const startBed = (
  version: string,
  options: Partial<KubeEmulatorOptions> = {},
  sessionToken?: string
): Promise<KubectlBed> => beds.kubectl(binaries[version], options, sessionToken)

describeKubectl('real kubectl commands against the Kubernetes API emulator', () => {
  describe('kubectl 1.27 and 1.33, v1.23.0 manifest', () => {
    const manifest = join(FIXTURES, 'aws-k8s-cni-v1.23.0.yaml')

    it('fails on a CRD and its CR in one file, then succeeds on the second run', () =>
      eachVersion(['1.27', '1.33'], async (version) => {
        const combined = join(scratch, `combined-${version}.yaml`)
        writeFileSync(
          combined,
          `${readFileSync(manifest, 'utf8')}\n---\n${readFileSync(eniConfigsFile, 'utf8')}`
        )
        const { emu, k } = await startBed(version)
        const first = await k.run(['apply', '-f', combined])
        expect(first.code).toBe(1)
        expect(first.stderr).toContain(
          'no matches for kind "ENIConfig" in version "crd.k8s.amazonaws.com/v1alpha1"'
        )
        expect(first.stderr).toContain('ensure CRDs are installed first')
        expect(first.stdout).toContain('daemonset.apps/aws-node created')
        const second = await k.run(['apply', '-f', combined])
        expect(second).toMatchObject({ code: 0 })
        expect(emu.list('crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig')).toHaveLength(3)
      }))

    it('rollout status waits for a staged rollout, and times out on a stuck one', () =>
      eachVersion(['1.27', '1.33'], async (version) => {
        const { emu, k, log } = await startBed(version, { rollout: { mode: 'stuck' } })
        expect((await k.run(['apply', '-f', manifest])).code).toBe(0)
        const stuck = await k.run([
          'rollout',
          'status',
          'ds/aws-node',
          '-n',
          'kube-system',
          '--timeout=3s'
        ])
        expect(stuck.code).toBe(1)
        expect(stuck.stderr).toContain('timed out waiting for the condition')

        const seq = log.lastSeq
        const waiting = k.run([
          'rollout',
          'status',
          'ds/aws-node',
          '-n',
          'kube-system',
          '--timeout=60s'
        ])
        // Switch to staged only once kubectl watches, so it must see the intermediate states.
        for (
          let i = 0;
          i < 200 && !log.since(seq).some((e) => e.query.includes('watch=true'));
          i++
        ) {
          await new Promise((r) => setTimeout(r, 50))
        }
        emu.setRollout('staged', 100)
        const staged = await waiting
        expect(staged.code).toBe(0)
        expect(staged.stdout).toContain('Waiting for daemon set "aws-node" rollout to finish')
        expect(staged.stdout).toContain('daemon set "aws-node" successfully rolled out')
      }))

    it('set env appends an env entry to one container and bumps the generation', () =>
      eachVersion(['1.27', '1.33'], async (version) => {
        const { emu, k } = await startBed(version)
        expect((await k.run(['apply', '-f', manifest])).code).toBe(0)
        const before = awsNode(emu)
        const res = await k.run([
          'set',
          'env',
          'ds/aws-node',
          '-n',
          'kube-system',
          '-c',
          'aws-node',
          'K=V'
        ])
        expect(res).toMatchObject({ code: 0, stdout: 'daemonset.apps/aws-node env updated\n' })
        const after = awsNode(emu)
        expect(after?.metadata.generation).toBe((before?.metadata.generation ?? 0) + 1)
        const envBefore = containers(before).find((c) => c.name === 'aws-node')?.env ?? []
        const envAfter = containers(after).find((c) => c.name === 'aws-node')?.env ?? []
        expect(envAfter).toEqual([...envBefore, { name: 'K', value: 'V' }])
        const agent = (ds: KubeObject | undefined): Container | undefined =>
          containers(ds).find((c) => c.name === 'aws-eks-nodeagent')
        expect(agent(after)).toEqual(agent(before))
      }))

    it('reports a server-side apply conflict and takes over with --force-conflicts', () =>
      eachVersion(['1.27', '1.33'], async (version) => {
        const { emu, k } = await startBed(version)
        const first = await k.run([
          'apply',
          '--server-side',
          '--field-manager=first',
          '-f',
          manifest
        ])
        expect(first.code).toBe(0)
        const ds = (yaml.loadAll(readFileSync(manifest, 'utf8')) as KubeObject[]).find(
          (d) => d?.kind === 'DaemonSet'
        )
        const node = containers(ds).find((c) => c.name === 'aws-node') as Container
        node.image = node.image.replace(/:[^:]+$/, ':v9.9.9')
        const changed = join(scratch, `ds-${version}.json`)
        writeFileSync(changed, JSON.stringify(ds))
        const second = await k.run([
          'apply',
          '--server-side',
          '--field-manager=second',
          '-f',
          changed
        ])
        expect(second.code).toBe(1)
        expect(second.stderr).toContain('Apply failed with 1 conflict')
        expect(second.stderr).toContain('conflict with "first"')
        expect(second.stderr).toContain('.spec.template.spec.containers[name="aws-node"].image')
        expect(second.stderr).toContain('--force-conflicts')
        const forced = await k.run([
          'apply',
          '--server-side',
          '--field-manager=second',
          '--force-conflicts',
          '-f',
          changed
        ])
        expect(forced.code).toBe(0)
        expect(containers(awsNode(emu)).find((c) => c.name === 'aws-node')?.image).toMatch(
          /:v9\.9\.9$/
        )
      }))

    it('answers 401 without a token or with a wrong one', () =>
      eachVersion(['1.27', '1.33'], async (version) => {
        // kubectl with no credentials prompts for a username, so the missing token is tested raw.
        const bed = await startBed(version, {}, 'wrong-token')
        const none = await rawRequest(`${bed.emu.url}/api/v1/namespaces`, beds.tls().caPem, {
          token: null
        })
        expect(none.status).toBe(401)
        expect(none.json).toEqual({
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'Unauthorized',
          reason: 'Unauthorized',
          code: 401
        })
        const res = await bed.k.run(['get', 'ns'])
        expect(res.code).toBe(1)
        expect(res.stderr).toContain('You must be logged in to the server')
        expect(res.stderr).toContain('the server has asked for the client to provide credentials')
        expect(bed.log.entries.length).toBeGreaterThan(1)
        expect(bed.log.entries.every((e) => e.status === 401)).toBe(true)
      }))

    it('retries an injected 503 with Retry-After and a connection reset', () =>
      eachVersion(['1.27', '1.33'], async (version) => {
        const { k, log, faults } = await startBed(version)
        const path = '/api/v1/namespaces/kube-system'
        expect((await k.run(['get', 'ns', 'default'])).code).toBe(0)
        faults.add({
          name: 'unavailable',
          service: 'kube',
          method: 'GET',
          path: `^${path}$`,
          status: 503,
          retryAfter: 1
        })
        const retried = await k.run(['get', 'ns', 'kube-system'])
        expect(retried.code).toBe(0)
        const hits = log.entries.filter((e) => e.path === path)
        expect(hits.map((e) => e.status)).toEqual([503, 200])
        expect(hits[0].fault).toBe('unavailable')

        faults.add({
          name: 'reset',
          service: 'kube',
          method: 'GET',
          path: `^${path}$`,
          reset: true
        })
        const afterReset = await k.run(['get', 'ns', 'kube-system'])
        expect(afterReset.code).toBe(0)
        const resets = log.entries.filter((e) => e.path === path && e.fault === 'reset')
        expect(resets.map((e) => e.status)).toEqual([0])
      }))
  })
})
