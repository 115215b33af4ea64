/**
 * Real kubectl binaries (1.27, 1.30, 1.33) against the Kubernetes API emulator for every VPC CNI
 * manifest: client-side and server-side apply, ENIConfigs, reads, a no-op re-apply and delete.
 * One emulator per manifest and version; the flows run in parallel.
 */
import { VPC_CNI_FIXTURES } from '../../testbed/fixtures.js'
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { KubeEmulatorOptions, KubeObject } from '../../testbed/k8s/emulator.js'
import { eniConfigsYaml, type KubectlBed } from '../../testbed/k8s/harness.js'
import { awsNode, containers, eachVersion, kubectlBinaries, useKubeBeds } from './kube-beds.js'

const FIXTURES = VPC_CNI_FIXTURES
const { binaries, describeKubectl } = kubectlBinaries(['1.27', '1.30', '1.33'], ['1.27', '1.33'])
const MANIFESTS = readdirSync(FIXTURES)
  .filter((f) => /^aws-k8s-cni-.*\.yaml$/.test(f))
  .sort()
const MATRIX_VERSIONS = Object.keys(binaries)
/** 1.27 and 1.33 get every manifest; 1.30 (cheap insurance for the middle) the oldest and newest. */
const manifestsFor = (version: string): string[] =>
  version === '1.30'
    ? MANIFESTS.filter((f) => /v1\.11\.2|-v1\.23\.0/.test(f) && !/-cn-|-us-gov-/.test(f))
    : MANIFESTS
const ZONES = ['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c']

const beds = useKubeBeds('kube-kubectl-test-')
const eniConfigsFile = join(beds.scratch, 'eniconfigs.yaml')
writeFileSync(eniConfigsFile, eniConfigsYaml(ZONES))

const startBed = (
  version: string,
  options: Partial<KubeEmulatorOptions> = {},
  sessionToken?: string
): Promise<KubectlBed> => beds.kubectl(binaries[version], options, sessionToken)

describeKubectl('real kubectl against the Kubernetes API emulator', () => {
  describe(`every CNI manifest × kubectl ${MATRIX_VERSIONS.join(', ')}`, () => {
    it('client-side applies every CNI manifest, then ENIConfigs, reads and deletes them', () =>
      eachVersion(MATRIX_VERSIONS, async (version) => {
        await Promise.all(
          manifestsFor(version).map(async (file) => {
            const manifest = join(FIXTURES, file)
            const { emu, k } = await startBed(version)
            const applied = await k.run(['apply', '-f', manifest])
            expect({ file, ...applied }).toMatchObject({ code: 0, stderr: '' })
            expect(applied.stdout).toContain('daemonset.apps/aws-node created')
            expect(applied.stdout).toContain(
              'customresourcedefinition.apiextensions.k8s.io/eniconfigs.crd.k8s.amazonaws.com created'
            )
            const eni = await k.run(['apply', '-f', eniConfigsFile])
            expect({ file, ...eni }).toMatchObject({ code: 0 })
            for (const z of ZONES)
              expect(eni.stdout).toContain(`eniconfig.crd.k8s.amazonaws.com/${z} created`)

            const got = await k.run(['get', 'ds', 'aws-node', '-n', 'kube-system', '-o', 'json'])
            expect(got.code).toBe(0)
            const ds = JSON.parse(got.stdout) as KubeObject
            expect(ds.metadata.generation).toBe(1)
            expect(containers(ds).map((c) => c.name)).toContain('aws-node')
            expect(ds.spec).toMatchObject({
              updateStrategy: { type: 'RollingUpdate' },
              revisionHistoryLimit: 10
            })
            const list = await k.run(['get', 'eniconfigs'])
            expect(list.code).toBe(0)
            expect(list.stdout).toMatch(/^NAME\s+AGE/)
            for (const z of ZONES) expect(list.stdout).toContain(z)

            const deleted = await k.run(['delete', '-f', manifest])
            expect({ file, ...deleted }).toMatchObject({ code: 0 })
            expect(deleted.stdout).toContain('daemonset.apps "aws-node" deleted')
            expect(awsNode(emu)).toBeUndefined()
            expect(emu.list('apiextensions.k8s.io/v1', 'CustomResourceDefinition')).toEqual([])
            expect(emu.list('crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig')).toEqual([])
            expect(emu.get('v1', 'ServiceAccount', 'aws-node', 'kube-system')).toBeUndefined()
          })
        )
      }))

    it('server-side applies every CNI manifest and ENIConfigs; re-applying is a no-op', () =>
      eachVersion(MATRIX_VERSIONS, async (version) => {
        await Promise.all(
          manifestsFor(version).map(async (file) => {
            const manifest = join(FIXTURES, file)
            const { emu, k, log } = await startBed(version)
            const applied = await k.run(['apply', '--server-side', '-f', manifest])
            expect({ file, ...applied }).toMatchObject({ code: 0, stderr: '' })
            expect(applied.stdout).toContain('daemonset.apps/aws-node serverside-applied')
            const eni = await k.run(['apply', '--server-side', '-f', eniConfigsFile])
            expect({ file, ...eni }).toMatchObject({ code: 0 })
            expect(emu.list('crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig')).toHaveLength(3)
            const created = log.entries.filter((e) => e.method === 'PATCH' && e.status === 201)
            expect(created.length).toBeGreaterThanOrEqual(8)

            const before = awsNode(emu)
            const again = await k.run(['apply', '--server-side', '-f', manifest])
            expect({ file, ...again }).toMatchObject({ code: 0 })
            const after = awsNode(emu)
            expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion)
            expect(after?.metadata.generation).toBe(1)
            const eni2 = emu.get('crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig', ZONES[0])
            expect((eni2?.spec as { subnet: string }).subnet).toBe('subnet-00')
          })
        )
      }))
  })
})
