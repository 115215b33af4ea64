import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { isAwsNodeDaemonSet } from '../src/cni/aws-node.js'
import { loadManifest } from '../src/cni/manifest.js'
import { resolveManifestSource } from '../src/cni/manifest-source.js'
import { builtInPin } from '../src/cni/versions.js'
import { VPC_CNI_FIXTURES } from '../testbed/fixtures.js'

const FIXTURES = VPC_CNI_FIXTURES
const fixture = (name: string): Buffer => readFileSync(path.join(FIXTURES, name))
const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex')
const OFFICIAL = '/aws/amazon-vpc-cni-k8s/v1.23.0/config/master/aws-k8s-cni.yaml'

describe('resolveManifestSource', () => {
  const base = {
    cniVersion: 'v1.23.0',
    baseUrl: 'https://raw.githubusercontent.com',
    region: 'ap-northeast-2'
  }
  const raw = 'https://raw.githubusercontent.com/aws/amazon-vpc-cni-k8s'

  it('uses the official file and its built-in pin by default', () => {
    expect(resolveManifestSource(base)).toEqual({
      url: `${raw}/v1.23.0/config/master/aws-k8s-cni.yaml`,
      sha256: builtInPin('v1.23.0', 'aws-k8s-cni.yaml'),
      pinFrom: 'built-in'
    })
  })

  test.each([
    ['cn-north-1', 'aws-k8s-cni-cn.yaml', true],
    ['cn-northwest-1', 'aws-k8s-cni-cn.yaml', true],
    ['us-gov-west-1', 'aws-k8s-cni-us-gov-west-1.yaml', true],
    ['us-gov-east-1', 'aws-k8s-cni-us-gov-east-1.yaml', false],
    ['eusc-de-east-1', 'aws-k8s-cni.yaml', true],
    ['us-east-1', 'aws-k8s-cni.yaml', true]
  ])('%s → %s (pinned: %s)', (region, file, pinned) => {
    const source = resolveManifestSource({ ...base, region })
    expect(source.url).toBe(`${raw}/v1.23.0/config/master/${file}`)
    expect(source.sha256).toBe(pinned ? builtInPin('v1.23.0', file) : undefined)
  })

  it('adds the v to the tag and trims a mirror URL', () => {
    const source = resolveManifestSource({
      ...base,
      cniVersion: '1.19.6',
      baseUrl: 'https://mirror.example/gh/'
    })
    expect(source).toEqual({
      url: 'https://mirror.example/gh/aws/amazon-vpc-cni-k8s/v1.19.6/config/master/aws-k8s-cni.yaml',
      sha256: builtInPin('v1.19.6', 'aws-k8s-cni.yaml'),
      pinFrom: 'built-in'
    })
  })

  it('leaves an unknown version unpinned', () => {
    expect(resolveManifestSource({ ...base, cniVersion: 'v1.18.0' })).toEqual({
      url: `${raw}/v1.18.0/config/master/aws-k8s-cni.yaml`
    })
  })

  it('prefers manifest-sha256 over the built-in pin', () => {
    const pin = 'ab'.repeat(32)
    expect(resolveManifestSource({ ...base, manifestSha256: pin })).toEqual({
      url: `${raw}/v1.23.0/config/master/aws-k8s-cni.yaml`,
      sha256: 'ab'.repeat(32),
      pinFrom: 'manifest-sha256'
    })
  })

  it('takes the manifest input as a path or a URL, pinned only by manifest-sha256', () => {
    expect(
      resolveManifestSource({ ...base, manifest: { path: './cni/aws-k8s-cni.yaml' } })
    ).toEqual({ path: './cni/aws-k8s-cni.yaml' })
    expect(
      resolveManifestSource({ ...base, manifest: { url: 'https://example.com/cni.yaml' } })
    ).toEqual({ url: 'https://example.com/cni.yaml' })
    expect(
      resolveManifestSource({
        ...base,
        manifest: { path: '/abs/cni.yaml' },
        manifestSha256: 'cd'.repeat(32)
      })
    ).toEqual({ path: '/abs/cni.yaml', sha256: 'cd'.repeat(32), pinFrom: 'manifest-sha256' })
  })
})

