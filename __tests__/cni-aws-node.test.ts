import { ORIGIN_INIT_ENV, ORIGIN_NODE_ENV } from '../testbed/origin.js'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { loadAllYaml, type KubernetesObject, type V1DaemonSet } from '@kubernetes/client-node'
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js'
import { load } from 'js-yaml'
import {
  awsNodeEnv,
  editAwsNode,
  envInteger,
  isAwsNodeDaemonSet,
  isTrue,
  moveImage,
  type CniSettings
} from '../src/cni/aws-node.js'
import { ecrRegistryForRegion } from '../src/cni/registry.js'
import { VPC_CNI_FIXTURES } from '../testbed/fixtures.js'

const FIXTURES = VPC_CNI_FIXTURES

const MANIFESTS = [
  'aws-k8s-cni-v1.11.2.yaml',
  'aws-k8s-cni-v1.19.6.yaml',
  'aws-k8s-cni-v1.20.5.yaml',
  'aws-k8s-cni-v1.23.0.yaml',
  'aws-k8s-cni-cn-v1.23.0.yaml',
  'aws-k8s-cni-us-gov-west-1-v1.23.0.yaml'
]

/** The origin script's settings. */
const ORIGIN: CniSettings = { env: { ...ORIGIN_NODE_ENV }, initEnv: { ...ORIGIN_INIT_ENV } }

const load_ = (file: string): KubernetesObject[] =>
  loadAllYaml(readFileSync(path.join(FIXTURES, file), 'utf8')) as KubernetesObject[]

function daemonSet(objects: KubernetesObject[]): V1DaemonSet {
  const ds = objects.find(isAwsNodeDaemonSet)
  if (!ds) throw new Error('no aws-node DaemonSet')
  return ds
}

function podSpec(ds: V1DaemonSet) {
  const spec = ds.spec?.template?.spec
  if (!spec) throw new Error('no pod spec')
  return spec
}

/** Registry and path of an image reference. */
const splitImage = (image: string): [string, string] => {
  const slash = image.indexOf('/')
  return [image.slice(0, slash), image.slice(slash)]
}

function checkEdit(file: string, registry: string | undefined): void {
  const input = load_(file)
  const pristine = load_(file)
  const output = editAwsNode(input, ORIGIN, registry)

  // The input is untouched, and every object comes back as a new one.
  expect(input).toStrictEqual(pristine)
  expect(output).toHaveLength(input.length)
  output.forEach((o, i) => expect(o).not.toBe(input[i]))

  // Every object other than the DaemonSet is deep-equal, with its model classes.
  output.forEach((o, i) => {
    if (!isAwsNodeDaemonSet(o)) expect(o).toStrictEqual(pristine[i])
  })

  const before = awsNodeEnv(daemonSet(pristine))
  const after = awsNodeEnv(daemonSet(output))
  expect(after.env).toEqual({ ...before.env, ...ORIGIN.env })
  expect(after.initEnv).toEqual({ ...before.initEnv, ...ORIGIN.initEnv })
  // Values the manifests lack are added, not silently skipped.
  for (const name of ['WARM_IP_TARGET', 'MINIMUM_IP_TARGET', 'ENI_CONFIG_LABEL_DEF']) {
    expect(before.env[name]).toBeUndefined()
    expect(after.env[name]).toBe(ORIGIN.env[name])
  }

  // Existing entries keep their place; new ones are appended in the settings' order.
  const oldSpec = podSpec(daemonSet(pristine))
  const newSpec = podSpec(daemonSet(output))
  const names = (spec: typeof oldSpec, c: string) =>
    [...(spec.initContainers ?? []), ...spec.containers]
      .find((x) => x.name === c)
      ?.env?.map((e) => e.name)
  const oldNames = names(oldSpec, 'aws-node') ?? []
  expect(names(newSpec, 'aws-node')).toEqual([
    ...oldNames,
    ...Object.keys(ORIGIN.env).filter((n) => !oldNames.includes(n))
  ])
  expect(names(newSpec, 'aws-vpc-cni-init')).toEqual(names(oldSpec, 'aws-vpc-cni-init'))

  // Images: same repository and tag, registry moved (or kept).
  expect(after.images).toHaveLength(before.images.length)
  after.images.forEach((image, i) => {
    const [oldRegistry, rest] = splitImage(before.images[i])
    expect(image).toBe(`${registry ?? oldRegistry}${rest}`)
  })

  // Nothing else in the DaemonSet changed: put the edited fields back and compare everything.
  const restored = daemonSet(output)
  const all = (spec: typeof oldSpec) => [...(spec.initContainers ?? []), ...spec.containers]
  all(newSpec).forEach((c, i) => {
    c.env = all(oldSpec)[i].env
    c.image = all(oldSpec)[i].image
  })
  expect(restored).toStrictEqual(daemonSet(pristine))
}

