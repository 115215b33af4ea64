/**
 * The one place that builds AWS SDK clients, so region, user agent, credentials and retry
 * behaviour are decided once for STS, EKS, EC2 and IAM.
 */
import { EC2Client } from '@aws-sdk/client-ec2'
import { EKSClient } from '@aws-sdk/client-eks'
import { IAMClient } from '@aws-sdk/client-iam'
import { STSClient } from '@aws-sdk/client-sts'

/** Static AWS credentials held in memory only (masked as soon as they exist). */
export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  expiration?: Date
}

/** The SDK clients the action uses, all for the cluster's region. */
export interface AwsClients {
  sts: STSClient
  eks: EKSClient
  ec2: EC2Client
  /** Only reads the cluster role's attached policies (security groups for pods). */
  iam: IAMClient
}

/** Sent as the SDK's custom user agent so CloudTrail shows which tool made the calls. */
export const USER_AGENT = 'eks-cni-custom-networking'

/**
 * One SDK attempt per call: every call site wraps its request in retry() with
 * isRetryableAwsError, and SDK retries underneath would multiply the attempts (and would reuse
 * a stale OIDC token for AssumeRoleWithWebIdentity).
 */
export const SDK_MAX_ATTEMPTS = 1

interface ClientConfig {
  region: string
  customUserAgent: string
  maxAttempts: number
  credentials?: AwsCredentials
}

function clientConfig(region: string, credentials?: AwsCredentials): ClientConfig {
  // Leaving `credentials` out (rather than undefined) lets the SDK fall back to its default chain.
  const config: ClientConfig = {
    region,
    customUserAgent: USER_AGENT,
    maxAttempts: SDK_MAX_ATTEMPTS
  }
  if (credentials) config.credentials = credentials
  return config
}

/**
 * One place that builds SDK clients: region, customUserAgent 'eks-cni-custom-networking',
 * credentials (undefined → the SDK default chain), maxAttempts. Endpoints come from
 * AWS_ENDPOINT_URL like any SDK client.
 */
export function createAwsClients(region: string, credentials?: AwsCredentials): AwsClients {
  const config = clientConfig(region, credentials)
  return {
    sts: new STSClient(config),
    eks: new EKSClient(config),
    ec2: new EC2Client(config),
    iam: new IAMClient(config)
  }
}

/**
 * A credential-less STS client for AssumeRoleWithWebIdentity, which the SDK sends unsigned, so
 * no credential chain is ever consulted. Regional endpoint (or AWS_ENDPOINT_URL).
 */
export function createStsClient(region: string): STSClient {
  return new STSClient(clientConfig(region))
}