describe('loadManifest', () => {
  let server: Server
  let baseUrl: string
  let requests: string[]
  let answers: Map<string, { status: number; body?: Buffer }[]>
  let dir: string

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cni-manifest-'))
    server = createServer((req, res) => {
      const url = req.url ?? ''
      requests.push(url)
      const queue = answers.get(url) ?? []
      const answer = queue.length > 1 ? queue.shift() : queue[0]
      res.statusCode = answer?.status ?? 404
      res.end(answer?.body ?? 'not found')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
    rmSync(dir, { recursive: true, force: true })
  })
  beforeEach(() => {
    requests = []
    answers = new Map()
  })

  const official = (cniVersion = 'v1.23.0') =>
    resolveManifestSource({ cniVersion, baseUrl, region: 'ap-northeast-2' })

  it('downloads the official layout and accepts it when the pin matches', async () => {
    answers.set(OFFICIAL, [{ status: 200, body: fixture('aws-k8s-cni-v1.23.0.yaml') }])
    const objects = await loadManifest(official())
    expect(objects.map((o) => o.kind)).toEqual([
      'CustomResourceDefinition',
      'ServiceAccount',
      'ConfigMap',
      'ClusterRole',
      'ClusterRoleBinding',
      'DaemonSet'
    ])
    expect(objects.filter(isAwsNodeDaemonSet)).toHaveLength(1)
    expect(requests).toEqual([OFFICIAL])
  })

  it('rejects other bytes than the pinned ones, quoting both hashes', async () => {
    const other = fixture('aws-k8s-cni-v1.19.6.yaml')
    answers.set(OFFICIAL, [{ status: 200, body: other }])
    const error = loadManifest(official())
    await expect(error).rejects.toThrow(sha256(other))
    await expect(loadManifest(official())).rejects.toThrow(
      `but the built-in pin for this version expects ${builtInPin('v1.23.0', 'aws-k8s-cni.yaml')}`
    )
  })

  it('names the URL and status on 404, without retrying', async () => {
    const source = official('v1.99.0')
    await expect(loadManifest(source)).rejects.toThrow(
      `Failed to download the VPC CNI manifest: GET ${source.url} failed: HTTP 404`
    )
    expect(requests).toHaveLength(1)
  })

  it('retries a 503 and then succeeds', async () => {
    answers.set(OFFICIAL, [
      { status: 503, body: Buffer.from('busy') },
      { status: 200, body: fixture('aws-k8s-cni-v1.23.0.yaml') }
    ])
    const objects = await loadManifest(official())
    expect(objects.some(isAwsNodeDaemonSet)).toBe(true)
    expect(requests).toEqual([OFFICIAL, OFFICIAL])
  })

  it('reads a local file, checking manifest-sha256', async () => {
    const file = path.join(FIXTURES, 'aws-k8s-cni-v1.11.2.yaml')
    const good = { path: file, sha256: sha256(fixture('aws-k8s-cni-v1.11.2.yaml')) }
    expect((await loadManifest(good)).some(isAwsNodeDaemonSet)).toBe(true)
    await expect(
      loadManifest({ path: file, sha256: '0'.repeat(64), pinFrom: 'manifest-sha256' })
    ).rejects.toThrow(`has sha256 ${good.sha256}, but manifest-sha256 expects ${'0'.repeat(64)}`)
  })

  it('says which file it cannot read', async () => {
    const missing = path.join(dir, 'nope.yaml')
    await expect(loadManifest({ path: missing })).rejects.toThrow(
      `Cannot read the manifest file '${missing}'`
    )
  })

  it('rejects a manifest without DaemonSet kube-system/aws-node', async () => {
    const text = fixture('aws-k8s-cni-v1.23.0.yaml').toString('utf8')
    const file = path.join(dir, 'no-ds.yaml')
    writeFileSync(
      file,
      text
        .split(/^---$/m)
        .filter((d) => !/kind: DaemonSet/.test(d))
        .join('---')
    )
    await expect(loadManifest({ path: file })).rejects.toThrow(
      /no DaemonSet kube-system\/aws-node \(found: CustomResourceDefinition\/eniconfigs/
    )
    const otherNs = path.join(dir, 'other-ns.yaml')
    writeFileSync(otherNs, text.replace(/namespace: kube-system/g, 'namespace: default'))
    await expect(loadManifest({ path: otherNs })).rejects.toThrow(
      'no DaemonSet kube-system/aws-node'
    )
  })

  it('rejects a DaemonSet without container aws-node', async () => {
    const file = path.join(dir, 'no-container.yaml')
    const text = fixture('aws-k8s-cni-v1.11.2.yaml').toString('utf8')
    writeFileSync(file, text.replace(/^(\s+)- name: aws-node$/m, '$1- name: renamed'))
    await expect(loadManifest({ path: file })).rejects.toThrow("has no container 'aws-node'")
  })

  it('rejects text that is not YAML, or YAML that is not Kubernetes', async () => {
    answers.set('/bad.yaml', [{ status: 200, body: Buffer.from('<html>\n<body>: x: y\n') }])
    answers.set('/page.yaml', [{ status: 200, body: Buffer.from('Hello, this is a page\n') }])
    await expect(loadManifest({ url: `${baseUrl}/bad.yaml` })).rejects.toThrow('is not valid YAML')
    await expect(loadManifest({ url: `${baseUrl}/page.yaml` })).rejects.toThrow(
      'is not a Kubernetes manifest: document 1 has no apiVersion and kind'
    )
  })

  it('accepts empty documents such as a trailing ---', async () => {
    const text = `---\n${fixture('aws-k8s-cni-v1.23.0.yaml').toString('utf8')}\n---\n---\n`
    const objects = await loadManifest({ url: 'https://x.invalid/m.yaml' }, async () => text)
    expect(objects).toHaveLength(6)
    expect(objects.every((o) => typeof o.kind === 'string')).toBe(true)
  })
})
