/**
 * The one place that builds AWS SDK clients, so region, user agent, credentials and retry
 * behaviour are decided once for STS, EKS, EC2 and IAM.
 */
import * as core from '@actions/core'
import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
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
  requestHandler: { httpAgent: HttpAgent; httpsAgent: HttpsAgent }
  logger?: SdkLogger
}

interface SdkLogger {
  debug(...content: unknown[]): void
  info(...content: unknown[]): void
  warn(...content: unknown[]): void
  error(...content: unknown[]): void
}

/**
 * Fields whose values are secrets or identify them. The SDK's own filter replaces only what its
 * models mark sensitive (not STS's SessionToken), and it logs before the action can mask the new
 * credentials, so these are replaced here whatever the model says.
 */
const SECRET_FIELDS =
  /^(SessionToken|SecretAccessKey|AccessKeyId|WebIdentityToken|Token|Password)$/i

/**
 * With step debug on, the SDK's logger writes to core.debug: per call the client, command, input
 * and output, with every secret field replaced.
 */
function sdkLogger(): SdkLogger | undefined {
  if (!core.isDebug()) return undefined
  const redact = (key: string, value: unknown): unknown =>
    SECRET_FIELDS.test(key) && value !== undefined && value !== null ? '***' : value
  const log = (...content: unknown[]): void =>
    core.debug(
      `aws-sdk: ${content.map((c) => (typeof c === 'string' ? c : JSON.stringify(c, redact))).join(' ')}`
    )
  return { debug: log, info: log, warn: log, error: log }
}

/**
 * The SDK's Node request handler with agents that use Node's built-in proxy support: `proxyEnv`
 * makes them honour HTTPS_PROXY, HTTP_PROXY and NO_PROXY (either case), tunnelling https through
 * CONNECT. Keep-alive and 50 sockets are the handler's own defaults. One pair for all clients.
 */
let agents: ClientConfig['requestHandler'] | undefined
function requestHandler(): ClientConfig['requestHandler'] {
  agents ??= {
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 50, proxyEnv: process.env }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 50, proxyEnv: process.env })
  }
  return agents
}

function clientConfig(region: string, credentials?: AwsCredentials): ClientConfig {
  // Leaving `credentials` out (rather than undefined) lets the SDK fall back to its default chain.
  const config: ClientConfig = {
    region,
    customUserAgent: USER_AGENT,
    maxAttempts: SDK_MAX_ATTEMPTS,
    requestHandler: requestHandler()
  }
  const logger = sdkLogger()
  if (logger) config.logger = logger
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
