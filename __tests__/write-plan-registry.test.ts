/**
 * A version change's choice of image registry (prepareWrites in version mode): the region's EKS registry from the table, and for a
 * region the table lacks, the manifest's own images with a warning the user sees (no failure).
 */
import { jest } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { loadAllYaml, type KubernetesObject } from '@kubernetes/client-node'
import * as core from '../__fixtures__/core.js'
import type { ActionInputs } from '../src/inputs.js'
import type { KubeClient } from '../src/kube/client.js'
import type { LiveState } from '../src/kube/live.js'
import { fixturePath } from '../testbed/fixtures.js'
import { ORIGIN_INIT_ENV, ORIGIN_NODE_ENV } from '../testbed/origin.js'

jest.unstable_mockModule('@actions/core', () => core)
const { prepareWrites } = await import('../src/write-plan.js')

const MANIFEST = () =>
  loadAllYaml(readFileSync(fixturePath('aws-k8s-cni-v1.23.0.yaml'), 'utf8')) as KubernetesObject[]
const PUBLISHED = [
  '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni-init:v1.23.0',
  '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.23.0',
  '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon/aws-network-policy-agent:v1.4.1'
]

const prepare = (region: string, imageRegistry: ActionInputs['imageRegistry']) => {
  const inputs = {
    region,
    cniVersion: 'v1.23.0',
    imageRegistry,
    settings: {
      env: { ...ORIGIN_NODE_ENV },
      initEnv: { ...ORIGIN_INIT_ENV },
      unset: [],
      initUnset: []
    },
    allowDowngrade: false
  } as unknown as ActionInputs
  const live: LiveState = { versions: new Map(), eniConfigs: [], objects: new Map() }
  const kube = { read: async () => undefined } as unknown as KubeClient
  return prepareWrites(inputs, 'version', () => Promise.resolve(MANIFEST()), live, kube)
}

beforeEach(() => core.warning.mockClear())

describe('prepareWrites image registry', () => {
  it('moves the images to the region’s EKS registry, without a warning', async () => {
    const { images } = await prepare('ap-southeast-5', { mode: 'region' })
    expect(images).toEqual(
      PUBLISHED.map((i) =>
        i.replace('602401143452.dkr.ecr.us-west-2', '151610086707.dkr.ecr.ap-southeast-5')
      )
    )
    expect(core.warning).not.toHaveBeenCalled()
  })

  it('keeps the manifest’s images for a region the table lacks, and warns instead of failing', async () => {
    const { images } = await prepare('xx-newregion-1', { mode: 'region' })
    expect(images).toEqual(PUBLISHED)
    expect(core.warning).toHaveBeenCalledTimes(1)
    expect(String(core.warning.mock.calls[0][0])).toMatch(
      /region 'xx-newregion-1': keeping the manifest's images.*image-registry/
    )
  })

  it('says nothing when image-registry is keep or a registry, whatever the region', async () => {
    expect((await prepare('xx-newregion-1', { mode: 'keep' })).images).toEqual(PUBLISHED)
    const custom = await prepare('xx-newregion-1', { mode: 'custom', registry: 'r.example:5000' })
    expect(custom.images.every((i) => i.startsWith('r.example:5000/'))).toBe(true)
    expect(core.warning).not.toHaveBeenCalled()
  })
})
