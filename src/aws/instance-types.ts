/**
 * EC2 DescribeInstanceTypes for the max-pods output: the ENIs, IPv4 addresses per ENI, hypervisor
 * and vCPUs of the instance types named in `instance-types`, in one call.
 */
import type { EC2Client, _InstanceType } from '@aws-sdk/client-ec2'
import { paginateDescribeInstanceTypes } from '@aws-sdk/client-ec2/dist-es/pagination/DescribeInstanceTypesPaginator.js'
import { type InstanceNetworkInfo, networkInfoFromInstanceType } from '../cni/max-pods.js'
import { Inputs } from '../constants.js'
import { errorMessage } from '../errors.js'
import { awsErrorCode } from './retryable.js'

/**
 * Describes `types` through the SDK's paginator (the client retries), in the order given. Unknown types fail with
 * the input's name; no types means no call.
 */
export async function describeInstanceTypes(
  ec2: EC2Client,
  types: readonly string[]
): Promise<InstanceNetworkInfo[]> {
  if (types.length === 0) return []
  const found: InstanceNetworkInfo[] = []
  try {
    const pages = paginateDescribeInstanceTypes(
      { client: ec2 },
      { InstanceTypes: types as _InstanceType[] }
    )
    for await (const page of pages) {
      found.push(...(page.InstanceTypes ?? []).map(networkInfoFromInstanceType))
    }
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
