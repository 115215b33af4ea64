import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import * as yaml from 'js-yaml'
import {
  buildKubeConfig,
  removeKubeconfigFile,
  renderKubeConfig,
  rewriteKubeconfigFile,
  writeKubeconfigFile
} from '../src/kube/kubeconfig.js'

const CLUSTER = {
  name: 'demo',
  endpoint: 'https://ABCDEF0123456789.gr7.ap-northeast-2.eks.amazonaws.com',
  caData: Buffer.from('-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n').toString(
    'base64'
  )
}
const TOKEN = `k8s-aws-v1.${'aHR0cHM6Ly9zdHMu'.repeat(40)}`

const mode = async (path: string) => (await stat(path)).mode & 0o777

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubeconfig-test-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('buildKubeConfig', () => {
  it('builds the static-token kubeconfig', () => {
    expect(buildKubeConfig(CLUSTER, TOKEN)).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'demo',
          cluster: { server: CLUSTER.endpoint, 'certificate-authority-data': CLUSTER.caData }
        }
      ],
      contexts: [{ name: 'demo', context: { cluster: 'demo', user: 'demo' } }],
      'current-context': 'demo',
      preferences: {},
      users: [{ name: 'demo', user: { token: TOKEN } }]
    })
  })
})

describe('renderKubeConfig', () => {
  it('round-trips through YAML, keeping the token and CA on one line each', () => {
    const doc = buildKubeConfig(CLUSTER, TOKEN)
    const text = renderKubeConfig(doc)
    expect(yaml.load(text)).toEqual(doc)
    expect(text).toContain(`token: ${TOKEN}\n`)
    expect(text).toContain(`certificate-authority-data: ${CLUSTER.caData}\n`)
  })

  it('quotes YAML metacharacters instead of letting them change the document', () => {
    const odd = { ...CLUSTER, name: "x: y # z\n- 'q'" }
    const doc = buildKubeConfig(odd, TOKEN)
    expect(yaml.load(renderKubeConfig(doc))).toEqual(doc)
  })

  it('is read by @kubernetes/client-node as the same server, CA and token', () => {
    const kc = new KubeConfig()
    kc.loadFromString(renderKubeConfig(buildKubeConfig(CLUSTER, TOKEN)))
    expect(kc.getCurrentContext()).toBe('demo')
    expect(kc.getCurrentCluster()).toMatchObject({
      name: 'demo',
      server: CLUSTER.endpoint,
      caData: CLUSTER.caData
    })
    expect(kc.getCurrentUser()).toMatchObject({ name: 'demo', token: TOKEN })
  })
})

describe('kubeconfig files', () => {
  it('writes a new 0600 file with a unique name under the given directory', async () => {
    const first = await writeKubeconfigFile(dir, 'one')
    const second = await writeKubeconfigFile(dir, 'two')
    expect(await mode(first)).toBe(0o600)
    expect(first).not.toBe(second)
    expect(first.startsWith(join(dir, 'eks-cni-kubeconfig-'))).toBe(true)
    expect(first).toMatch(/eks-cni-kubeconfig-[0-9a-f]{16}\.yaml$/)
    expect(await readFile(first, 'utf8')).toBe('one')
    expect(await readFile(second, 'utf8')).toBe('two')
  })

  it('fails with the path when the directory does not exist', async () => {
    await expect(writeKubeconfigFile(join(dir, 'missing'), 'x')).rejects.toThrow(
      `Failed to write the kubeconfig ${join(dir, 'missing')}`
    )
  })

  it('rewrites in place, keeping 0600 and leaving no staging file behind', async () => {
    const path = await writeKubeconfigFile(dir, 'old token')
    await rewriteKubeconfigFile(path, 'new token')
    expect(await readFile(path, 'utf8')).toBe('new token')
    expect(await mode(path)).toBe(0o600)
    expect(await readdir(dir)).toEqual([path.slice(dir.length + 1)])
  })

  it('refuses to refresh a kubeconfig that is gone or is a symlink', async () => {
    await expect(rewriteKubeconfigFile(join(dir, 'gone.yaml'), 'x')).rejects.toThrow(
      'Cannot refresh the kubeconfig'
    )
    const target = join(dir, 'target')
    await writeFile(target, 'x')
    await symlink(target, join(dir, 'link.yaml'))
    await expect(rewriteKubeconfigFile(join(dir, 'link.yaml'), 'y')).rejects.toThrow(
      'not a regular file'
    )
    expect(await readFile(target, 'utf8')).toBe('x')
  })

  it('removes the file, and a missing file is fine', async () => {
    const path = await writeKubeconfigFile(dir, 'x')
    await removeKubeconfigFile(path)
    expect(await readdir(dir)).toEqual([])
    await expect(removeKubeconfigFile(path)).resolves.toBeUndefined()
  })
})
