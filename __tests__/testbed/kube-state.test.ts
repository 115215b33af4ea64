/**
 * The Kubernetes API emulator's state: the seeded EKS cluster, dry runs and no-op writes, and
 * watches replaying the event log.
 */
import { fixturePath } from '../../testbed/fixtures.js'
import type { KubeObject } from '../../testbed/k8s/emulator.js'
import { useKubeBeds } from './kube-beds.js'

const MANIFEST = fixturePath('aws-k8s-cni-v1.19.6.yaml')
const DS_PATH = '/apis/apps/v1/namespaces/kube-system/daemonsets'

const beds = useKubeBeds()

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('Kubernetes API emulator: state', () => {
  it('seeds a fresh EKS cluster with the CNI preinstalled by Helm (field manager helm)', async () => {
    const { emu, call } = await beds.api({ preinstallManifest: MANIFEST, nodes: 4 })
    const nodes = emu.list('v1', 'Node')
    expect(nodes).toHaveLength(4)
    expect(nodes.map((n) => n.metadata.labels?.['topology.kubernetes.io/zone']).sort()).toEqual([
      'ap-northeast-2a',
      'ap-northeast-2a',
      'ap-northeast-2b',
      'ap-northeast-2c'
    ])
    for (const n of nodes) {
      expect(n.metadata.name).toMatch(/^ip-10-0-\d+-\d+\.ap-northeast-2\.compute\.internal$/)
      expect((n.spec as { providerID: string }).providerID).toMatch(
        /^aws:\/\/\/ap-northeast-2[abc]\/i-[0-9a-f]{17}$/
      )
      expect(n.metadata.labels).toMatchObject({
        'eks.amazonaws.com/nodegroup': 'system',
        'node.kubernetes.io/instance-type': 'm5.large'
      })
    }
    expect(emu.list('v1', 'Namespace').map((n) => n.metadata.name)).toEqual([
      'default',
      'kube-node-lease',
      'kube-public',
      'kube-system'
    ])
    const ds = emu.get('apps/v1', 'DaemonSet', 'aws-node', 'kube-system') as KubeObject
    expect(JSON.stringify(ds.spec)).toContain('amazon-k8s-cni:v1.19.6-eksbuild.1')
    expect(ds.metadata.generation).toBe(1)
    expect(ds.status).toMatchObject({
      observedGeneration: 1,
      desiredNumberScheduled: 4,
      updatedNumberScheduled: 4,
      numberAvailable: 4
    })
    // A server-side apply by another manager that changes the image conflicts with "helm".
    const image = { name: 'aws-node', image: 'example/cni:v0' }
    const conflict = await call('PATCH', `${DS_PATH}/aws-node?fieldManager=other`, {
      body: {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'aws-node', namespace: 'kube-system' },
        spec: { template: { spec: { containers: [image] } } }
      },
      contentType: 'application/apply-patch+yaml'
    })
    expect(conflict.status).toBe(409)
    expect(conflict.json.message).toContain('conflict with "helm" using apps/v1')
    expect(emu.list('crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig')).toEqual([])
    expect(
      emu.get(
        'apiextensions.k8s.io/v1',
        'CustomResourceDefinition',
        'eniconfigs.crd.k8s.amazonaws.com'
      )?.status
    ).toMatchObject({
      conditions: [{ type: 'NamesAccepted' }, { type: 'Established', status: 'True' }]
    })
  })

  it('stores nothing on dryRun=All and nothing on a no-op apply', async () => {
    const { emu, call } = await beds.api({ preinstallManifest: MANIFEST })
    const before = emu.get('apps/v1', 'DaemonSet', 'aws-node', 'kube-system') as KubeObject
    const dry = await call('PATCH', `${DS_PATH}/aws-node?dryRun=All`, {
      body: { spec: { minReadySeconds: 5 } },
      contentType: 'application/merge-patch+json'
    })
    expect(dry.status).toBe(200)
    expect((dry.json.metadata as { generation: number }).generation).toBe(2)
    const created = await call('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: '1' } }
    })
    expect(created.status).toBe(201)
    expect(emu.get('v1', 'ConfigMap', 'x', 'default')).toBeUndefined()
    const deleted = await call('DELETE', `${DS_PATH}/aws-node?dryRun=All`)
    expect(deleted.status).toBe(200)
    expect(emu.get('apps/v1', 'DaemonSet', 'aws-node', 'kube-system')).toEqual(before)
    const same = await call('PATCH', `${DS_PATH}/aws-node`, {
      body: { metadata: { labels: { 'k8s-app': 'aws-node' } } },
      contentType: 'application/strategic-merge-patch+json'
    })
    expect(same.status).toBe(200)
    expect(emu.get('apps/v1', 'DaemonSet', 'aws-node', 'kube-system')).toEqual(before)
  })

  it('replays watch events after a resourceVersion and answers 410 for a too old one', async () => {
    const { emu, call } = await beds.api({
      preinstallManifest: MANIFEST,
      rollout: { mode: 'staged', stepMs: 20 },
      watchWindow: 50
    })
    const list = await call('GET', `${DS_PATH}?fieldSelector=metadata.name%3Daws-node`)
    const rv = (list.json.metadata as { resourceVersion: string }).resourceVersion
    await call('PATCH', `${DS_PATH}/aws-node`, {
      body: { spec: { template: { metadata: { labels: { bump: '1' } } } } },
      contentType: 'application/merge-patch+json'
    })
    const done = (): boolean => {
      const ds = emu.get('apps/v1', 'DaemonSet', 'aws-node', 'kube-system')
      return (
        (ds?.status as { numberAvailable?: number } | undefined)?.numberAvailable === 3 &&
        ds?.metadata.generation === 2
      )
    }
    for (let i = 0; i < 200 && !done(); i++) await sleep(25)
    const watch = await call('GET', `${DS_PATH}?watch=true&resourceVersion=${rv}&timeoutSeconds=1`)
    const events = watch.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; object: KubeObject })
    expect(events.every((e) => e.type === 'MODIFIED')).toBe(true)
    expect(events.length).toBeGreaterThanOrEqual(4)
    const last = events[events.length - 1].object
    expect(last.metadata.generation).toBe(2)
    expect(last.status).toMatchObject({
      observedGeneration: 2,
      updatedNumberScheduled: 3,
      numberAvailable: 3
    })
    // Fill the event log past its window so rv 1 is gone.
    for (let i = 0; i < 60; i++) {
      await call('PATCH', '/api/v1/namespaces/default', {
        body: { metadata: { labels: { n: String(i) } } },
        contentType: 'application/merge-patch+json'
      })
    }
    const gone = await call('GET', `${DS_PATH}?watch=true&resourceVersion=1`)
    expect(JSON.parse(gone.text.trim())).toMatchObject({
      type: 'ERROR',
      object: { code: 410, reason: 'Expired' }
    })
  })

  it('writes status only through /status, and deletes collections by selector', async () => {
    const { emu, call } = await beds.api({ preinstallManifest: MANIFEST })
    const live = emu.get('apps/v1', 'DaemonSet', 'aws-node', 'kube-system') as KubeObject
    const put = await call('PUT', `${DS_PATH}/aws-node`, {
      body: { ...live, status: { numberReady: 0 } }
    })
    expect(put.status).toBe(200)
    expect(put.json.status).toEqual(live.status)
    const patched = await call('PATCH', `${DS_PATH}/aws-node/status`, {
      body: { status: { numberReady: 1 }, spec: { minReadySeconds: 9 } },
      contentType: 'application/merge-patch+json'
    })
    expect(patched.status).toBe(200)
    expect(patched.json.status).toMatchObject({ numberReady: 1 })
    expect(patched.json.spec).toEqual(live.spec)
    expect((patched.json.metadata as { generation: number }).generation).toBe(1)

    for (const name of ['a', 'b', 'c']) {
      const cm = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, labels: { x: name === 'c' ? 'no' : 'yes' } }
      }
      expect(
        (await call('POST', '/api/v1/namespaces/default/configmaps', { body: cm })).status
      ).toBe(201)
    }
    const gone = await call('DELETE', '/api/v1/namespaces/default/configmaps?labelSelector=x%3Dyes')
    expect((gone.json.items as KubeObject[]).map((o) => o.metadata.name)).toEqual(['a', 'b'])
    expect(emu.list('v1', 'ConfigMap', 'default').map((o) => o.metadata.name)).toEqual(['c'])
  })

  it('keeps one aws-node pod per node in step with a (stuck) rollout', async () => {
    const { emu, call } = await beds.api({
      preinstallManifest: MANIFEST,
      rollout: { mode: 'stuck' }
    })
    const pods = async (): Promise<KubeObject[]> =>
      (await call('GET', '/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Daws-node'))
        .json.items as KubeObject[]
    const generations = async (): Promise<string[]> =>
      (await pods()).map((p) => p.metadata.labels?.['pod-template-generation'] ?? '').sort()
    for (let i = 0; i < 200 && (await pods()).length < 3; i++) await sleep(10)
    expect(await generations()).toEqual(['1', '1', '1'])
    const nodes = emu.list('v1', 'Node').map((n) => n.metadata.name)
    expect((await pods()).map((p) => (p.spec as { nodeName: string }).nodeName).sort()).toEqual(
      nodes
    )

    await call('PATCH', `${DS_PATH}/aws-node`, {
      body: { spec: { template: { metadata: { labels: { bump: '1' } } } } },
      contentType: 'application/merge-patch+json'
    })
    for (let i = 0; i < 200 && !(await generations()).includes('2'); i++) await sleep(10)
    await sleep(50)
    expect(await generations()).toEqual(['1', '1', '2'])
    const ds = emu.get('apps/v1', 'DaemonSet', 'aws-node', 'kube-system')
    expect(ds?.status).toMatchObject({ observedGeneration: 2, updatedNumberScheduled: 1 })

    await call('DELETE', `${DS_PATH}/aws-node`)
    expect(await pods()).toEqual([])
  })
})
