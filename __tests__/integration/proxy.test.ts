/**
 * HTTPS_PROXY, HTTP_PROXY and NO_PROXY through the runner harness on dist/: every request of a run
 * (OIDC, STS/EKS/EC2, the Kubernetes API, the manifest and kubectl downloads) goes through a local
 * recording proxy, except those to the host NO_PROXY names.
 *
 * AWS and the OIDC endpoint are addressed as `testbed.example`, a name only the proxy resolves, so a
 * request that skipped the proxy could not have reached them at all. The Kubernetes API (its
 * certificate names 127.0.0.1) and the manifest mirror (plain http is accepted for loopback only)
 * keep 127.0.0.1. For every request the server-side client port tells one that came through the
 * proxy from one that did not. The kubectl mirror is addressed as `localhost`, which NO_PROXY
 * names, so its requests must come directly.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { RequestLogEntry } from '../../testbed/faults.js'
import { startTestbed, type Testbed } from '../../testbed/index.js'
import { startRecordingProxy, type RecordingProxy } from '../setup/recording-proxy.js'
import { expectNoSecretsInLog, originInputs, runAction } from './helpers.js'

const PROXIED_NAME = 'testbed.example'
let bed: Testbed
let proxy: RecordingProxy

beforeAll(async () => {
  bed = await startTestbed({ rollout: { mode: 'instant' } })
  proxy = await startRecordingProxy({ hosts: { [PROXIED_NAME]: '127.0.0.1' } })
}, 120_000)
afterAll(async () => {
  await proxy?.close()
  await bed?.stop()
})

/** The URL with its 127.0.0.1 host replaced by `host`. */
const via = (url: string, host: string): string => url.replace('//127.0.0.1:', `//${host}:`)

describe('a run behind a proxy', () => {
  it('sends every request through the proxy except those to NO_PROXY hosts', async () => {
    const env = { ...bed.env }
    for (const name of ['AWS_ENDPOINT_URL', 'ACTIONS_ID_TOKEN_REQUEST_URL']) {
      env[name] = via(env[name], PROXIED_NAME)
    }
    const seq = bed.log.lastSeq
    const run = await runAction({
      env: {
        ...env,
        HTTPS_PROXY: proxy.url,
        HTTP_PROXY: proxy.url,
        NO_PROXY: 'localhost'
      },
      inputs: originInputs(bed, {
        'cni-version': 'v1.19.6',
        'kubectl-mirror': via(bed.env.TESTBED_KUBECTL_MIRROR, 'localhost')
      })
    })
    try {
      if (run.main.exitCode !== 0) console.log(run.main.stdout.slice(-3000))
      expect({ exit: run.main.exitCode, stderr: run.main.stderr }).toEqual({ exit: 0, stderr: '' })
      expect(run.outputs['kubectl-path']).toMatch(/kubectl$/)
      expectNoSecretsInLog(run)

      const requests = bed.log.since(seq)
      const direct = (e: RequestLogEntry): boolean => e.host?.startsWith('localhost:') === true
      const proxied = requests.filter((e) => !direct(e))
      const summary = (e: RequestLogEntry) => `${e.service} ${e.method} ${e.host}${e.path}`
      // Every service took part, and each of its requests came from a proxy connection.
      expect(new Set(proxied.map((e) => e.service))).toEqual(
        new Set(['oidc', 'aws', 'kube', 'mirror'])
      )
      expect(
        proxied.filter((e) => !proxy.upstreamPorts.has(e.remotePort ?? -1)).map(summary)
      ).toEqual([])
      expect(proxy.connects).toContain(new URL(bed.kube.url).host)
      // The kubectl mirror, which NO_PROXY names, was reached directly and only directly.
      const mirror = requests.filter(direct)
      expect(mirror.length).toBeGreaterThan(0)
      expect(
        mirror.filter((e) => proxy.upstreamPorts.has(e.remotePort ?? -1)).map(summary)
      ).toEqual([])
      expect(proxy.requests.filter((u) => u.includes('//localhost:'))).toEqual([])
    } finally {
      run.cleanup()
    }
  })
})