describe('editAwsNode on every fixture manifest with the origin settings', () => {
  const apne2 = ecrRegistryForRegion('ap-northeast-2')

  it('uses the registry of ap-northeast-2 from the table', () => {
    expect(apne2).toBe('602401143452.dkr.ecr.ap-northeast-2.amazonaws.com')
  })

  test.each(MANIFESTS)('%s → ap-northeast-2', (file) => checkEdit(file, apne2))
  test.each(MANIFESTS)('%s with image-registry keep', (file) => checkEdit(file, undefined))

  test('the China manifest moves to cn-north-1', () => {
    const registry = ecrRegistryForRegion('cn-north-1')
    expect(registry).toBe('918309763551.dkr.ecr.cn-north-1.amazonaws.com.cn')
    checkEdit('aws-k8s-cni-cn-v1.23.0.yaml', registry)
    const images = awsNodeEnv(
      daemonSet(editAwsNode(load_('aws-k8s-cni-cn-v1.23.0.yaml'), ORIGIN, registry))
    ).images
    expect(images).toEqual([
      '918309763551.dkr.ecr.cn-north-1.amazonaws.com.cn/amazon-k8s-cni-init:v1.23.0',
      '918309763551.dkr.ecr.cn-north-1.amazonaws.com.cn/amazon-k8s-cni:v1.23.0',
      '918309763551.dkr.ecr.cn-north-1.amazonaws.com.cn/amazon/aws-network-policy-agent:v1.4.1'
    ])
  })

  test('the GovCloud west manifest moves to us-gov-east-1', () => {
    checkEdit('aws-k8s-cni-us-gov-west-1-v1.23.0.yaml', ecrRegistryForRegion('us-gov-east-1'))
  })
})

