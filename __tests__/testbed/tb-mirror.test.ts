import { createHash } from 'node:crypto'
import {
  copyFileSync,
  linkSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FaultInjector, RequestLog } from '../../testbed/faults.js'
import {
  clientVersion,
  findKubectl,
  findKubectlDir,
  fixturesDir,
  kubectlDirsOnPath,
  startMirror,
  type Mirror
} from '../../testbed/mirror.js'

// The machine's kubectl: versioned kubectl.1.N files (Google Cloud SDK) and/or a plain kubectl.
const kubectlDir = findKubectlDir()
const plainKubectl = kubectlDirsOnPath().map((d) => join(d, 'kubectl'))[0]
const versionedMinors = kubectlDir
  ? readdirSync(kubectlDir)
      .map((f) => /^kubectl\.1\.(\d+)$/.exec(f)?.[1])
      .filter((m): m is string => m !== undefined)
      .map(Number)
      .sort((a, b) => a - b)
  : []
const withKubectl = plainKubectl || kubectlDir ? it : it.skip
const withTwoVersioned = versionedMinors.length >= 2 ? it : it.skip
if (!plainKubectl && !kubectlDir) console.warn('no kubectl on PATH: skipping')
const versioned = (minor: number): string => join(kubectlDir as string, `kubectl.1.${minor}`)

describe('test bed download mirror', () => {
  const faults = new FaultInjector()
  const log = new RequestLog()
  let mirror: Mirror

  beforeAll(async () => {
    mirror = await startMirror({ faults, log })
  })
  afterAll(() => mirror.close())
  afterEach(() => faults.clear())

  const text = async (url: string): Promise<[number, string]> => {
    const res = await fetch(url)
    return [res.status, await res.text()]
  }

  withKubectl('answers stable.txt and stable-1.N.txt with installed versions', async () => {
    const versions = await mirror.versions()
    expect(versions[0]).toMatch(/^v1\.\d+\.\d+$/)
    expect(await text(`${mirror.dlBase}/release/stable.txt`)).toEqual([200, `${versions[0]}\n`])
    const v127 = versions.find((v) => v.startsWith('v1.27.'))
    if (v127)
      expect(await text(`${mirror.dlBase}/release/stable-1.27.txt`)).toEqual([200, `${v127}\n`])
    expect((await text(`${mirror.dlBase}/release/stable-1.5.txt`))[0]).toBe(404)
  })

  withKubectl('serves a kubectl binary whose sha256 matches its .sha256 file', async () => {
    const [version] = (await mirror.versions()).slice(-1)
    const base = `${mirror.dlBase}/release/${version}/bin/linux/amd64/kubectl`
    const res = await fetch(base)
    expect(res.status).toBe(200)
    const bytes = Buffer.from(await res.arrayBuffer())
    expect(Number(res.headers.get('content-length'))).toBe(bytes.length)
    const [status, digest] = await text(`${base}.sha256`)
    expect(status).toBe(200)
    expect(digest).toMatch(/^[0-9a-f]{64}$/)
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(digest)
  })

  withKubectl(
    'answers 404 for unknown versions and arches, and can corrupt a download',
    async () => {
      const [version] = await mirror.versions()
      expect((await text(`${mirror.dlBase}/release/v1.99.0/bin/linux/amd64/kubectl`))[0]).toBe(404)
      expect((await text(`${mirror.dlBase}/release/v1.27.0/bin/linux/amd64/kubectl`))[0]).toBe(404)
      expect((await text(`${mirror.dlBase}/release/${version}/bin/linux/s390x/kubectl`))[0]).toBe(
        404
      )
      faults.add({ service: 'mirror', path: '/kubectl$', body: 'not a binary', name: 'corrupt' })
      const url = `${mirror.dlBase}/release/${version}/bin/linux/amd64/kubectl`
      expect(await text(url)).toEqual([200, 'not a binary'])
      expect(log.entries.at(-1)).toMatchObject({ service: 'mirror', fault: 'corrupt' })
      faults.add({ service: 'mirror', path: 'stable', status: 500, times: 2 })
      expect((await text(`${mirror.dlBase}/release/stable.txt`))[0]).toBe(500)
    }
  )

  it('serves the VPC CNI manifests byte-identical to the fixtures', async () => {
    const cases: [string, string][] = [
      ['v1.19.6/config/master/aws-k8s-cni.yaml', 'aws-k8s-cni-v1.19.6.yaml'],
      ['v1.11.2/config/master/aws-k8s-cni.yaml', 'aws-k8s-cni-v1.11.2.yaml'],
      ['v1.23.0/config/master/aws-k8s-cni-cn.yaml', 'aws-k8s-cni-cn-v1.23.0.yaml'],
      [
        'v1.23.0/config/master/aws-k8s-cni-us-gov-west-1.yaml',
        'aws-k8s-cni-us-gov-west-1-v1.23.0.yaml'
      ]
    ]
    for (const [path, file] of cases) {
      const res = await fetch(`${mirror.rawBase}/aws/amazon-vpc-cni-k8s/${path}`)
      expect(res.status).toBe(200)
      const body = Buffer.from(await res.arrayBuffer())
      expect(body.equals(readFileSync(join(fixturesDir(), file)))).toBe(true)
    }
    const missing = ['v9.9.9/config/master/aws-k8s-cni.yaml', 'v1.19.6/config/master/../../x.yaml']
    for (const path of missing) {
      expect((await fetch(`${mirror.rawBase}/aws/amazon-vpc-cni-k8s/${path}`)).status).toBe(404)
    }
  })
})

