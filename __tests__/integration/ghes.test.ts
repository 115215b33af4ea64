/**
 * GitHub Enterprise Server: the ID token's issuer is https://HOSTNAME/_services/token. When the AWS
 * account has no IAM OIDC provider for it, the run's error and job summary name that issuer (read
 * from the token the action holds, never printing the token), not github.com's.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { startTestbed, type Testbed } from '../../testbed/index.js'
import { errors, expectNoSecretsInLog, kubeWrites, originInputs, runAction } from './helpers.js'

let bed: Testbed

beforeAll(async () => {
  bed = await startTestbed()
}, 120_000)
afterAll(async () => bed?.stop())

it('a GHES token the account does not trust: the hint names the GHES provider', async () => {
  const issuer = 'ghes.example.com/_services/token'
  bed.oidc.setClaims({ iss: `https://${issuer}` })
  const seq = bed.log.lastSeq
  try {
    const run = await runAction({ env: bed.env, inputs: originInputs(bed) })
    try {
      expect(run.main.exitCode).toBe(1)
      const message = errors(run)
      expect(message).toContain(
        `No OpenIDConnect provider found in your account for https://${issuer}`
      )
      expect(message).toContain(
        `The AWS account needs an IAM OIDC identity provider for https://${issuer}`
      )
      expect(message).toContain(`aws iam create-open-id-connect-provider --url https://${issuer}`)
      for (const out of [message, run.summary]) {
        expect(out).toContain(`arn:aws:iam::${bed.accountId}:oidc-provider/${issuer}`)
        expect(out).toContain(`"${issuer}:sub"`)
        expect(out).not.toContain('token.actions.githubusercontent.com')
      }
      expect(kubeWrites(bed, seq)).toEqual([])
      expectNoSecretsInLog(run)
      expect(run.summary).not.toMatch(/eyJ[\w-]{10,}\.eyJ/)
    } finally {
      run.cleanup()
    }
  } finally {
    bed.oidc.setClaims({})
  }
})