describe('editAwsNode details', () => {
  const base = (): KubernetesObject[] => load_('aws-k8s-cni-v1.23.0.yaml')

  it('replaces a valueFrom entry with the literal value', () => {
    const out = editAwsNode(base(), { env: { MY_NODE_NAME: 'n1' }, initEnv: {} }, undefined)
    const env = podSpec(daemonSet(out)).containers.find((c) => c.name === 'aws-node')?.env ?? []
    const entries = env.filter((e) => e.name === 'MY_NODE_NAME')
    expect(entries).toHaveLength(1)
    expect(entries[0].value).toBe('n1')
    expect(entries[0].valueFrom).toBeUndefined()
  })

  it('leaves images of other registries alone', () => {
    expect(moveImage('public.ecr.aws/eks/amazon-k8s-cni:v1', 'r.example')).toBe(
      'public.ecr.aws/eks/amazon-k8s-cni:v1'
    )
    expect(moveImage('602401143452.dkr.ecr.us-west-2.amazonaws.com/a:b', 'mirror.io/eks/')).toBe(
      'mirror.io/eks/a:b'
    )
  })

  it('throws without an aws-node DaemonSet', () => {
    const objects = base().filter((o) => !isAwsNodeDaemonSet(o))
    expect(() => editAwsNode(objects, ORIGIN, undefined)).toThrow(
      'no DaemonSet kube-system/aws-node'
    )
  })

  it('throws without the container or the init container', () => {
    const noMain = base()
    const spec = podSpec(daemonSet(noMain))
    spec.containers = spec.containers.filter((c) => c.name !== 'aws-node')
    expect(() => editAwsNode(noMain, ORIGIN, undefined)).toThrow("no container 'aws-node'")

    const noInit = base()
    podSpec(daemonSet(noInit)).initContainers = []
    expect(() => editAwsNode(noInit, ORIGIN, undefined)).toThrow(
      "no init container 'aws-vpc-cni-init' to set DISABLE_TCP_EARLY_DEMUX"
    )
    // Nothing to set on it: no reason to fail.
    expect(() => editAwsNode(noInit, { env: ORIGIN.env, initEnv: {} }, undefined)).not.toThrow()
  })

  it('reads env, init env and images for summaries', () => {
    const r = awsNodeEnv(daemonSet(base()))
    expect(r.initEnv).toEqual({ DISABLE_TCP_EARLY_DEMUX: 'false', ENABLE_IPv6: 'false' })
    expect(r.env.VPC_CNI_VERSION).toBe('v1.23.0')
    expect(r.env.MY_NODE_NAME).toBeUndefined()
    expect(r.images).toHaveLength(3)
  })
})

describe('the CRD parsed with loadAllYaml', () => {
  test.each(MANIFESTS)(
    '%s keeps x-kubernetes-preserve-unknown-fields through ObjectSerializer after editing',
    (file) => {
      const output = editAwsNode(load_(file), ORIGIN, ecrRegistryForRegion('ap-northeast-2'))
      const crd = output.find(
        (o) =>
          o.kind === 'CustomResourceDefinition' &&
          o.metadata?.name === 'eniconfigs.crd.k8s.amazonaws.com'
      )
      const wire = ObjectSerializer.serialize(crd, 'V1CustomResourceDefinition') as {
        spec: { versions: { schema: { openAPIV3Schema: Record<string, unknown> } }[] }
      }
      const schema = wire.spec.versions[0].schema.openAPIV3Schema
      const hasField = JSON.stringify(schema).includes(
        '"x-kubernetes-preserve-unknown-fields":true'
      )
      expect(hasField).toBe(true)
    }
  )

  it('would lose the field as a plain js-yaml object (the trap this avoids)', () => {
    const text = readFileSync(path.join(FIXTURES, 'aws-k8s-cni-v1.11.2.yaml'), 'utf8')
    const plain = text
      .split(/^---$/m)
      .filter((d) => d.trim() !== '')
      .map((d) => load(d) as KubernetesObject | null)
      .find((o) => o?.kind === 'CustomResourceDefinition')
    const wire = ObjectSerializer.serialize(plain, 'V1CustomResourceDefinition')
    expect(JSON.stringify(wire)).not.toContain('x-kubernetes-preserve-unknown-fields')
  })
})

describe('isTrue', () => {
  it("reads a variable as ipamd does: Go's ParseBool true set, nothing else", () => {
    for (const v of ['true', 'True', 'TRUE', '1', 't', 'T', ' true '])
      expect([v, isTrue(v)]).toEqual([v, true])
    for (const v of [undefined, '', 'false', '0', 'yes', 'on', 'tRUE'])
      expect([v, isTrue(v)]).toEqual([v, false])
  })
})

describe('envInteger', () => {
  it('reads a whole number as strconv.Atoi does, with a sign, else undefined', () => {
    expect(['5', '+5', '-1', ' 30 ', '0'].map(envInteger)).toEqual([5, 5, -1, 30, 0])
    expect([undefined, '', '1.5', '5x', 'ten'].map(envInteger)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined
    ])
  })
})
