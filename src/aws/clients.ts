/**
 * The SDK clients of a run, for the cluster's region with the credentials the run signed in with:
 * STS, EKS, EC2 and IAM, each configured by client-config.ts.
 */
import * as core from '@actions/core'
import { EC2Client } from '@aws-sdk/client-ec2/dist-es/EC2Client.js'
import { EKSClient } from '@aws-sdk/client-eks'
import { IAMClient } from '@aws-sdk/client-iam'
import { STSClient } from '@aws-sdk/client-sts'
import { type AwsCredentials, type RetryBudget, clientConfig } from './client-config.js'

/** The SDK clients the action uses, all for the cluster's region. */
export interface AwsClients {
  sts: STSClient
  eks: EKSClient
  ec2: EC2Client
  /** Only reads the cluster role's attached policies (security groups for pods). */
  iam: IAMClient
}

/**
 * One place that builds SDK clients: region, customUserAgent 'eks-cni-custom-networking',
 * credentials (undefined → the SDK default chain), and the SDK's standard retries within `budget`
 * (pass the run's deadline). Endpoints come from AWS_ENDPOINT_URL like any SDK client.
 */
export function createAwsClients(
  region: string,
  credentials?: AwsCredentials,
  budget: RetryBudget = {}
): AwsClients {
  const withLog = { onRetry: (message: string) => core.info(message), ...budget }
  const config = (label: string) => clientConfig(region, credentials, { label, budget: withLog })
  return {
    sts: new STSClient(config('sts')),
    eks: new EKSClient(config('eks')),
    ec2: new EC2Client(config('ec2')),
    iam: new IAMClient(config('iam'))
  }
}
