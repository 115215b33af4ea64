/**
 * Real kubectl (1.27 and 1.33) judges the emulator's managedFields: --show-managed-fields on the
 * seeded aws-node, server-side apply / set env / --force-conflicts ownership moves, and kubectl's
 * client-side → server-side apply migration of managedFields.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fixturePath } from '../../testbed/fixtures.js'
import type { KubeEmulatorOptions } from '../../testbed/k8s/emulator.js'
import type { KubectlBed } from '../../testbed/k8s/harness.js'
import { kubectlBinaries, useKubeBeds } from './kube-beds.js'

type Obj = Record<string, unknown>
interface Entry {
  manager: string
  operation: string
  subresource?: string
  fieldsV1: Obj
}

const VERSIONS = ['1.27', '1.33']
const { binaries, describeKubectl } = kubectlBinaries(VERSIONS)

/** A small DaemonSet owned entirely by whoever applies this file. */
const DS_YAML = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: demo
  namespace: kube-system
  labels: {app: demo}
spec:
  selector: {matchLabels: {app: demo}}
  template:
    metadata: {labels: {app: demo}}
    spec:
      containers:
      - name: main
        image: example/demo:v1
        env:
        - {name: KEY, value: "1"}
        - {name: OTHER, value: "x"}
`
const ENV = ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"main"}', 'f:env']

const beds = useKubeBeds('kube-kubectl-mf-')
const scratch = beds.scratch
const dsFile = join(scratch, 'demo.yaml')
writeFileSync(dsFile, DS_YAML)

const startBed = (
  version: string,
  options: Partial<KubeEmulatorOptions> = {}
): Promise<KubectlBed> => beds.kubectl(binaries[version], options)

const at = (tree: unknown, path: string[]): Obj | undefined =>
  path.reduce<unknown>((n, k) => (n as Obj | undefined)?.[k], tree) as Obj | undefined

/**
 * managedFields of the demo DaemonSet, read through kubectl itself, without the DaemonSet
 * controller's status entry (the rollout rewrites it at its own pace).
 */
async function managed(bed: KubectlBed): Promise<Entry[]> {
  const r = await bed.k.run([
    'get',
    'ds',
    'demo',
    '-n',
    'kube-system',
    '-o',
    'json',
    '--show-managed-fields'
  ])
  expect(r).toMatchObject({ code: 0 })
  const all = (JSON.parse(r.stdout) as { metadata: { managedFields: Entry[] } }).metadata
    .managedFields
  const status = all.filter((e) => e.subresource === 'status')
  expect(status.map((e) => e.manager)).toEqual(status.length ? ['kube-controller-manager'] : [])
  return all.filter((e) => e.subresource === undefined)
}
const managers = (entries: Entry[]): string[] =>
  entries.map((e) => `${e.manager}/${e.operation}`).sort()

describeKubectl('managedFields judged by real kubectl', () => {
  it.each(VERSIONS)(
    'kubectl %s shows the seeded managers only with --show-managed-fields',
    async (v) => {
      const bed = await startBed(v, { preinstallManifest: fixturePath('aws-k8s-cni-v1.19.6.yaml') })
      const args = ['get', 'ds', 'aws-node', '-n', 'kube-system', '-o', 'yaml']
      const shown = await bed.k.run([...args, '--show-managed-fields'])
      expect(shown.code).toBe(0)
      expect(shown.stdout).toMatch(/- apiVersion: apps\/v1\n\s+fieldsType: FieldsV1\n\s+fieldsV1:/)
      expect(shown.stdout).toContain('manager: helm')
      expect(shown.stdout).toContain('manager: kube-controller-manager')
      expect(shown.stdout).toContain('subresource: status')
      expect(shown.stdout).toMatch(/time: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/)
      expect(shown.stdout).toContain('k:{"name":"WARM_ENI_TARGET"}:')
      const hidden = await bed.k.run(args)
      expect(hidden.code).toBe(0)
      expect(hidden.stdout).not.toContain('managedFields')
    }
  )

  it.each(VERSIONS)(
    'kubectl %s replace sends managedFields back unchanged: they are kept, the edit recorded',
    async (v) => {
      const bed = await startBed(v, { preinstallManifest: fixturePath('aws-k8s-cni-v1.19.6.yaml') })
      const get = [
        'get',
        'ds',
        'aws-node',
        '-n',
        'kube-system',
        '-o',
        'json',
        '--show-managed-fields'
      ]
      const dumped = await bed.k.run(get)
      expect(dumped.code).toBe(0)
      const ds = JSON.parse(dumped.stdout) as { metadata: { labels: Obj; managedFields: Entry[] } }
      ds.metadata.labels.team = 'net'
      const file = join(scratch, `replace-${v}.json`)
      writeFileSync(file, JSON.stringify(ds))
      expect(await bed.k.run(['replace', '-f', file])).toMatchObject({ code: 0 })
      const after = JSON.parse((await bed.k.run(get)).stdout) as {
        metadata: { managedFields: Entry[] }
      }
      const replace = after.metadata.managedFields.find((e) => e.manager === 'kubectl-replace')
      expect(replace).toMatchObject({
        operation: 'Update',
        fieldsV1: { 'f:metadata': { 'f:labels': { 'f:team': {} } } }
      })
      const helm = (entries: Entry[]) => entries.find((e) => e.manager === 'helm')?.fieldsV1
      expect(helm(after.metadata.managedFields)).toEqual(helm(ds.metadata.managedFields))
    }
  )

  it.each(VERSIONS)(
    'kubectl %s: apply --server-side, set env, then --force-conflicts moves ownership back',
    async (v) => {
      const bed = await startBed(v, { preinstallManifest: null })
      const apply = ['apply', '--server-side', '-f', dsFile]
      expect(await bed.k.run(apply)).toMatchObject({ code: 0 })
      let entries = await managed(bed)
      expect(managers(entries)).toEqual(['kubectl/Apply'])

      const set = await bed.k.run(['set', 'env', 'ds/demo', '-n', 'kube-system', 'KEY=2'])
      expect(set).toMatchObject({ code: 0 })
      entries = await managed(bed)
      expect(managers(entries)).toEqual(['kubectl-set/Update', 'kubectl/Apply'])
      const setEntry = entries.find((e) => e.manager === 'kubectl-set') as Entry
      expect(at(setEntry.fieldsV1, ENV)).toEqual({ 'k:{"name":"KEY"}': { 'f:value': {} } })
      const kubectl = entries.find((e) => e.manager === 'kubectl') as Entry
      expect(at(kubectl.fieldsV1, [...ENV, 'k:{"name":"KEY"}'])).toEqual({ '.': {}, 'f:name': {} })

      const refused = await bed.k.run(apply)
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain(
        'conflict with "kubectl-set" using apps/v1: .spec.template.spec.containers[name="main"].env[name="KEY"].value'
      )
      expect(await bed.k.run([...apply, '--force-conflicts'])).toMatchObject({ code: 0 })
      entries = await managed(bed)
      // kubectl-set owned only that value: its entry is gone.
      expect(managers(entries)).toEqual(['kubectl/Apply'])
      expect(at(entries[0].fieldsV1, [...ENV, 'k:{"name":"KEY"}'])).toEqual({
        '.': {},
        'f:name': {},
        'f:value': {}
      })
    }
  )

  it.each(VERSIONS)(
    'kubectl %s migrates client-side apply ownership to server-side apply',
    async (v) => {
      const bed = await startBed(v, { preinstallManifest: null })
      expect(await bed.k.run(['apply', '-f', dsFile])).toMatchObject({ code: 0 })
      let entries = await managed(bed)
      expect(managers(entries)).toEqual(['kubectl-client-side-apply/Update'])
      const csa = entries[0]
      expect(at(csa.fieldsV1, ['f:metadata', 'f:annotations'])).toHaveProperty([
        'f:kubectl.kubernetes.io/last-applied-configuration'
      ])

      const ssa = await bed.k.run(['apply', '--server-side', '-f', dsFile])
      expect(ssa).toMatchObject({ code: 0 })
      expect(ssa.stdout).toContain('daemonset.apps/demo serverside-applied')
      // kubectl rewrote managedFields with a JSON patch before applying.
      const migration = bed.log.entries.find(
        (e) =>
          e.method === 'PATCH' &&
          e.contentType === 'application/json-patch+json' &&
          String(e.body).includes('/metadata/managedFields')
      )
      expect(migration).toBeDefined()
      // kubectl keeps the last-applied annotation under its own apply manager, so that the
      // first server-side apply does not drop it.
      entries = await managed(bed)
      expect(managers(entries)).toEqual(['kubectl-last-applied/Apply', 'kubectl/Apply'])
      const lastApplied = entries.find((e) => e.manager === 'kubectl-last-applied') as Entry
      expect(lastApplied.fieldsV1).toEqual({
        'f:metadata': {
          'f:annotations': { 'f:kubectl.kubernetes.io/last-applied-configuration': {} }
        }
      })
      const ssaEntry = entries.find((e) => e.manager === 'kubectl') as Entry
      expect(at(ssaEntry.fieldsV1, [...ENV, 'k:{"name":"OTHER"}'])).toMatchObject({
        'f:value': {}
      })
      // A second server-side apply is a no-op without conflicts.
      expect(await bed.k.run(['apply', '--server-side', '-f', dsFile])).toMatchObject({ code: 0 })
      expect(managers(await managed(bed))).toEqual(['kubectl-last-applied/Apply', 'kubectl/Apply'])
    }
  )
})
