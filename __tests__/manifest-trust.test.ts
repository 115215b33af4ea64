import { afterEach, describe, expect, it, jest } from '@jest/globals'
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { loadAllYaml, type KubernetesObject } from '@kubernetes/client-node'
import { checkOfficialObjects, loadManifest } from '../src/cni/manifest.js'
import { fetchText, InsecureRedirectError, isRetryableDownloadError } from '../src/download.js'
import { fixturesDir } from '../testbed/mirror.js'

const fixture = (name: string) => readFileSync(join(fixturesDir(), name), 'utf8')
const MANIFEST = fixture('aws-k8s-cni-v1.23.0.yaml')
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

const EXTRA_BINDING = `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: aws-node-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
- kind: ServiceAccount
  name: aws-node
  namespace: kube-system
`
const DEFAULT_CONFIGMAP = `
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: amazon-vpc-cni
  namespace: default
data:
  enable-windows-ipam: "false"
`

describe('checkOfficialObjects', () => {
  it.each(readdirSync(fixturesDir()).filter((f) => f.endsWith('.yaml')))(
    'accepts the official %s',
    (file) => {
      const objects = loadAllYaml(fixture(file)) as KubernetesObject[]
      expect(() => checkOfficialObjects(objects, file)).not.toThrow()
    }
  )

  it('refuses an extra ClusterRoleBinding and a ConfigMap in another namespace, naming both', () => {
    const objects = loadAllYaml(MANIFEST + EXTRA_BINDING + DEFAULT_CONFIGMAP) as KubernetesObject[]
    expect(() => checkOfficialObjects(objects, 'cni.yaml')).toThrow(
      'The manifest cni.yaml holds 2 object(s) that no official VPC CNI manifest has: ' +
        'ClusterRoleBinding aws-node-admin, ConfigMap default/amazon-vpc-cni. Nothing was applied.'
    )
  })

  it('refuses the official binding pointed at cluster-admin', () => {
    const tampered = MANIFEST.replace(
      /(kind: ClusterRoleBinding[\s\S]*?roleRef:[\s\S]*?name: )aws-node/,
      '$1cluster-admin'
    )
    expect(tampered).not.toBe(MANIFEST)
    const objects = loadAllYaml(tampered) as KubernetesObject[]
    expect(() => checkOfficialObjects(objects, 'cni.yaml')).toThrow(
      /ClusterRoleBinding aws-node must bind ClusterRole aws-node to ServiceAccount kube-system\/aws-node only.*binds ClusterRole cluster-admin/
    )
  })

  it('refuses a known name of another API group', () => {
    const objects = loadAllYaml(
      MANIFEST +
        '\n---\napiVersion: example.com/v1\nkind: DaemonSet\nmetadata:\n  name: aws-node\n  namespace: kube-system\n'
    ) as KubernetesObject[]
    expect(() => checkOfficialObjects(objects, 'cni.yaml')).toThrow(
      /DaemonSet kube-system\/aws-node/
    )
  })
})

describe('loadManifest trust', () => {
  const fetchOf = (body: string) => async () => body

  it('refuses a downloaded manifest with an extra object before returning anything', async () => {
    const warn = jest.fn()
    await expect(
      loadManifest({ url: 'https://example.com/cni.yaml' }, fetchOf(MANIFEST + EXTRA_BINDING), warn)
    ).rejects.toThrow(/ClusterRoleBinding aws-node-admin/)
    expect(warn).not.toHaveBeenCalled()
  })

  it('warns about an unpinned download, naming its sha256 and the input that pins it', async () => {
    const warn = jest.fn<(message: string) => void>()
    await loadManifest({ url: 'https://example.com/cni.yaml' }, fetchOf(MANIFEST), warn)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0][0]).toContain(`its sha256 is ${sha256(MANIFEST)}`)
    expect(warn.mock.calls[0][0]).toContain(`manifest-sha256: ${sha256(MANIFEST)}`)
  })

  it('does not warn when the download is pinned', async () => {
    const warn = jest.fn()
    await loadManifest(
      { url: 'https://example.com/cni.yaml', sha256: sha256(MANIFEST), pinFrom: 'manifest-sha256' },
      fetchOf(MANIFEST),
      warn
    )
    expect(warn).not.toHaveBeenCalled()
  })
})

describe('fetchText redirects', () => {
  afterEach(() => {
    jest.restoreAllMocks()
  })

  const answer = (url: string, body = 'text') => {
    const response = new Response(body, { status: 200 })
    Object.defineProperty(response, 'url', { value: url })
    Object.defineProperty(response, 'redirected', { value: true })
    return response
  }

  it('refuses an https URL that redirected to http, without retrying', async () => {
    const fetchMock = jest
      .spyOn(globalThis, 'fetch')
      .mockImplementation(async () => answer('http://mirror.example/cni.yaml'))
    await expect(
      fetchText('https://example.com/cni.yaml', { sleep: async () => undefined })
    ).rejects.toThrow(
      'GET https://example.com/cni.yaml redirected to http://mirror.example/cni.yaml: an https download never continues over plain http'
    )
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(isRetryableDownloadError(new InsecureRedirectError('a', 'b'))).toBe(false)
  })

  it('follows an https URL that redirected to https', async () => {
    jest
      .spyOn(globalThis, 'fetch')
      .mockImplementation(async () => answer('https://cdn.example/cni.yaml', 'ok'))
    await expect(fetchText('https://example.com/cni.yaml')).resolves.toBe('ok')
  })
})
