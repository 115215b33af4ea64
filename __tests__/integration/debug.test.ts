/**
 * Step debug (RUNNER_DEBUG=1) through the runner harness on dist/: the SDK's logger, Kubernetes
 * request and response summaries and the waits write to core.debug, and none of it holds a secret.
 * Without step debug there are none of these lines.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startTestbed, type Testbed } from '../../testbed/index.js'
import { expectNoSecretsInLog, expectSecretsMasked, originInputs, runAction } from './helpers.js'

let bed: Testbed

beforeAll(async () => {
  bed = await startTestbed({ cniVersion: null, rollout: { mode: 'staged', stepMs: 100 } })
}, 120_000)
afterAll(async () => bed?.stop())

const debugLines = (log: string): string[] =>
  log
    .split('\n')
    .filter((l) => /^::debug::(aws-sdk|kube|wait):/.test(l) || /^::debug::kube /.test(l))

describe('step debug', () => {
  it('summarises AWS and Kubernetes calls and the waits, with no secret', async () => {
    const run = await runAction({
      env: { ...bed.env, RUNNER_DEBUG: '1' },
      inputs: originInputs(bed, { 'cni-version': 'v1.19.6', 'install-kubectl': 'false' })
    })
    try {
      expect(run.main.exitCode).toBe(0)
      const lines = debugLines(run.log)
      const has = (re: RegExp) => lines.some((l) => re.test(l))
      expect(has(/^::debug::aws-sdk: .*"commandName":"AssumeRoleWithWebIdentityCommand"/)).toBe(
        true
      )
      expect(has(/^::debug::aws-sdk: .*"commandName":"DescribeClusterCommand"/)).toBe(true)
      expect(
        has(
          /^::debug::kube → PATCH \/apis\/apps\/v1\/namespaces\/kube-system\/daemonsets\/aws-node\?/
        )
      ).toBe(true)
      expect(has(/^::debug::kube ← HTTP 200$/)).toBe(true)
      expect(
        has(/^::debug::wait: DaemonSet\/kube-system\/aws-node to roll out, up to \d+\.\d s/)
      ).toBe(true)
      // The web identity token and the role's credentials are replaced before they are logged.
      expect(lines.join('\n')).not.toMatch(
        /"(WebIdentityToken|SecretAccessKey|SessionToken|AccessKeyId)":"(?!\*)/
      )
      expectSecretsMasked(run)
      expectNoSecretsInLog(run)
    } finally {
      run.cleanup()
    }
  })

  it('writes none of these lines without step debug', async () => {
    const run = await runAction({
      env: bed.env,
      inputs: originInputs(bed, { 'cni-version': 'v1.19.6', 'install-kubectl': 'false' })
    })
    try {
      expect(run.main.exitCode).toBe(0)
      expect(debugLines(run.log)).toEqual([])
    } finally {
      run.cleanup()
    }
  })
})
