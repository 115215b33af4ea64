import { describe, expect, it } from '@jest/globals'
import { anyChange, applyEniConfigs, applyManifest, changeOf, isCrd } from '../src/kube/apply.js'
import type { KubernetesObject } from '../src/kube/client.js'
import type { LiveState } from '../src/kube/live.js'
import { fakeKube } from './setup/kube.js'

const obj = (
  kind: string,
  name: string,
  rv: string,
  ns?: string,
  apiVersion = 'v1'
): KubernetesObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: ns, resourceVersion: rv }
})

/** A client whose apply answers each object with the resourceVersion `answers` gives its name. */
function applyAnswering(answers: Record<string, string>) {
  const applied: string[] = []
  const kube = fakeKube({
    apply: async (o) => {
      applied.push(o.metadata?.name ?? '')
      return { ...o, metadata: { ...o.metadata, resourceVersion: answers[o.metadata?.name ?? ''] } }
    }
  })
  return { kube, applied }
}

const live = (versions: [string, string | undefined][]): LiveState => ({
  versions: new Map(
    versions.map(([k, rv]) => [k, rv === undefined ? undefined : { resourceVersion: rv }])
  ),
  eniConfigs: [],
  objects: new Map()
})

describe('changeOf', () => {
  it.each([
    [undefined, '5', 'created'],
    [{ resourceVersion: '5' }, '5', 'unchanged'],
    [{ resourceVersion: '5' }, '6', 'configured']
  ] as const)('before %j, after rv %s → %s', (before, after, change) => {
    expect(changeOf(before, obj('ServiceAccount', 'x', after))).toBe(change)
  })
})

describe('applyManifest', () => {
  it('applies every object, teaches the client the CRDs and reports each change in manifest order', async () => {
    const crd = obj(
      'CustomResourceDefinition',
      'eniconfigs.crd.k8s.amazonaws.com',
      '',
      undefined,
      'apiextensions.k8s.io/v1'
    )
    const sa = obj('ServiceAccount', 'aws-node', '', 'kube-system')
    const ds = obj('DaemonSet', 'aws-node', '', 'kube-system', 'apps/v1')
    const { kube } = applyAnswering({ 'eniconfigs.crd.k8s.amazonaws.com': '10', 'aws-node': '7' })
    const state = live([
      ['CustomResourceDefinition/eniconfigs.crd.k8s.amazonaws.com', '10'],
      ['ServiceAccount/kube-system/aws-node', '7'],
      ['DaemonSet/kube-system/aws-node', undefined]
    ])
    const result = await applyManifest(kube, [crd, sa, ds], state)
    expect(kube.learnCrds).toHaveBeenCalledWith([crd])
    expect(result.map((r) => `${r.key} ${r.change}`)).toEqual([
      'CustomResourceDefinition/eniconfigs.crd.k8s.amazonaws.com unchanged',
      'ServiceAccount/kube-system/aws-node unchanged',
      'DaemonSet/kube-system/aws-node created'
    ])
    expect(anyChange(result)).toBe(true)
    expect(anyChange(result.slice(0, 2))).toBe(false)
  })

  it('passes dry-run through to every apply', async () => {
    const { kube } = applyAnswering({ a: '1' })
    await applyEniConfigs(kube, [obj('ENIConfig', 'a', '')], live([]), { dryRun: true })
    expect(kube.apply.mock.calls[0][1]).toEqual({ dryRun: true })
  })
})

describe('isCrd', () => {
  it('tells CRDs from custom resources', () => {
    expect(
      isCrd(obj('CustomResourceDefinition', 'x', '', undefined, 'apiextensions.k8s.io/v1'))
    ).toBe(true)
    expect(isCrd(obj('ENIConfig', 'x', '', undefined, 'crd.k8s.amazonaws.com/v1alpha1'))).toBe(
      false
    )
  })
})