describe('test bed download mirror: kubectl layouts', () => {
  const faults = new FaultInjector()
  const log = new RequestLog()
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mirror-layout-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  /** Links `name` in the temp dir to the binary `target`. */
  const link = (name: string, target: string): string => {
    symlinkSync(target, join(dir, name))
    return join(dir, name)
  }
  const text = async (url: string): Promise<[number, string]> => {
    const res = await fetch(url)
    return [res.status, await res.text()]
  }

  withKubectl(
    'a single plain kubectl (as on GitHub runners) is served as its own version',
    async () => {
      const bin = link('kubectl', kubectlDir ? versioned(versionedMinors[0]) : plainKubectl)
      const version = (await clientVersion(bin)) as string
      expect(version).toMatch(/^v1\.\d+\.\d+$/)
      const minor = Number(version.split('.')[1])
      expect(findKubectl(minor, [dir])).toBe(bin)
      expect(findKubectl(minor + 1, [dir])).toBeUndefined()
      const mirror = await startMirror({ faults, log, kubectlDir: dir })
      try {
        expect(await mirror.served()).toEqual([{ version, path: bin }])
        expect(await text(`${mirror.dlBase}/release/stable.txt`)).toEqual([200, `${version}\n`])
        expect(await text(`${mirror.dlBase}/release/stable-1.${minor}.txt`)).toEqual([
          200,
          `${version}\n`
        ])
        expect((await text(`${mirror.dlBase}/release/stable-1.${minor + 1}.txt`))[0]).toBe(404)
        const url = `${mirror.dlBase}/release/${version}/bin/linux/amd64/kubectl`
        const bytes = Buffer.from(await (await fetch(url)).arrayBuffer())
        expect(bytes.equals(readFileSync(bin))).toBe(true)
        expect(await text(`${url}.sha256`)).toEqual([
          200,
          createHash('sha256').update(bytes).digest('hex')
        ])
      } finally {
        await mirror.close()
      }
    }
  )

  withTwoVersioned(
    'versioned kubectl.1.N files win over a plain kubectl of the same minor',
    async () => {
      const [a, b] = versionedMinors
      const va = link(`kubectl.1.${a}`, versioned(a))
      const vb = link(`kubectl.1.${b}`, versioned(b))
      link('kubectl', versioned(b))
      expect(findKubectl(b, [dir])).toBe(vb)
      const mirror = await startMirror({ faults, log, kubectlDir: dir })
      try {
        const served = await mirror.served()
        expect(served.map((s) => s.path)).toEqual([vb, va])
        expect(served[0].version).toMatch(new RegExp(`^v1\\.${b}\\.\\d+$`))
        expect(served[1].version).toMatch(new RegExp(`^v1\\.${a}\\.\\d+$`))
        expect(await mirror.versions()).toEqual(served.map((s) => s.version))
      } finally {
        await mirror.close()
      }
    }
  )

  withTwoVersioned('a plain kubectl adds its minor to the versioned ones', async () => {
    const [a] = versionedMinors
    const va = link(`kubectl.1.${a}`, versioned(a))
    const plain = link('kubectl', versioned(versionedMinors[versionedMinors.length - 1]))
    const mirror = await startMirror({ faults, log, kubectlDir: dir })
    try {
      expect((await mirror.served()).map((s) => s.path)).toEqual([plain, va])
    } finally {
      await mirror.close()
    }
  })

  withKubectl(
    'finds a single kubectl on PATH by itself, with no versioned files beside it',
    async () => {
      const source = kubectlDir ? versioned(versionedMinors[0]) : plainKubectl
      const bin = join(dir, 'kubectl')
      try {
        linkSync(source, bin) // a symlink would lead back to the folder of versioned files
      } catch {
        copyFileSync(source, bin)
      }
      const saved = process.env.PATH
      process.env.PATH = `${dir}:/usr/sbin:/sbin`
      try {
        expect(kubectlDirsOnPath()).toEqual([dir])
        expect(findKubectlDir()).toBeUndefined()
        const mirror = await startMirror({ faults, log })
        try {
          const version = await clientVersion(bin)
          expect(await mirror.served()).toEqual([{ version, path: bin }])
        } finally {
          await mirror.close()
        }
      } finally {
        process.env.PATH = saved
      }
    }
  )

  it('serves no kubectl from a folder without one', async () => {
    const mirror = await startMirror({ faults, log, kubectlDir: dir })
    try {
      expect(await mirror.served()).toEqual([])
      expect((await text(`${mirror.dlBase}/release/stable.txt`))[0]).toBe(404)
    } finally {
      await mirror.close()
    }
  })
})
