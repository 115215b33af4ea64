/**
 * Real kubectl binaries (1.27, 1.30, 1.33) against the Kubernetes API emulator for every VPC CNI
 * manifest: client-side and server-side apply, ENIConfigs, reads, a no-op re-apply and delete.
 * One emulator per manifest and version; the flows run in parallel.
 */
import { VPC_CNI_FIXTURES } from '../../testbed/fixtures.js'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { KubeEmulator, KubeEmulatorOptions, KubeObject } from '../../testbed/k8s/emulator.js'
import {
  eniConfigsYaml,
  startKubectlBed,
  versionedKubectl,
  type KubectlBed
} from '../../testbed/k8s/harness.js'
import { generateTls, type TlsMaterial } from '../../testbed/tls.js'

const FIXTURES = VPC_CNI_FIXTURES
const TOKEN = 'k8s-aws-v1.testbed-token'
const binaries = Object.fromEntries(
  ['1.27', '1.30', '1.33'].flatMap((v) => {
    const p = versionedKubectl(v)
    return p ? [[v, p]] : []
  })
)
const haveKubectl = binaries['1.27'] !== undefined && binaries['1.33'] !== undefined
if (!haveKubectl)
  console.warn('kubectl.1.27 / kubectl.1.33 not found: skipping the real-kubectl tests')
const describeKubectl = haveKubectl ? describe : describe.skip
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

const scratch = mkdtempSync(join(tmpdir(), 'kube-kubectl-test-'))
const eniConfigsFile = join(scratch, 'eniconfigs.yaml')
writeFileSync(eniConfigsFile, eniConfigsYaml(ZONES))

let tls: TlsMaterial
const beds: KubectlBed[] = []

async function startBed(
  version: string,
  options: Partial<KubeEmulatorOptions> = {},
  sessionToken?: string
): Promise<KubectlBed> {
  const bed = await startKubectlBed({
    binary: binaries[version],
    tls,
    token: TOKEN,
    sessionToken,
    options
  })
  beds.push(bed)
  return bed
}

function daemonSet(emu: KubeEmulator): KubeObject | undefined {
  return emu.get('apps/v1', 'DaemonSet', 'aws-node', 'kube-system')
}

type Container = { name: string; image: string; env?: { name: string; value?: string }[] }
function containers(ds: KubeObject | undefined): Container[] {
  const spec = ds?.spec as { template: { spec: { containers: Container[] } } } | undefined
  return spec?.template.spec.containers ?? []
}

/** Runs one flow per kubectl version at once: tests in a file run one after another. */
async function eachVersion(
  versions: string[],
  flow: (version: string) => Promise<void>
): Promise<void> {
  await Promise.all(versions.map(flow))
}

beforeAll(() => {
  tls = generateTls()
})

afterAll(async () => {
  await Promise.all(beds.map((b) => b.close()))
  rmSync(scratch, { recursive: true, force: true })
})

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
            expect(daemonSet(emu)).toBeUndefined()
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

            const before = daemonSet(emu)
            const again = await k.run(['apply', '--server-side', '-f', manifest])
            expect({ file, ...again }).toMatchObject({ code: 0 })
            const after = daemonSet(emu)
            expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion)
            expect(after?.metadata.generation).toBe(1)
            const eni2 = emu.get('crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig', ZONES[0])
            expect((eni2?.spec as { subnet: string }).subnet).toBe('subnet-00')
          })
        )
      }))
  })
})
