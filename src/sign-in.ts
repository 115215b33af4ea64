/**
 * Signing in to AWS for the run: GitHub OIDC → STS AssumeRoleWithWebIdentity when a role is given,
 * else the SDK's default chain. Loaded by start.ts in its own chunk with only the STS client, so
 * it is ready while the rest of the action still loads.
 */
import * as core from '@actions/core'
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import type { AwsCredentials } from './aws/client-config.js'
import type { AwsClients } from './aws/clients.js'
import { assumeRoleWithOidc, defaultCredentials } from './aws/credentials.js'
import { createStsClient } from './aws/sts-client.js'
import type { ActionInputs } from './inputs.js'

/** Credentials in memory (masked), and a way to name the caller when the cluster refuses us. */
export interface Identity {
  credentials: AwsCredentials
  /** The role assumed through OIDC; undefined for the SDK's default chain. */
  assumedRoleArn?: string
  callerArn: (sts: AwsClients['sts']) => Promise<string | undefined>
}

/**
 * OIDC → STS when a role is given, else the SDK's default chain. `firstIdToken`, when given, is an
 * ID-token request already on its way: the first attempt uses it, and a retry asks for a fresh one.
 */
export async function signIn(
  inputs: ActionInputs,
  firstIdToken?: Promise<string>
): Promise<Identity> {
  if (inputs.roleToAssume) {
    let first = firstIdToken
    const { assumedRoleArn, ...credentials } = await assumeRoleWithOidc({
      sts: createStsClient(inputs.region),
      getIDToken: (audience) => {
        const token = first ?? core.getIDToken(audience)
        first = undefined
        return token
      },
      roleArn: inputs.roleToAssume,
      sessionName: inputs.roleSessionName,
      durationSeconds: inputs.roleDurationSeconds,
      audience: inputs.audience
    })
    return { credentials, assumedRoleArn, callerArn: callerArnOf(assumedRoleArn) }
  }
  const credentials = await defaultCredentials(inputs.region)
  // Only asked when the cluster refuses us, to name the principal in the error.
  return { credentials, callerArn: callerArnOf() }
}

/**
 * Who the credentials we hold belong to (STS GetCallerIdentity, retried), for an authorization
 * error; `known` (the assumed role) when STS cannot say.
 */
function callerArnOf(known?: string) {
  return async (sts: AwsClients['sts']): Promise<string | undefined> => {
    try {
      // The client's own retries cover throttling and transient failures.
      const identity = await sts.send(new GetCallerIdentityCommand({}))
      return identity.Arn ?? known
    } catch {
      return known
    }
  }
}
