import { describe, expect, it } from '@jest/globals'
import type { KubernetesObject } from '../src/kube/client.js'
import {
  isEstablished,
  isRolledOut,
  waitForCrdsEstablished,
  waitForRollout
} from '../src/kube/wait.js'
import { fakeClock, fakeKube } from './setup/kube.js'

const crd = (established: boolean): KubernetesObject =>
  ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'eniconfigs.crd.k8s.amazonaws.com' },
    status: { conditions: established ? [{ type: 'Established', status: 'True' }] : [] }
  }) as KubernetesObject

const ds = (
  generation: number,
  observed: number,
  updated: number,
  available: number
): KubernetesObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'aws-node', namespace: 'kube-system', generation },
    spec: { selector: { matchLabels: { 'k8s-app': 'aws-node' } } },
    status: {
      observedGeneration: observed,
      desiredNumberScheduled: 3,
      updatedNumberScheduled: updated,
      numberAvailable: available
    }
  }) as KubernetesObject

/** A client whose reads answer `sequence` in turn (recording when) and whose pod list is `pods`. */
function kubeReading(
  sequence: KubernetesObject[],
  pods: KubernetesObject[] = [],
  now: () => number = Date.now
) {
  const readTimes: number[] = []
  const kube = fakeKube({
    read: async () => {
      readTimes.push(now())
      return sequence.shift()
    },
    list: async () => pods
  })
  return Object.assign(kube, { readTimes })
}

describe('CRD establishment', () => {
  it('needs no request when the apply answer is already Established', async () => {
    const kube = kubeReading([])
    await waitForCrdsEstablished(kube, [crd(true)], {
      deadline: Date.now() + 1000,
      timeoutSeconds: 1
    })
    expect(kube.read).not.toHaveBeenCalled()
  })

  it('polls until Established', async () => {
    const c = fakeClock()
    const kube = kubeReading([crd(false), crd(true)])
    await waitForCrdsEstablished(kube, [crd(false)], {
      deadline: c.now() + 10_000,
      timeoutSeconds: 10,
      ...c
    })
    expect(kube.read).toHaveBeenCalledTimes(2)
    expect(isEstablished(crd(true))).toBe(true)
  })

  it('gives up at the deadline naming the CRD', async () => {
    const c = fakeClock()
    const start = c.now()
    const kube = kubeReading(
      Array.from({ length: 50 }, () => crd(false)),
      [],
      c.now
    )
    await expect(
      waitForCrdsEstablished(kube, [crd(false)], {
        deadline: start + 3000,
        timeoutSeconds: 3,
        ...c
      })
    ).rejects.toThrow(
      'CustomResourceDefinition eniconfigs.crd.k8s.amazonaws.com is not Established after 3.0 s ' +
        '(timeout-seconds: 3)'
    )
    // It waited until the deadline, not one poll interval before it, and read once more there.
    expect(c.now()).toBe(start + 3000)
    expect(kube.readTimes.at(-1)).toBe(start + 3000)
  })

  it('accepts an object that is ready at the read on the deadline', async () => {
    const c = fakeClock()
    const start = c.now()
    // 25 + 100 + 200 + 400 ms of polls, then the last sleep is cut to the 275 ms left.
    const kube = kubeReading([crd(false), crd(false), crd(false), crd(false), crd(true)])
    await waitForCrdsEstablished(kube, [crd(false)], {
      deadline: start + 1000,
      timeoutSeconds: 1,
      ...c
    })
    expect(kube.read).toHaveBeenCalledTimes(5)
    expect(c.now()).toBe(start + 1000)
    expect(c.sleeps).toEqual([25, 100, 200, 400, 275])
  })

  it('never sleeps past the deadline when reads themselves take time', async () => {
    const c = fakeClock()
    const start = c.now()
    const kube = kubeReading(Array.from({ length: 50 }, () => crd(false)))
    // Every read costs 450 ms of the clock.
    const slowRead = kube.read.getMockImplementation()!
    kube.read.mockImplementation(async (...args) => {
      c.advance(450)
      return slowRead(...args)
    })
    await expect(
      waitForCrdsEstablished(kube, [crd(false)], {
        deadline: start + 2000,
        timeoutSeconds: 2,
        ...c
      })
    ).rejects.toThrow(/is not Established after 2\.\d s/)
    for (const [i, ms] of c.sleeps.entries())
      expect(c.sleptAt[i] + ms).toBeLessThanOrEqual(start + 2000)
    expect(c.now()).toBeGreaterThanOrEqual(start + 2000)
  })
})

describe('aws-node rollout', () => {
  it('follows kubectl rollout status: observed generation, updated and available all caught up', () => {
    expect(isRolledOut(ds(2, 2, 3, 3))).toBe(true)
    expect(isRolledOut(ds(2, 1, 3, 3))).toBe(false)
    expect(isRolledOut(ds(2, 2, 2, 3))).toBe(false)
    expect(isRolledOut(ds(2, 2, 3, 2))).toBe(false)
  })

  it('needs no request when the apply answer shows it rolled out', async () => {
    const kube = kubeReading([])
    const s = await waitForRollout(kube, ds(1, 1, 3, 3), {
      deadline: Date.now() + 1000,
      timeoutSeconds: 1
    })
    expect(s).toMatchObject({ desired: 3, updated: 3, available: 3 })
    expect(kube.read).not.toHaveBeenCalled()
  })

  it('reports progress and returns once rolled out', async () => {
    const c = fakeClock()
    const progress: string[] = []
    const kube = kubeReading([ds(2, 2, 1, 2), ds(2, 2, 3, 3)])
    await waitForRollout(kube, ds(2, 1, 0, 3), {
      deadline: c.now() + 60_000,
      timeoutSeconds: 60,
      onProgress: (m) => progress.push(m),
      ...c
    })
    expect(progress).toEqual([
      'DaemonSet/kube-system/aws-node: 0 of 3 pods updated, 3 available',
      'DaemonSet/kube-system/aws-node: 1 of 3 pods updated, 2 available',
      'DaemonSet/kube-system/aws-node: 3 of 3 pods updated, 3 available'
    ])
  })

  it('fails at the deadline with the counts and the nodes still on the old pods', async () => {
    const c = fakeClock()
    const pod = (node: string, gen: string): KubernetesObject =>
      ({
        metadata: { name: `aws-node-${node}`, labels: { 'pod-template-generation': gen } },
        spec: { nodeName: node }
      }) as KubernetesObject
    const start = c.now()
    const kube = kubeReading(
      Array.from({ length: 100 }, () => ds(2, 2, 1, 2)),
      [pod('ip-10-0-1-1', '2'), pod('ip-10-0-2-2', '1'), pod('ip-10-0-3-3', '1')],
      c.now
    )
    await expect(
      waitForRollout(kube, ds(2, 1, 0, 3), { deadline: start + 5000, timeoutSeconds: 5, ...c })
    ).rejects.toThrow(
      'DaemonSet/kube-system/aws-node did not roll out within timeout-seconds (5 s): 1 of 3 pods updated, ' +
        '2 available, observed generation 2 of 2 after waiting 5.0 s. Nodes not yet updated: ' +
        'ip-10-0-2-2, ip-10-0-3-3'
    )
    expect(c.now()).toBe(start + 5000)
    expect(kube.readTimes.at(-1)).toBe(start + 5000)
    expect(kube.list).toHaveBeenCalledWith('v1', 'Pod', 'kube-system', 'k8s-app=aws-node')
  })
})
