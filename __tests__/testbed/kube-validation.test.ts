/**
 * The emulator rejects container env names a Kubernetes 1.27–1.33 apiserver rejects, with the
 * same 422 Status, and real kubectl prints it the way it prints the real server's.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fixturePath } from '../../testbed/fixtures.js'
import type { ApiBed } from '../../testbed/k8s/harness.js'
import { envVarNameErrors } from '../../testbed/k8s/validation.js'
import { kubectlBinaries, useKubeBeds } from './kube-beds.js'

const DS = '/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node'
const DETAIL =
  "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"
const FIELD = 'spec.template.spec.containers[0].env[0].name'

const VERSIONS = ['1.27', '1.33']
const { binaries, describeKubectl } = kubectlBinaries(VERSIONS)

const beds = useKubeBeds('kube-validation-')
const scratch = beds.scratch
const apiBed = (): Promise<ApiBed> =>
  beds.api({ preinstallManifest: fixturePath('aws-k8s-cni-v1.19.6.yaml') })

const setEnv = (name: string): unknown => ({
  spec: { template: { spec: { containers: [{ name: 'aws-node', env: [{ name, value: 'x' }] }] } } }
})

describe('env var names', () => {
  it('follows apimachinery IsEnvVarName', () => {
    for (const ok of ['A', 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1', '_x', '-x', '.x', 'a..b'])
      expect(envVarNameErrors(ok)).toEqual([])
    expect(envVarNameErrors('1BAD')).toEqual([DETAIL])
    expect(envVarNameErrors('A=B')).toEqual([DETAIL])
    expect(envVarNameErrors('BAD NAME')).toEqual([DETAIL])
    expect(envVarNameErrors('.')).toEqual(["must not be '.'"])
    expect(envVarNameErrors('..')).toEqual(["must not be '..'"])
    expect(envVarNameErrors('..x')).toEqual(["must not start with '..'"])
  })

  it('answers an invalid name with the apiserver’s 422 and stores nothing', async () => {
    const bed = await apiBed()
    const before = bed.emu.get('apps/v1', 'DaemonSet', 'aws-node', 'kube-system')
    // A merge patch replaces the container list: the bad entry is env[0] of containers[0].
    const r = await bed.call('PATCH', DS, {
      body: setEnv('1BAD'),
      contentType: 'application/merge-patch+json'
    })
    expect(r.status).toBe(422)
    const field = FIELD
    expect(r.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `DaemonSet.apps "aws-node" is invalid: ${field}: Invalid value: "1BAD": ${DETAIL}`,
      reason: 'Invalid',
      details: {
        name: 'aws-node',
        group: 'apps',
        kind: 'DaemonSet',
        causes: [
          { reason: 'FieldValueInvalid', message: `Invalid value: "1BAD": ${DETAIL}`, field }
        ]
      },
      code: 422
    })
    expect(bed.emu.get('apps/v1', 'DaemonSet', 'aws-node', 'kube-system')).toEqual(before)

    const apply = await bed.call('PATCH', `${DS}?fieldManager=gha&force=true`, {
      body: {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'aws-node', namespace: 'kube-system' },
        ...(setEnv('..x') as object)
      },
      contentType: 'application/apply-patch+yaml'
    })
    expect(apply.status).toBe(422)
    expect(apply.json.message).toContain(`: Invalid value: "..x": must not start with '..'`)
  })

  it('lists several errors in brackets, and checks pods and init containers too', async () => {
    const bed = await apiBed()
    const r = await bed.call('POST', '/api/v1/namespaces/default/pods', {
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: {
          containers: [{ name: 'c', image: 'i', env: [{ name: '', value: '' }] }],
          initContainers: [{ name: 'i', image: 'i', env: [{ name: '9X' }] }]
        }
      }
    })
    expect(r.status).toBe(422)
    expect(r.json.message).toBe(
      `Pod "p" is invalid: [spec.containers[0].env[0].name: Required value, spec.initContainers[0].env[0].name: Invalid value: "9X": ${DETAIL}]`
    )
    expect(r.json.details).toEqual({
      name: 'p',
      kind: 'Pod',
      causes: [
        {
          reason: 'FieldValueRequired',
          message: 'Required value',
          field: 'spec.containers[0].env[0].name'
        },
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: "9X": ${DETAIL}`,
          field: 'spec.initContainers[0].env[0].name'
        }
      ]
    })
  })
})

describeKubectl('env var names judged by real kubectl', () => {
  const manifest = join(scratch, 'bad.yaml')
  writeFileSync(
    manifest,
    `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: demo, namespace: kube-system}
spec:
  selector: {matchLabels: {app: demo}}
  template:
    metadata: {labels: {app: demo}}
    spec:
      containers:
      - name: main
        image: example/demo:v1
        env: [{name: 1BAD, value: "x"}]
`
  )

  it.each(VERSIONS)(
    'kubectl %s prints the server’s Invalid error for apply and server-side apply',
    async (v) => {
      const bed = await beds.kubectl(binaries[v], { preinstallManifest: null })
      for (const args of [
        ['apply', '-f', manifest],
        ['apply', '--server-side', '-f', manifest]
      ]) {
        const r = await bed.k.run(args)
        expect(r.code).toBe(1)
        expect(r.stderr).toContain(
          `The DaemonSet "demo" is invalid: ${FIELD}: Invalid value: "1BAD": ${DETAIL}`
        )
      }
      expect(bed.emu.get('apps/v1', 'DaemonSet', 'demo', 'kube-system')).toBeUndefined()
    }
  )
})
