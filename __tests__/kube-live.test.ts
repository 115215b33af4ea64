import { describe, expect, it } from '@jest/globals'
import type { KubernetesObject } from '../src/kube/client.js'
import { STANDARD_REFS, completeLiveState, readLiveState } from '../src/kube/live.js'
import { fakeKube } from './setup/kube.js'

const awsNode = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'aws-node', namespace: 'kube-system', resourceVersion: '42', generation: 3 },
  spec: {
    template: {
      spec: {
        containers: [
          {
            name: 'aws-node',
            image: '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.6-eksbuild.1'
          }
        ]
      }
    }
  }
} as KubernetesObject

/** A cluster with aws-node and one ENIConfig. */
const clusterWithAwsNode = () =>
  fakeKube({
    read: async (ref) => (ref.kind === 'DaemonSet' ? awsNode : undefined),
    list: async () => [
      {
        apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
        kind: 'ENIConfig',
        metadata: { name: 'us-west-2a', resourceVersion: '7' }
      }
    ]
  })

describe('readLiveState', () => {
  it('reads the standard objects and lists ENIConfigs in one batch', async () => {
    const kube = clusterWithAwsNode()
    const live = await readLiveState(kube, STANDARD_REFS)
    expect(kube.read).toHaveBeenCalledTimes(STANDARD_REFS.length)
    expect(live.runningCniVersion).toBe('v1.19.6')
    expect(live.versions.get('DaemonSet/kube-system/aws-node')).toEqual({
      resourceVersion: '42',
      generation: 3
    })
    expect(live.versions.get('ServiceAccount/kube-system/aws-node')).toBeUndefined()
    expect(live.versions.has('ServiceAccount/kube-system/aws-node')).toBe(true)
    expect(live.versions.get('ENIConfig/us-west-2a')).toEqual({
      resourceVersion: '7',
      generation: undefined
    })
  })

  it('lists the nodes in the same batch, and survives a node list that fails', async () => {
    const kube = clusterWithAwsNode()
    const live = await readLiveState(kube, STANDARD_REFS)
    expect(kube.list).toHaveBeenCalledWith('v1', 'Node')
    expect(live.nodes).toHaveLength(1)
    expect(live.objects.get('DaemonSet/kube-system/aws-node')?.metadata?.resourceVersion).toBe('42')
    const failing = clusterWithAwsNode()
    failing.list.mockImplementation(async (_v, kind) => {
      if (kind === 'Node') throw new Error('forbidden')
      return []
    })
    const seen: unknown[] = []
    const partial = await readLiveState(failing, STANDARD_REFS, (e) => seen.push(e))
    expect(partial.nodes).toBeUndefined()
    expect(seen).toHaveLength(1)
  })

  it('reads only what a manifest adds to the standard set', async () => {
    const kube = clusterWithAwsNode()
    const live = await readLiveState(kube, STANDARD_REFS)
    kube.read.mockClear()
    await completeLiveState(kube, live, [
      awsNode,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra', namespace: 'kube-system' } }
    ])
    expect(kube.read).toHaveBeenCalledTimes(1)
    expect(live.versions.has('ConfigMap/kube-system/extra')).toBe(true)
  })
})
