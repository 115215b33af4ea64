/**
 * Shared pieces of the integration tests: the origin scenario's inputs, the origin's expected
 * aws-node settings, secret scanning of a run's log, and the post step run on its own.
 */
import { expect } from '@jest/globals'
import { spawn } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import * as yaml from 'js-yaml'
import type { Testbed } from '../../testbed/index.js'
import { fixturesDir } from '../../testbed/mirror.js'
import {
  nodeForRuntime,
  readActionYaml,
  runAction,
  type RunActionResult
} from '../../testbed/runner.js'

export { ORIGIN_NODE_ENV as ORIGIN_ENV, ORIGIN_INIT_ENV } from '../../testbed/origin.js'

/** The origin scenario's inputs against a test bed, with overrides. */
export function originInputs(
  bed: Testbed,
  overrides: Record<string, string> = {}
): Record<string, string> {
  return {
    'cluster-name': bed.clusterName,
    'role-to-assume': bed.roleArn,
    subnets: bed.podSubnets.map((s) => s.id).join(','),
    'manifest-base-url': bed.env.TESTBED_MANIFEST_BASE_URL,
    'kubectl-mirror': bed.env.TESTBED_KUBECTL_MIRROR,
    ...overrides
  }
}

type EnvVar = { name: string; value?: string; valueFrom?: unknown }
type Container = { name: string; env?: EnvVar[]; image?: string }
type DaemonSetLike = {
  metadata?: { generation?: number; resourceVersion?: string }
  spec: { template: { spec: { containers: Container[]; initContainers?: Container[] } } }
}

/** name → value (or '<valueFrom>') of a container's env. */
export function envMap(container: Container | undefined): Record<string, string> {
  return Object.fromEntries(
    (container?.env ?? []).map((e) => [e.name, e.valueFrom ? '<valueFrom>' : (e.value ?? '')])
  )
}

/** The aws-node DaemonSet of a fixture manifest, as published. */
export function fixtureAwsNode(version: string): DaemonSetLike {
  const docs = yaml.loadAll(
    readFileSync(join(fixturesDir(), `aws-k8s-cni-${version}.yaml`), 'utf8')
  ) as { kind?: string; metadata?: { name?: string } }[]
  return docs.find(
    (d) => d?.kind === 'DaemonSet' && d.metadata?.name === 'aws-node'
  ) as DaemonSetLike
}

/** Container env of a DaemonSet by container name. */
export function containerEnvs(ds: DaemonSetLike): {
  env: Record<string, string>
  initEnv: Record<string, string>
  images: string[]
} {
  const spec = ds.spec.template.spec
  return {
    env: envMap(spec.containers.find((c) => c.name === 'aws-node')),
    initEnv: envMap(spec.initContainers?.find((c) => c.name === 'aws-vpc-cni-init')),
    images: [...(spec.initContainers ?? []), ...spec.containers].map((c) => c.image ?? '')
  }
}

/** The live aws-node DaemonSet from the test bed. */
export function liveAwsNode(bed: Testbed): DaemonSetLike {
  return bed.kube.get('apps/v1', 'DaemonSet', 'aws-node', 'kube-system') as unknown as DaemonSetLike
}

/**
 * No secret in the log: every masked value (AWS keys, session token, EKS token, OIDC JWT) appears
 * only on its own ::add-mask:: line, and nothing that looks like one appears anywhere else.
 */
export function expectNoSecretsInLog(run: RunActionResult): void {
  const lines = run.log.split('\n').filter((l) => !l.startsWith('::add-mask::'))
  const rest = lines.join('\n')
  for (const secret of run.masks.filter((m) => m.length >= 8)) {
    expect(rest.includes(secret) ? `leaked: ${secret.slice(0, 12)}…` : 'clean').toBe('clean')
  }
  expect(rest).not.toMatch(/k8s-aws-v1\./)
  expect(rest).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/)
  expect(rest).not.toMatch(/aws_secret_access_key|AWS_SECRET_ACCESS_KEY=|X-Amz-Signature=/)
}

/** The masks an OIDC run must have registered: the JWT, three STS values and an EKS token. */
export function expectSecretsMasked(run: RunActionResult): void {
  expect(run.masks.some((m) => m.startsWith('k8s-aws-v1.'))).toBe(true)
  expect(run.masks.some((m) => /^eyJ/.test(m))).toBe(true)
  expect(run.masks.length).toBeGreaterThanOrEqual(5)
}

/** The ::error:: annotations of a run, one string. */
export function errors(run: RunActionResult): string {
  return run.annotations
    .filter((a) => a.level === 'error')
    .map((a) => a.message)
    .join('\n')
}

/** Requests of the test bed since `seq` that change the cluster. */
export function kubeWrites(bed: Testbed, seq: number) {
  return bed.log.since(seq).filter((e) => e.service === 'kube' && e.method !== 'GET')
}

/** Files left in a folder (recursively), relative. */
export function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true }).map(String)
  } catch {
    return []
  }
}

/** Runs dist/post/index.js alone with main's state, as the runner would at the end of the job. */
export function runPostStep(
  run: RunActionResult,
  env: Record<string, string>
): Promise<number | null> {
  const action = readActionYaml()
  const node = nodeForRuntime(action.runs.using)
  const stateEnv = Object.fromEntries(Object.entries(run.state).map(([k, v]) => [`STATE_${k}`, v]))
  const script = resolve(action.runs.post ?? '')
  return new Promise((done, reject) => {
    const child = spawn(node, [script], {
      env: { PATH: process.env.PATH ?? '', ...env, ...stateEnv },
      stdio: 'ignore'
    })
    child.on('error', reject)
    child.on('close', (code) => done(code))
  })
}

export { runAction }
