import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import {
  KNOWN_CNI_VERSIONS,
  LATEST_KNOWN_CNI_VERSION,
  builtInPin,
  cniVersionFromImage
} from '../src/cni/versions.js'
import { VPC_CNI_FIXTURES } from '../testbed/fixtures.js'

const FIXTURES = VPC_CNI_FIXTURES

const sha256 = (file: string): string =>
  createHash('sha256')
    .update(readFileSync(path.join(FIXTURES, file)))
    .digest('hex')

describe('known versions', () => {
  it('lists the versions newest first', () => {
    expect(KNOWN_CNI_VERSIONS).toEqual(['v1.23.0', 'v1.20.5', 'v1.19.6', 'v1.11.2'])
    expect(LATEST_KNOWN_CNI_VERSION).toBe('v1.23.0')
  })

  test.each([
    ['v1.11.2', 'aws-k8s-cni.yaml', 'aws-k8s-cni-v1.11.2.yaml'],
    ['v1.19.6', 'aws-k8s-cni.yaml', 'aws-k8s-cni-v1.19.6.yaml'],
    ['v1.20.5', 'aws-k8s-cni.yaml', 'aws-k8s-cni-v1.20.5.yaml'],
    ['v1.23.0', 'aws-k8s-cni.yaml', 'aws-k8s-cni-v1.23.0.yaml'],
    ['v1.23.0', 'aws-k8s-cni-cn.yaml', 'aws-k8s-cni-cn-v1.23.0.yaml'],
    ['v1.23.0', 'aws-k8s-cni-us-gov-west-1.yaml', 'aws-k8s-cni-us-gov-west-1-v1.23.0.yaml']
  ])('the pin of %s %s is the sha256 of %s', (version, file, fixture) => {
    expect(builtInPin(version, file)).toBe(sha256(fixture))
  })

  it('pins every known version’s main manifest', () => {
    for (const v of KNOWN_CNI_VERSIONS)
      expect(builtInPin(v, 'aws-k8s-cni.yaml')).toMatch(/^[0-9a-f]{64}$/)
  })

  it('accepts the version without v, and has no pin for unknown versions or files', () => {
    expect(builtInPin('1.23.0', 'aws-k8s-cni.yaml')).toBe(builtInPin('v1.23.0', 'aws-k8s-cni.yaml'))
    expect(builtInPin('v1.18.0', 'aws-k8s-cni.yaml')).toBeUndefined()
    expect(builtInPin('v1.19.6', 'aws-k8s-cni-cn.yaml')).toBeUndefined()
    expect(builtInPin('v1.23.0', 'aws-k8s-cni-us-gov-east-1.yaml')).toBeUndefined()
    expect(builtInPin('v1.23.0', 'constructor')).toBeUndefined()
  })
})

describe('cniVersionFromImage', () => {
  test.each([
    ['v1.19.6-eksbuild.1', 'v1.19.6'],
    ['v1.19.6', 'v1.19.6'],
    ['1.19.6', 'v1.19.6'],
    ['602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.6-eksbuild.1', 'v1.19.6'],
    ['602401143452.dkr.ecr.ap-northeast-2.amazonaws.com/amazon-k8s-cni:v1.11.2', 'v1.11.2'],
    ['registry.local:5000/amazon-k8s-cni:v1.20.5-eksbuild.3', 'v1.20.5'],
    ['r.example/amazon-k8s-cni:v1.23.0@sha256:' + 'a'.repeat(64), 'v1.23.0']
  ])('%s → %s', (image, version) => {
    expect(cniVersionFromImage(image)).toBe(version)
  })

  test.each([
    'registry.local:5000/amazon-k8s-cni',
    'r.example/amazon-k8s-cni:latest',
    'r.example/amazon-k8s-cni@sha256:' + 'a'.repeat(64),
    'r.example/amazon-k8s-cni:v1.19.0-rc1',
    'v1.19',
    ''
  ])('%s is not parseable', (image) => {
    expect(cniVersionFromImage(image)).toBeUndefined()
  })
})
