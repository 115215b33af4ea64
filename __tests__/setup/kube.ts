/**
 * The shared set-up of the unit tests that drive src/kube/ without a server: a KubeClient whose
 * every call is a jest.fn, and a fake clock for the waits.
 */
import { jest } from '@jest/globals'
import type { KubeClient, KubernetesObject, ObjectRef } from '../../src/kube/client.js'

type Read = (ref: ObjectRef) => Promise<KubernetesObject | undefined>
type List = (
  apiVersion: string,
  kind: string,
  namespace?: string,
  labelSelector?: string
) => Promise<KubernetesObject[]>
type Apply = (
  object: KubernetesObject,
  options?: { dryRun?: boolean; fieldManager?: string }
) => Promise<KubernetesObject>

/** A KubeClient of mocks; the tests read their calls (`kube.read.mock.calls`, …). */
export type FakeKube = KubeClient & {
  read: jest.Mock<Read>
  list: jest.Mock<List>
  apply: jest.Mock<Apply>
  learnCrds: jest.Mock<KubeClient['learnCrds']>
}

/**
 * A KubeClient whose calls answer as given: by default nothing exists (read → undefined, list →
 * []), an apply answers the object it was sent, and any other call fails the test.
 */
export function fakeKube(answers: { read?: Read; list?: List; apply?: Apply } = {}): FakeKube {
  const unexpected = (name: string) =>
    jest.fn(async () => {
      throw new Error(`unexpected KubeClient.${name} call in this test`)
    })
  return {
    read: jest.fn<Read>(answers.read ?? (async () => undefined)),
    list: jest.fn<List>(answers.list ?? (async () => [])),
    apply: jest.fn<Apply>(answers.apply ?? (async (o) => o)),
    jsonPatch: unexpected('jsonPatch'),
    learnCrds: jest.fn<KubeClient['learnCrds']>(),
    close: jest.fn(async () => undefined)
  } as unknown as FakeKube
}

/** A clock that sleeping advances, so waits take no real time; it records each sleep and when. */
export function fakeClock(start = 1_000_000) {
  let t = start
  const sleeps: number[] = []
  const sleptAt: number[] = []
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms)
      sleptAt.push(t)
      t += ms
    },
    advance: (ms: number) => void (t += ms),
    sleeps,
    sleptAt
  }
}
