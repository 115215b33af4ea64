import { EKSServiceException, ResourceNotFoundException } from '@aws-sdk/client-eks'
import { EC2ServiceException } from '@aws-sdk/client-ec2'
import { STSServiceException } from '@aws-sdk/client-sts'
import { awsErrorCode, awsHttpStatus, isRetryableAwsError } from '../src/aws/retryable.js'

const sts = (name: string, status: number) =>
  new STSServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status }
  })
const nodeError = (code: string, message = code) => Object.assign(new Error(message), { code })

describe('isRetryableAwsError', () => {
  it.each([
    ['STS Throttling', sts('Throttling', 400)],
    [
      'ThrottlingException',
      new EKSServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: {} })
    ],
    [
      'EC2 RequestLimitExceeded',
      new EC2ServiceException({
        name: 'RequestLimitExceeded',
        $fault: 'client',
        $metadata: { httpStatusCode: 503 }
      })
    ],
    ['TooManyRequestsException', sts('TooManyRequestsException', 429)],
    ['a bare 429', sts('Unknown', 429)],
    ['500', sts('InternalFailure', 500)],
    ['502 without a code', sts('UnknownError', 502)],
    ['503', sts('ServiceUnavailable', 503)],
    ['504', sts('GatewayTimeout', 504)],
    ['IDPCommunicationError', sts('IDPCommunicationErrorException', 400)],
    ['ECONNRESET', nodeError('ECONNRESET')],
    ['ETIMEDOUT', nodeError('ETIMEDOUT')],
    ['EAI_AGAIN', nodeError('EAI_AGAIN')],
    // Node's "socket hang up" carries code ECONNRESET.
    ['socket hang up', nodeError('ECONNRESET', 'socket hang up')],
    // smithy counts a failed DNS lookup as a transient network error.
    ['ENOTFOUND', nodeError('ENOTFOUND', 'getaddrinfo ENOTFOUND sts.nowhere')],
    [
      'an SDK TimeoutError',
      Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' })
    ],
    ['a wrapped throttle', new Error('context', { cause: sts('Throttling', 400) })]
  ])('retries %s', (_what, error) => {
    expect(isRetryableAwsError(error)).toBe(true)
  })

  it.each([
    ['AccessDenied', sts('AccessDenied', 403)],
    [
      'ResourceNotFoundException',
      new ResourceNotFoundException({ message: 'nope', $metadata: { httpStatusCode: 404 } })
    ],
    ['ValidationError', sts('ValidationError', 400)],
    ['501 Not Implemented', sts('NotImplemented', 501)],
    ['a plain error', new Error('boom')],
    [
      'a 4xx whose message mentions a timeout',
      Object.assign(sts('ValidationError', 400), { message: 'timeout must be positive' })
    ],
    ['a string', 'Throttling'],
    ['undefined', undefined],
    ['null', null]
  ])('does not retry %s', (_what, error) => {
    expect(isRetryableAwsError(error)).toBe(false)
  })

  it('does not retry an error the SDK has already retried', () => {
    const spent = sts('Throttling', 400)
    spent.$metadata.attempts = 5
    expect(isRetryableAwsError(spent)).toBe(false)
  })

  it('stops looking through an endless cause chain', () => {
    const a: { name: string; cause?: unknown } = { name: 'A' }
    a.cause = a
    expect(isRetryableAwsError(a)).toBe(false)
  })
})

describe('awsErrorCode and awsHttpStatus', () => {
  it('read the SDK error name and HTTP status', () => {
    const error = sts('AccessDenied', 403)
    expect(awsErrorCode(error)).toBe('AccessDenied')
    expect(awsHttpStatus(error)).toBe(403)
    expect(awsErrorCode({ Code: 'InvalidSubnetID.NotFound', name: 'Error' })).toBe(
      'InvalidSubnetID.NotFound'
    )
    expect(awsHttpStatus(new Error('x'))).toBeUndefined()
  })
})
