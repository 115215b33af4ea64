/**
 * begin() starts sign-in and, when the inputs name the version, the manifest download, before the
 * pipeline loads: what it returns must hand the same requests to the pipeline, download a
 * cluster-dependent version only when asked, and keep an early failure from counting as an
 * unhandled rejection before the pipeline awaits it.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import * as core from '../__fixtures__/core.js'
import type { ActionInputs } from '../src/inputs.js'
import type { KubernetesObject } from '../src/kube/client.js'

const credentials = { accessKeyId: 'AKIA', secretAccessKey: 's', sessionToken: 't' }
const assumeRoleWithOidc = jest.fn(async () => ({
  ...credentials,
  assumedRoleArn: 'arn:aws:sts::1:assumed-role/r/s'
}))
const defaultCredentials = jest.fn(async () => credentials)
const loadManifest = jest.fn(async (source: { version: string }) => [
  { kind: 'DaemonSet', metadata: { name: source.version } } as KubernetesObject
])

jest.unstable_mockModule('@actions/core', () => core)
jest.unstable_mockModule('../src/aws/clients.js', () => ({ createStsClient: () => ({}) }))
jest.unstable_mockModule('../src/aws/credentials.js', () => ({
  assumeRoleWithOidc,
  defaultCredentials
}))
jest.unstable_mockModule('../src/cni/manifest.js', () => ({
  loadManifest,
  resolveManifestSource: (p: { cniVersion: string }) => ({ version: p.cniVersion })
}))
const { begin } = await import('../src/start.js')

const inputs = (more: object = {}) =>
  ({ region: 'us-east-1', clusterName: 'demo', ...more }) as unknown as ActionInputs

const unhandled = jest.fn()
beforeEach(() => {
  jest.clearAllMocks()
  process.on('unhandledRejection', unhandled)
})
afterEach(() => {
  process.off('unhandledRejection', unhandled)
})

describe('begin', () => {
  it('signs in through OIDC when a role is given, and says which role', async () => {
    const early = begin(inputs({ roleToAssume: 'arn:aws:iam::1:role/r' }))
    const identity = await early.identity
    expect(identity.credentials).toEqual(credentials)
    expect(identity.assumedRoleArn).toBe('arn:aws:sts::1:assumed-role/r/s')
    expect(defaultCredentials).not.toHaveBeenCalled()
  })

  it('settings only: no download until a step asks, then the version it asks for', async () => {
    const early = begin(inputs())
    expect((await early.identity).assumedRoleArn).toBeUndefined()
    expect(loadManifest).not.toHaveBeenCalled()
    const objects = await early.manifest('v1.19.6')
    expect(objects[0].metadata?.name).toBe('v1.19.6')
    expect(loadManifest).toHaveBeenCalledTimes(1)
  })

  it('cni-version: the download starts at once and is the one the pipeline gets', async () => {
    const early = begin(inputs({ cniVersion: 'v1.20.0' }))
    expect(loadManifest).toHaveBeenCalledTimes(1)
    const objects = await early.manifest('v1.20.0')
    expect(objects[0].metadata?.name).toBe('v1.20.0')
    expect(loadManifest).toHaveBeenCalledTimes(1)
  })

  it('an early failure waits for the await, not an unhandled rejection', async () => {
    defaultCredentials.mockRejectedValueOnce(new Error('no credentials'))
    loadManifest.mockRejectedValueOnce(new Error('download failed'))
    const early = begin(inputs({ cniVersion: 'v1.20.0' }))
    // Both rejections settle while nothing awaits them yet.
    await new Promise((resolve) => setImmediate(resolve))
    await new Promise((resolve) => setImmediate(resolve))
    expect(unhandled).not.toHaveBeenCalled()
    await expect(early.identity).rejects.toThrow('no credentials')
    await expect(early.manifest('v1.20.0')).rejects.toThrow('download failed')
  })
})
