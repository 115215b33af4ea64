/**
 * The STS client the run signs in with, from its own module: it is built before the run has
 * imported the EKS, EC2 and IAM clients, so the sign-in starts without waiting for them.
 */
import { STSClient } from '@aws-sdk/client-sts'
import { clientConfig } from './client-config.js'

/**
 * A credential-less STS client for AssumeRoleWithWebIdentity, which the SDK sends unsigned, so
 * no credential chain is ever consulted. Regional endpoint (or AWS_ENDPOINT_URL). One attempt per
 * call: the caller retries with a fresh OIDC token each time, which the SDK's retries cannot do.
 */
export function createStsClient(region: string): STSClient {
  return new STSClient(clientConfig(region, undefined, undefined))
}
