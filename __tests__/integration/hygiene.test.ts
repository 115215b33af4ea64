/**
 * Credential hygiene and subnets, through the harness on dist/: the kubeconfig is 0600 while it
 * exists and gone after post (also after a killed main); export-kubeconfig hands real kubectl a
 * working kubeconfig until the post step; shuffled subnets and zone=subnet pairs land in the right
 * zones; a stuck rollout fails at timeout-seconds with the counts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run as runCommand, startTestbed, type Testbed } from '../../testbed/index.js'
import {
  errors,
  expectNoSecretsInLog,
  filesIn,
  originInputs,
  runAction,
  runPostStep
} from './helpers.js'

let bed: Testbed

beforeAll(async () => {
  bed = await startTestbed({ rollout: { mode: 'staged', stepMs: 250 } })
}, 120_000)
afterAll(async () => bed?.stop())

const KUBECONFIG_FILE = /^eks-cni-[0-9a-f]+\/eks-cni-kubeconfig-[0-9a-f]+\.yaml$/

function eniSubnets(): Record<string, string> {
  return Object.fromEntries(
    bed.kube
      .list('crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig')
      .map((o) => [o.metadata.name, (o as unknown as { spec: { subnet: string } }).spec.subnet])
  )
}

describe('the kubeconfig', () => {
  it('is 0600 in a 0700 folder while main runs, and gone afterwards', async () => {
    const temp = bed.env.RUNNER_TEMP
    const modes = new Set<string>()
    // Watch RUNNER_TEMP while the staged rollout keeps main busy.
    const watcher = setInterval(() => {
      for (const f of filesIn(temp).filter((f) => KUBECONFIG_FILE.test(f))) {
        try {
          const file = statSync(join(temp, f)).mode & 0o777
          const dir = statSync(join(temp, f.split('/')[0])).mode & 0o777
          modes.add(`${file.toString(8)} in ${dir.toString(8)}`)
        } catch {
          // Removed between listing and stat.
        }
      }
    }, 20)
    const run = await runAction({
      env: bed.env,
      inputs: originInputs(bed, { 'cni-version': 'v1.19.6' })
    })
    clearInterval(watcher)
    try {
      expect(run.main.exitCode).toBe(0)
      expect(run.main.stdout).toMatch(/pods updated/)
      expect([...modes]).toEqual(['600 in 700'])
      expect(filesIn(temp)).toEqual([])
      expectNoSecretsInLog(run)
    } finally {
      run.cleanup()
    }
  })

  it('is removed by the post step after main was killed', async () => {
    bed.kube.setRollout('stuck')
    try {
      const run = await runAction({
        env: bed.env,
        inputs: originInputs(bed, { 'cni-version': 'v1.19.6', 'warm-ip-target': '2' }),
        runPost: false,
        killMainAfterMs: 5000
      })
      try {
        expect(run.main.signal).toBe('SIGKILL')
        const dir = run.state['kubeconfig-dir']
        expect(filesIn(dir).some((f) => /^eks-cni-kubeconfig-/.test(f))).toBe(true)
        expect(await runPostStep(run, bed.env)).toBe(0)
        expect(existsSync(dir)).toBe(false)
        expect(filesIn(bed.env.RUNNER_TEMP)).toEqual([])
      } finally {
        run.cleanup()
      }
    } finally {
      bed.kube.setRollout('instant')
    }
  })

  it('with export-kubeconfig, real kubectl reads the cluster with it until the post step', async () => {
    const run = await runAction({
      env: bed.env,
      inputs: originInputs(bed, { 'cni-version': 'v1.19.6', 'export-kubeconfig': 'true' }),
      runPost: false
    })
    const cache = mkdtempSync(join(tmpdir(), 'kubectl-cache-'))
    try {
      expect(run.main.exitCode).toBe(0)
      const path = run.outputs.kubeconfig
      expect(path).toMatch(/eks-cni-kubeconfig-[0-9a-f]+\.yaml$/)
      expect(run.exportedEnv).toEqual({ KUBECONFIG: path })
      expect(statSync(path).mode & 0o777).toBe(0o600)
      expect(readFileSync(path, 'utf8')).toMatch(/token: k8s-aws-v1\./)
      expect(run.masks).toContain(/token: (k8s-aws-v1\.\S+)/.exec(readFileSync(path, 'utf8'))?.[1])

      const kubectl = await runCommand(
        run.outputs['kubectl-path'],
        ['--kubeconfig', path, 'get', 'eniconfigs', '-o', 'name'],
        { env: { PATH: process.env.PATH ?? '', KUBECACHEDIR: cache, HOME: cache } }
      )
      expect(kubectl.stderr).toBe('')
      expect(kubectl.stdout.trim().split('\n')).toEqual(
        bed.podSubnets.map((s) => `eniconfig.crd.k8s.amazonaws.com/${s.zone}`)
      )

      expect(await runPostStep(run, bed.env)).toBe(0)
      expect(existsSync(path)).toBe(false)
      expect(filesIn(bed.env.RUNNER_TEMP)).toEqual([])
      expectNoSecretsInLog(run)
    } finally {
      rmSync(cache, { recursive: true, force: true })
      run.cleanup()
    }
  })
})

describe('subnets', () => {
  it('land in the right zones in any order', async () => {
    const [a, b, c] = bed.podSubnets
    const run = await runAction({
      env: bed.env,
      inputs: originInputs(bed, { subnets: `${c.id}\n${a.id} ${b.id}`, 'install-kubectl': 'false' })
    })
    try {
      expect(run.main.exitCode).toBe(0)
      expect(eniSubnets()).toEqual({ [a.zone]: a.id, [b.zone]: b.id, [c.zone]: c.id })
      expect(run.outputs['kubectl-path']).toBe('')
    } finally {
      run.cleanup()
    }
  })

  it('accept zone=subnet pairs by zone name or zone ID', async () => {
    const [a, b, c] = bed.podSubnets
    const run = await runAction({
      env: bed.env,
      inputs: originInputs(bed, {
        subnets: `${b.zone}=${b.id},${c.zoneId}=${c.id},${a.zone}=${a.id}`,
        'install-kubectl': 'false'
      })
    })
    try {
      expect(run.main.exitCode).toBe(0)
      expect(eniSubnets()).toEqual({ [a.zone]: a.id, [b.zone]: b.id, [c.zone]: c.id })
      expect(
        JSON.parse(run.outputs['eni-configs']).map((e: { zoneId: string }) => e.zoneId)
      ).toEqual([a.zoneId, b.zoneId, c.zoneId])
    } finally {
      run.cleanup()
    }
  })
})

describe('a stuck rollout', () => {
  it('fails at timeout-seconds with the counts', async () => {
    bed.kube.setRollout('stuck')
    try {
      const run = await runAction({
        env: bed.env,
        inputs: originInputs(bed, {
          'warm-ip-target': '3',
          'timeout-seconds': '4',
          'install-kubectl': 'false'
        })
      })
      try {
        expect(run.main.exitCode).toBe(1)
        expect(errors(run)).toMatch(
          /DaemonSet\/kube-system\/aws-node did not roll out within timeout-seconds \(4 s\): \d of 3 pods updated/
        )
        expect(filesIn(bed.env.RUNNER_TEMP)).toEqual([])
      } finally {
        run.cleanup()
      }
    } finally {
      bed.kube.setRollout('instant')
    }
  })
})
