/**
 * What a run reports and refuses, through the harness on dist/, on one test bed that starts as EKS
 * preinstalls the CNI (Helm, v1.19.6, three nodes): a manifest with an extra object is refused
 * before any write; nodes-to-recycle follows the cluster's state across a log-level change, custom
 * networking turned on, replaced nodes and a rerun after a failed run; a dry run agrees with the
 * real run that follows, removal included; a field of the EKS add-on stops the run before any
 * write. The order matters: each test starts from the cluster the previous one left.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestbed, type Testbed } from '../../testbed/index.js'
import { fixturesDir } from '../../testbed/mirror.js'
import {
  containerEnvs,
  errors,
  kubeWrites,
  liveAwsNode,
  originInputs,
  runAction
} from './helpers.js'

let bed: Testbed
let scratch: string

beforeAll(async () => {
  bed = await startTestbed()
  scratch = mkdtempSync(join(tmpdir(), 'safe-report-'))
}, 120_000)
afterAll(async () => {
  await bed?.stop()
  if (scratch) rmSync(scratch, { recursive: true, force: true })
})

type Run = Awaited<ReturnType<typeof runAction>>

/** Runs the action with the origin inputs, v1.19.6 and no kubectl, plus `overrides`. */
async function run(overrides: Record<string, string> = {}): Promise<Run> {
  return runAction({
    env: bed.env,
    inputs: originInputs(bed, {
      'cni-version': 'v1.19.6',
      'install-kubectl': 'false',
      ...overrides
    })
  })
}

const recycled = (r: Run) =>
  (JSON.parse(r.outputs['nodes-to-recycle'] ?? 'null') as { name: string }[]).map((n) => n.name)
const nodeNames = () =>
  bed.kube
    .list('v1', 'Node')
    .map((n) => n.metadata.name)
    .sort()
const awsNodeEnv = () => containerEnvs(liveAwsNode(bed)).env
/** Timestamps have one-second resolution: keep "before" and "after" in different seconds. */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1100))

async function kubectl(args: string[], stdin?: string): Promise<string> {
  const r = await bed.kubectl(args, stdin === undefined ? {} : { stdin })
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

/** Deletes every node and creates it again, as a node group's rolling update would. */
async function replaceNodes(): Promise<void> {
  for (const name of nodeNames()) {
    const node = JSON.parse(await kubectl(['get', 'node', name, '-o', 'json'])) as {
      metadata: Record<string, unknown>
      status?: unknown
    }
    for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields']) {
      delete node.metadata[k]
    }
    delete node.status
    await kubectl(['delete', 'node', name])
    await kubectl(['create', '-f', '-'], JSON.stringify(node))
  }
}

describe('manifest trust', () => {
  it('refuses a manifest with an extra ClusterRoleBinding, and writes nothing', async () => {
    const path = join(scratch, 'cni-extra.yaml')
    writeFileSync(
      path,
      readFileSync(join(fixturesDir(), 'aws-k8s-cni-v1.19.6.yaml'), 'utf8') +
        [
          '',
          '---',
          'apiVersion: rbac.authorization.k8s.io/v1',
          'kind: ClusterRoleBinding',
          'metadata:',
          '  name: aws-node-admin',
          'roleRef:',
          '  apiGroup: rbac.authorization.k8s.io',
          '  kind: ClusterRole',
          '  name: cluster-admin',
          'subjects:',
          '- kind: ServiceAccount',
          '  name: aws-node',
          '  namespace: kube-system',
          ''
        ].join('\n')
    )
    const seq = bed.log.lastSeq
    const r = await run({ 'cni-version': '', manifest: path })
    try {
      expect(r.main.exitCode).toBe(1)
      expect(errors(r)).toContain(
        'holds 1 object(s) that no official VPC CNI manifest has: ClusterRoleBinding aws-node-admin'
      )
      expect(kubeWrites(bed, seq)).toEqual([])
      expect(
        bed.kube
          .list('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding')
          .map((b) => b.metadata.name)
      ).not.toContain('aws-node-admin')
    } finally {
      r.cleanup()
    }
  })
})

