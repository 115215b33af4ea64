/**
 * The Kubernetes client's transport against real sockets: the emulator (a hung apply is aborted
 * and never lands), an endpoint that never completes a connection, and requests through a proxy.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createServer, type Server, type Socket } from 'node:net'
import type { ApiBed } from '../testbed/k8s/harness.js'
import { createKubeClient, type KubeClientOptions } from '../src/kube/client.js'
import { startRecordingProxy, type RecordingProxy } from './setup/recording-proxy.js'
import { useKubeBeds } from './testbed/kube-beds.js'

/** The token the API bed accepts. */
const TOKEN = 'good'
const beds = useKubeBeds('kube-transport-')
let bed: ApiBed

beforeAll(async () => {
  bed = await beds.api({ preinstallManifest: null })
}, 60_000)

function options(over: Partial<KubeClientOptions> = {}): KubeClientOptions {
  return {
    cluster: {
      name: 'demo',
      endpoint: bed.emu.url,
      caData: Buffer.from(beds.tls().caPem).toString('base64')
    },
    tokens: { get: async () => TOKEN, invalidate: () => undefined },
    region: 'ap-northeast-2',
    callerArn: async () => undefined,
    sleep: async () => undefined,
    ...over
  }
}

const configMap = (name: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'kube-system' },
  data: { key: 'value' }
})

/** Resolves when the emulator has logged a finished request matching `test`. */
async function settled(test: (e: (typeof bed.log.entries)[number]) => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const entry = bed.log.entries.find(test)
    if (entry && entry.end > 0) return
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error('the emulator never finished the request')
}

describe('a hung request', () => {
  it('is aborted at its timeout and the apply never lands', async () => {
    // The write is held for good (a hang); the client gives up after 200 ms on every attempt.
    const remove = bed.faults.add({
      name: 'hang',
      service: 'kube',
      method: 'PATCH',
      path: /configmaps\/hung$/,
      delayMs: Infinity,
      times: Infinity
    })
    const kube = createKubeClient(options({ requestTimeoutMs: 200 }))
    try {
      await expect(kube.apply(configMap('hung'))).rejects.toThrow(
        /apply ConfigMap\/kube-system\/hung failed: .*no answer in 0\.2 s/
      )
      const patches = bed.log.entries.filter((e) => e.method === 'PATCH' && /hung$/.test(e.path))
      // Every attempt of the retry budget that reached the emulator was held, then aborted.
      expect(patches.length).toBeGreaterThanOrEqual(1)
      // The emulator dropped each request when its client went away, before applying anything.
      for (const p of patches) await settled((e) => e.seq === p.seq)
      expect(patches.every((e) => e.cancelled === true)).toBe(true)
      expect(bed.emu.get('v1', 'ConfigMap', 'hung', 'kube-system')).toBeUndefined()
    } finally {
      remove()
      await kube.close()
    }
  })

  it('is aborted at the run deadline and is not retried', async () => {
    const remove = bed.faults.add({
      service: 'kube',
      method: 'PATCH',
      path: /configmaps\/late$/,
      delayMs: 60_000,
      times: Infinity
    })
    const start = bed.log.lastSeq
    const kube = createKubeClient(options({ deadline: Date.now() + 1000 }))
    try {
      await expect(kube.apply(configMap('late'))).rejects.toThrow(
        /still no answer at the deadline \(timeout-seconds\)/
      )
      const patches = bed.log.since(start).filter((e) => e.method === 'PATCH')
      expect(patches).toHaveLength(1)
      await settled((e) => e.seq === patches[0].seq)
      expect(patches[0].cancelled).toBe(true)
      expect(bed.emu.get('v1', 'ConfigMap', 'late', 'kube-system')).toBeUndefined()
    } finally {
      remove()
      await kube.close()
    }
  })

  it('lands when it is answered in time (the control case)', async () => {
    const remove = bed.faults.add({
      service: 'kube',
      method: 'PATCH',
      path: /configmaps\/slow$/,
      delayMs: 100
    })
    const kube = createKubeClient(options())
    try {
      await kube.apply(configMap('slow'))
      expect(bed.emu.get('v1', 'ConfigMap', 'slow', 'kube-system')?.data).toEqual({ key: 'value' })
    } finally {
      remove()
      await kube.close()
    }
  })
})

describe('an endpoint that never completes a connection', () => {
  let server: Server
  const sockets: Socket[] = []
  let endpoint = ''
  beforeAll(async () => {
    // Accepts TCP but never answers the TLS handshake: what a filtered endpoint looks like.
    server = createServer((socket) => sockets.push(socket))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    endpoint = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  })
  afterAll(async () => {
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => server.close(resolve))
  })

  it.each([
    [
      { publicAccess: false, privateAccess: true, publicAccessCidrs: ['0.0.0.0/0'] },
      /endpointPublicAccess=false: the endpoint is private.*self-hosted runner in the VPC.*update-cluster-config --region ap-northeast-2 --name demo/s
    ],
    [
      { publicAccess: true, privateAccess: true, publicAccessCidrs: ['203.0.113.0/24'] },
      /publicAccessCidrs=203\.0\.113\.0\/24: add this runner's egress address/
    ],
    [
      { publicAccess: true, privateAccess: false, publicAccessCidrs: ['0.0.0.0/0'] },
      /endpoint is open: check this runner's outbound network, firewall and HTTPS_PROXY/
    ]
  ])('fails after three connect timeouts and explains %j', async (endpointAccess, advice) => {
    const retries: string[] = []
    const kube = createKubeClient(
      options({
        onRetry: (m) => retries.push(m),
        connectTimeoutMs: 150,
        cluster: {
          name: 'demo',
          endpoint,
          caData: Buffer.from(beds.tls().caPem).toString('base64'),
          endpointAccess
        }
      })
    )
    try {
      const error = await kube.read({ apiVersion: 'v1', kind: 'ConfigMap', name: 'x' }).then(
        () => new Error('resolved'),
        (e: Error) => e
      )
      expect(error.message).toMatch(/did not accept a connection/)
      expect(error.message).toMatch(advice)
      // Three attempts in all, retried at once: the connect timeout has already waited.
      expect(retries).toHaveLength(2)
      expect(retries.every((m) => / in 0 ms /.test(m))).toBe(true)
    } finally {
      await kube.close()
    }
  })
})

describe('a proxy from the environment', () => {
  let proxy: RecordingProxy
  const saved = { ...process.env }
  beforeAll(async () => {
    proxy = await startRecordingProxy()
  })
  afterAll(async () => {
    process.env = saved
    await proxy.close()
  })

  it('carries the API requests when HTTPS_PROXY is set', async () => {
    process.env.HTTPS_PROXY = proxy.url
    delete process.env.NO_PROXY
    delete process.env.no_proxy
    const kube = createKubeClient(options())
    try {
      await kube.read({ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', namespace: 'default' })
      expect(proxy.connects).toContain(new URL(bed.emu.url).host)
    } finally {
      await kube.close()
    }
  })

  it('is skipped for a host NO_PROXY names', async () => {
    process.env.HTTPS_PROXY = proxy.url
    process.env.NO_PROXY = '127.0.0.1'
    const before = proxy.connects.length
    const kube = createKubeClient(options())
    try {
      await kube.read({ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', namespace: 'default' })
      expect(proxy.connects.length).toBe(before)
    } finally {
      await kube.close()
    }
  })
})
