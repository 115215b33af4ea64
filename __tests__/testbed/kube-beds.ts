/**
 * The set-up the kube-* test files share: one TLS identity per file, emulators (raw HTTPS or a
 * real kubectl in front) that are all closed after the file, a scratch folder, and the versioned
 * kubectl binaries with a `describe` that skips, saying why, when one is missing.
 */
import { afterAll, beforeAll, describe } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { KubeEmulator, KubeEmulatorOptions, KubeObject } from '../../testbed/k8s/emulator.js'
import {
  startApiBed,
  startKubectlBed,
  versionedKubectl,
  type ApiBed,
  type KubectlBed
} from '../../testbed/k8s/harness.js'
import { generateTls, type TlsMaterial } from '../../testbed/tls.js'

/** The token the kubectl beds accept: the shape of an EKS token. */
export const KUBECTL_TOKEN = 'k8s-aws-v1.testbed-token'

export interface KubeBeds {
  /** A folder for files the tests write, removed after the file. */
  scratch: string
  tls(): TlsMaterial
  /** An emulator (Kubernetes 1.31) accepting the token 'good', called over raw HTTPS. */
  api(options?: Partial<KubeEmulatorOptions>): Promise<ApiBed>
  /**
   * An emulator of the binary's version and a kubectl session for it, accepting KUBECTL_TOKEN;
   * the session uses `sessionToken` instead when given (null: no credentials).
   */
  kubectl(
    binary: string,
    options?: Partial<KubeEmulatorOptions>,
    sessionToken?: string | null
  ): Promise<KubectlBed>
}

/** Registers the file's beforeAll/afterAll; call it at the top level of a test file. */
export function useKubeBeds(scratchPrefix = 'kube-test-'): KubeBeds {
  const scratch = mkdtempSync(join(tmpdir(), scratchPrefix))
  const open: { close(): Promise<void> }[] = []
  let tls: TlsMaterial | undefined
  beforeAll(() => {
    tls = generateTls()
  })
  afterAll(async () => {
    await Promise.all(open.map((b) => b.close()))
    rmSync(scratch, { recursive: true, force: true })
  })
  const material = (): TlsMaterial => {
    if (!tls) throw new Error('useKubeBeds: the TLS material exists from beforeAll on')
    return tls
  }
  const track = <B extends { close(): Promise<void> }>(bed: B): B => {
    open.push(bed)
    return bed
  }
  return {
    scratch,
    tls: material,
    api: async (options = {}) => track(await startApiBed({ tls: material(), options })),
    kubectl: async (binary, options = {}, sessionToken) =>
      track(
        await startKubectlBed({
          binary,
          tls: material(),
          token: KUBECTL_TOKEN,
          sessionToken,
          options
        })
      )
  }
}

/**
 * The kubectl binaries of these versions, and `describe` when `required` are all installed, else
 * `describe.skip` with a warning naming the missing ones.
 */
export function kubectlBinaries(
  versions: string[],
  required: string[] = versions
): { binaries: Record<string, string>; describeKubectl: typeof describe } {
  const binaries: Record<string, string> = {}
  for (const v of versions) {
    const p = versionedKubectl(v)
    if (p) binaries[v] = p
  }
  const missing = required.filter((v) => binaries[v] === undefined)
  if (missing.length === 0) return { binaries, describeKubectl: describe }
  console.warn(
    `${missing.map((v) => `kubectl.${v}`).join(', ')} not found: skipping the real-kubectl tests`
  )
  return { binaries, describeKubectl: describe.skip as unknown as typeof describe }
}

/**
 * Polls `done` every `everyMs` until it holds or `tries` polls have passed; the caller then
 * asserts the outcome, so a slow machine only makes the wait longer, never the test wrong.
 */
export async function until(
  done: () => boolean | Promise<boolean>,
  tries = 1000,
  everyMs = 10
): Promise<void> {
  for (let i = 0; i < tries && !(await done()); i++)
    await new Promise((r) => setTimeout(r, everyMs))
}

/** The live aws-node DaemonSet. */
export function awsNode(emu: KubeEmulator): KubeObject | undefined {
  return emu.get('apps/v1', 'DaemonSet', 'aws-node', 'kube-system')
}

export type Container = { name: string; image: string; env?: { name: string; value?: string }[] }
export function containers(ds: KubeObject | undefined): Container[] {
  const spec = ds?.spec as { template: { spec: { containers: Container[] } } } | undefined
  return spec?.template.spec.containers ?? []
}

/** Runs one flow per kubectl version at once: tests in a file run one after another. */
export async function eachVersion(
  versions: string[],
  flow: (version: string) => Promise<void>
): Promise<void> {
  await Promise.all(versions.map(flow))
}
