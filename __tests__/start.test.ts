/**
 * begin() starts sign-in and, when the inputs name the version, the manifest download, before the
 * pipeline loads: what it returns must hand the same requests to the pipeline, ask for the OIDC
 * token before the STS client has loaded and use it for the first attempt only, download a
 * cluster-dependent version only when asked, and keep an early failure from counting as an
 * unhandled rejection before the pipeline awaits it.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as core from '../__fixtures__/core.js'
import type { ActionInputs } from '../src/inputs.js'
import type { KubernetesObject } from '../src/kube/client.js'

const credentials = { accessKeyId: 'AKIA', secretAccessKey: 's', sessionToken: 't' }
type TokenSource = (audience: string) => Promise<string>
const tokensSeen: string[] = []
const events: string[] = []
const assumeRoleWithOidc = jest.fn(async (p: { getIDToken: TokenSource }) => {
  events.push('sign-in')
  // Two attempts, as after a rejected token: the first takes the early request's answer.
  tokensSeen.push(await p.getIDToken('sts.amazonaws.com'))
  tokensSeen.push(await p.getIDToken('sts.amazonaws.com'))
  return { ...credentials, assumedRoleArn: 'arn:aws:sts::1:assumed-role/r/s' }
})
const defaultCredentials = jest.fn(async () => credentials)
const downloadManifest = jest.fn(
  async (source: { version: string }, _fetch?: (url: string) => Promise<string>) => ({
    text: source.version
  })
)
const fetchText = jest.fn(async (_url: string, _options?: { deadline?: number }) => 'yaml')
const parseManifestDownload = jest.fn((d: { text: string }) => [
  { kind: 'DaemonSet', metadata: { name: d.text } } as KubernetesObject
])

jest.unstable_mockModule('@actions/core', () => core)
jest.unstable_mockModule('../src/aws/sts-client.js', () => ({ createStsClient: () => ({}) }))
jest.unstable_mockModule('../src/aws/credentials.js', () => ({
  assumeRoleWithOidc,
  defaultCredentials
}))
jest.unstable_mockModule('../src/cni/manifest-source.js', () => ({
  downloadManifest,
  resolveManifestSource: (p: { cniVersion: string }) => ({ version: p.cniVersion })
}))
jest.unstable_mockModule('../src/cni/manifest.js', () => ({ parseManifestDownload }))
jest.unstable_mockModule('../src/download.js', () => ({ fetchText }))
const { begin } = await import('../src/start.js')

const inputs = (more: object = {}) =>
  ({
    region: 'us-east-1',
    clusterName: 'demo',
    audience: 'sts.amazonaws.com',
    ...more
  }) as unknown as ActionInputs

const unhandled = jest.fn()
const saved = { ...process.env }
beforeEach(() => {
  jest.clearAllMocks()
  tokensSeen.length = 0
  events.length = 0
  process.on('unhandledRejection', unhandled)
})
afterEach(() => {
  process.off('unhandledRejection', unhandled)
  process.env = { ...saved }
})

describe('begin', () => {
  it('asks for the OIDC token at once, and signs in with it, then with fresh ones', async () => {
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = 'https://token.example/'
    let n = 0
    core.getIDToken.mockImplementation(async () => `token-${++n}`)
    const early = begin(inputs({ roleToAssume: 'arn:aws:iam::1:role/r' }))
    // Before sign-in's module has loaded, the token request is out.
    expect(core.getIDToken).toHaveBeenCalledTimes(1)
    expect(assumeRoleWithOidc).not.toHaveBeenCalled()
    const identity = await early.identity
    expect(identity.credentials).toEqual(credentials)
    expect(identity.assumedRoleArn).toBe('arn:aws:sts::1:assumed-role/r/s')
    expect(tokensSeen).toEqual(['token-1', 'token-2'])
    expect(defaultCredentials).not.toHaveBeenCalled()
  })

  it('loads sign-in once the token request is written out, before its answer', async () => {
    let answer = (): void => undefined
    const server = createServer((_req, res) => {
      answer = () => res.end('token-from-server')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`
      process.env.ACTIONS_ID_TOKEN_REQUEST_URL = url
      core.getIDToken.mockImplementationOnce(
        () =>
          new Promise((resolve, reject) => {
            const req = request(url, (res) => {
              let body = ''
              res.on('data', (chunk: Buffer) => (body += chunk.toString()))
              res.on('end', () => resolve(body))
            })
            req.on('error', reject)
            req.end()
          })
      )
      core.getIDToken.mockImplementation(async () => 'token-2')
      const early = begin(inputs({ roleToAssume: 'arn:aws:iam::1:role/r' }))
      await early.tokenRequestSent
      events.push('sent')
      // The server holds its answer until now: sign-in waits for the token, not for the send.
      await new Promise((resolve) => setTimeout(resolve, 20))
      answer()
      await early.identity
      expect(events).toEqual(['sent', 'sign-in'])
      expect(tokensSeen).toEqual(['token-from-server', 'token-2'])
    } finally {
      server.close()
    }
  })

  it('asks for no early token when the job has no OIDC', async () => {
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL
    core.getIDToken.mockImplementation(async () => 'token')
    const early = begin(inputs({ roleToAssume: 'arn:aws:iam::1:role/r' }))
    expect(core.getIDToken).not.toHaveBeenCalled()
    await early.tokenRequestSent
    await early.identity
  })

  it('settings only: no download until a step asks, then the version it asks for', async () => {
    const early = begin(inputs())
    expect((await early.identity).assumedRoleArn).toBeUndefined()
    expect(downloadManifest).not.toHaveBeenCalled()
    const objects = await early.manifest('v1.19.6')
    expect(objects[0].metadata?.name).toBe('v1.19.6')
    expect(downloadManifest).toHaveBeenCalledTimes(1)
  })

  it('cni-version: the download starts at once and is the one the pipeline gets', async () => {
    const early = begin(inputs({ cniVersion: 'v1.20.0' }))
    expect(downloadManifest).toHaveBeenCalledTimes(1)
    const objects = await early.manifest('v1.20.0')
    expect(objects[0].metadata?.name).toBe('v1.20.0')
    expect(downloadManifest).toHaveBeenCalledTimes(1)
    expect(parseManifestDownload).toHaveBeenCalledTimes(1)
  })

  it('mode addon: no manifest download, even with cni-version', async () => {
    const early = begin(inputs({ cniVersion: 'v1.20.0', mode: 'addon' }))
    await early.identity
    expect(downloadManifest).not.toHaveBeenCalled()
  })

  it('a manifest download stops timeout-seconds after the run began', async () => {
    const before = Date.now()
    begin(inputs({ cniVersion: 'v1.20.0', timeoutSeconds: 120 }))
    const fetch = downloadManifest.mock.calls[0][1] as (url: string) => Promise<string>
    await fetch('https://mirror.example/aws-k8s-cni.yaml')
    const deadline = fetchText.mock.calls[0][1]?.deadline ?? 0
    expect(deadline).toBeGreaterThanOrEqual(before + 120_000)
    expect(deadline).toBeLessThanOrEqual(Date.now() + 120_000)
  })

  it('an early failure waits for the await, not an unhandled rejection', async () => {
    defaultCredentials.mockRejectedValueOnce(new Error('no credentials'))
    downloadManifest.mockRejectedValueOnce(new Error('download failed'))
    const early = begin(inputs({ cniVersion: 'v1.20.0' }))
    // Both rejections settle while nothing awaits them yet.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(unhandled).not.toHaveBeenCalled()
    await expect(early.identity).rejects.toThrow('no credentials')
    await expect(early.manifest('v1.20.0')).rejects.toThrow('download failed')
  })
})