describe('nodes-to-recycle from the cluster state', () => {
  it('is [] after a change that needs no new nodes (log level, custom networking off)', async () => {
    const r = await run({
      'custom-network-cfg': 'false',
      'enable-prefix-delegation': 'false',
      env: 'AWS_VPC_K8S_CNI_LOGLEVEL=INFO'
    })
    try {
      expect(errors(r)).toBe('')
      expect(r.outputs.changed).toBe('true')
      expect(awsNodeEnv().AWS_VPC_K8S_CNI_LOGLEVEL).toBe('INFO')
      expect(recycled(r)).toEqual([])
    } finally {
      r.cleanup()
    }
  })

  it('lists every older node after custom networking is turned on', async () => {
    const r = await run({ env: 'AWS_VPC_K8S_CNI_LOGLEVEL=INFO' })
    try {
      expect(errors(r)).toBe('')
      expect(awsNodeEnv().AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG).toBe('true')
      expect(recycled(r)).toEqual(nodeNames())
      expect(recycled(r)).toHaveLength(3)
    } finally {
      r.cleanup()
    }
  })

  it('is [] after a log-level change once the nodes were replaced', async () => {
    await nextSecond()
    await replaceNodes()
    await nextSecond()
    const r = await run({ env: 'AWS_VPC_K8S_CNI_LOGLEVEL=DEBUG' })
    try {
      expect(errors(r)).toBe('')
      expect(r.outputs.changed).toBe('true')
      expect(awsNodeEnv().AWS_VPC_K8S_CNI_LOGLEVEL).toBe('DEBUG')
      expect(recycled(r)).toEqual([])
    } finally {
      r.cleanup()
    }
  })

  it('lists the nodes again on a rerun after a run that changed prefix delegation and failed', async () => {
    const inputs = { env: 'AWS_VPC_K8S_CNI_LOGLEVEL=DEBUG', 'enable-prefix-delegation': 'false' }
    bed.kube.setRollout('stuck')
    let failed: Run | undefined
    try {
      failed = await run({ ...inputs, 'timeout-seconds': '5' })
      expect(failed.main.exitCode).toBe(1)
      expect(errors(failed)).toMatch(/roll out/)
      // The write landed before the rollout wait gave up.
      expect(awsNodeEnv().ENABLE_PREFIX_DELEGATION).toBe('false')
    } finally {
      failed?.cleanup()
      bed.kube.setRollout('instant')
    }
    const r = await run(inputs)
    try {
      expect(errors(r)).toBe('')
      expect(r.outputs.changed).toBe('false')
      expect(recycled(r)).toEqual(nodeNames())
      expect(recycled(r)).toHaveLength(3)
    } finally {
      r.cleanup()
    }
  })
})

describe('dry run and the real run that follows', () => {
  it('agree on changed, including a removal (warm-ip-target: empty)', async () => {
    const inputs = {
      env: 'AWS_VPC_K8S_CNI_LOGLEVEL=DEBUG',
      'enable-prefix-delegation': 'false',
      'warm-ip-target': ''
    }
    expect(awsNodeEnv().WARM_IP_TARGET).toBe('1')
    const dry = await run({ ...inputs, 'dry-run': 'true' })
    const real = await run(inputs)
    try {
      expect(errors(dry)).toBe('')
      expect(dry.outputs.changed).toBe('true')
      expect(dry.summary).toContain('| `env WARM_IP_TARGET` | `1` | *removed* |')
      expect(dry.log).toMatch(/DaemonSet\/kube-system\/aws-node configured/)
      expect(errors(real)).toBe('')
      expect(real.outputs.changed).toBe(dry.outputs.changed)
      expect(awsNodeEnv()).not.toHaveProperty('WARM_IP_TARGET')
    } finally {
      dry.cleanup()
      real.cleanup()
    }
    const dryAgain = await run({ ...inputs, 'dry-run': 'true' })
    const realAgain = await run(inputs)
    try {
      expect(dryAgain.outputs.changed).toBe('false')
      expect(dryAgain.log).toMatch(/DaemonSet\/kube-system\/aws-node unchanged/)
      expect(realAgain.outputs.changed).toBe('false')
    } finally {
      dryAgain.cleanup()
      realAgain.cleanup()
    }
  })
})

describe('field ownership', () => {
  it('stops before any write when manager eks owns a field the run would change', async () => {
    // The EKS add-on's manager co-owns the log level (same value: no conflict for kubectl).
    await kubectl(
      ['apply', '--server-side', '--field-manager=eks', '-f', '-'],
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'aws-node', namespace: 'kube-system' },
        spec: {
          template: {
            spec: {
              containers: [
                { name: 'aws-node', env: [{ name: 'AWS_VPC_K8S_CNI_LOGLEVEL', value: 'DEBUG' }] }
              ]
            }
          }
        }
      })
    )
    const seq = bed.log.lastSeq
    const r = await run({
      env: 'AWS_VPC_K8S_CNI_LOGLEVEL=INFO',
      'enable-prefix-delegation': 'false'
    })
    try {
      expect(r.main.exitCode).toBe(1)
      // No add-on answers DescribeAddon, yet `eks` owns fields: an add-on deleted with --preserve.
      expect(errors(r)).toContain(
        "field manager 'eks' still owns fields of DaemonSet kube-system/aws-node"
      )
      expect(errors(r)).toContain('take-over-addon-fields')
      expect(kubeWrites(bed, seq)).toEqual([])
      expect(awsNodeEnv().AWS_VPC_K8S_CNI_LOGLEVEL).toBe('DEBUG')
    } finally {
      r.cleanup()
    }
  })
})
