/**
 * EC2 DescribeInstanceTypes for the max-pods output: the ENIs, IPv4 addresses per ENI, hypervisor
 * and vCPUs of the instance types named in `instance-types`, in one call.
 */
import * as core from '@actions/core'
import {
  DescribeInstanceTypesCommand,
  type EC2Client,
  type _InstanceType
} from '@aws-sdk/client-ec2'
import { type InstanceNetworkInfo, networkInfoFromInstanceType } from '../cni/max-pods.js'
import { Inputs } from '../constants.js'
import { errorMessage } from '../errors.js'
import { retry } from '../retry.js'
import { awsErrorCode, isRetryableAwsError } from './retryable.js'

/**
 * Describes `types` (retried, following NextToken), in the order given. Unknown types fail with
 * the input's name; no types means no call.
 */
export async function describeInstanceTypes(
  ec2: Pick<EC2Client, 'send'>,
  types: readonly string[],
  options: { sleep?: (ms: number) => Promise<void> } = {}
): Promise<InstanceNetworkInfo[]> {
  if (types.length === 0) return []
  const found: InstanceNetworkInfo[] = []
  let token: string | undefined
  try {
    do {
      const page = await retry(
        () =>
          ec2.send(
            new DescribeInstanceTypesCommand({
              InstanceTypes: types as _InstanceType[],
              NextToken: token
            })
          ),
        {
          label: 'ec2:DescribeInstanceTypes',
          retryable: isRetryableAwsError,
          sleep: options.sleep,
          onRetry: (message) => core.info(message)
        }
      )
      found.push(...(page.InstanceTypes ?? []).map(networkInfoFromInstanceType))
      token = page.NextToken
    } while (token)
  } catch (error) {
    // EC2 names the unknown type in its message (InvalidInstanceType).
    const hint =
      awsErrorCode(error) === 'InvalidInstanceType'
        ? ` (check the ${Inputs.InstanceTypes} input)`
        : awsErrorCode(error) === 'UnauthorizedOperation'
          ? ' (the credentials need ec2:DescribeInstanceTypes)'
          : ''
    throw new Error(`ec2:DescribeInstanceTypes failed${hint}: ${errorMessage(error)}`, {
      cause: error
    })
  }
  const missing = types.filter((t) => !found.some((f) => f.instanceType === t))
  if (missing.length > 0) {
    throw new Error(
      `Input '${Inputs.InstanceTypes}': EC2 does not know instance type(s) ${missing.join(', ')}`
    )
  }
  return types.map((t) => found.find((f) => f.instanceType === t) as InstanceNetworkInfo)
}
