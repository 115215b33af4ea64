import { describe, expect, it } from '@jest/globals'
import { ApiException } from '@kubernetes/client-node'
import { principalArn } from '../src/auth-hints.js'
import { refKey, refOf } from '../src/kube/client.js'
import {
  accessDeniedError,
  describeKubeError,
  isRetryableKubeError,
  kubeStatus
} from '../src/kube/errors.js'

const api = (code: number, headers: Record<string, string> = {}, body: unknown = '') =>
  new ApiException(code, 'Unsuccessful HTTP Request', body, headers)

describe('isRetryableKubeError', () => {
  it.each([
    [api(429, { 'retry-after': '2' }), false, 2000],
    [api(503, { 'retry-after': '0' }), false, 0],
    [api(500), false, true],
    [api(429, { 'retry-after': '9999' }), false, 30_000],
    [api(409), true, true],
    [api(409), false, false],
    [api(404), false, false],
    [api(403), false, false],
    [api(422), true, false],
    [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), false, true],
    [new Error('request to https://x failed, reason: socket hang up'), false, true],
    [new Error('Unrecognized API version and kind'), false, false],
    // fetch() keeps the socket's error in `cause`.
    [new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }), false, true],
    [new TypeError('fetch failed', { cause: { code: 'UND_ERR_CONNECT_TIMEOUT' } }), false, true],
    [new TypeError('fetch failed', { cause: { code: 'UND_ERR_INVALID_ARG' } }), false, false],
    // Aborted at the run's deadline: no time left for another attempt.
    [
      Object.assign(new Error('still no answer at the deadline'), { code: 'EDEADLINE' }),
      false,
      false
    ]
  ])('%s (409 retried: %s) → %s', (error, conflicts, expected) => {
    expect(isRetryableKubeError(error, conflicts)).toBe(expected)
  })
})

describe('describeKubeError', () => {
  it("gives the status and the server's message, not the raw dump", () => {
    const body = JSON.stringify({
      kind: 'Status',
      message: 'daemonsets.apps "x" is forbidden',
      code: 403
    })
    expect(describeKubeError(api(403, {}, body))).toBe('HTTP 403: daemonsets.apps "x" is forbidden')
    expect(describeKubeError(api(500, {}, { message: 'etcd timeout' }))).toBe(
      'HTTP 500: etcd timeout'
    )
    expect(describeKubeError(new Error('boom'))).toBe('boom')
  })
})

describe('accessDeniedError', () => {
  it('names the caller and gives the access-entry commands for its role', () => {
    const error = accessDeniedError(api(403, {}, { message: 'no access entry' }), {
      label: 'read DaemonSet/kube-system/aws-node',
      caller: 'arn:aws:sts::123456789012:assumed-role/deploy/GitHubActions',
      cluster: 'demo',
      region: 'eu-west-1'
    })
    expect(error.message).toContain(
      "cluster 'demo' refused arn:aws:sts::123456789012:assumed-role/deploy/GitHubActions " +
        '(read DaemonSet/kube-system/aws-node: HTTP 403: no access entry)'
    )
    expect(error.message).toContain(
      'aws eks create-access-entry --region eu-west-1 --cluster-name demo --principal-arn arn:aws:iam::123456789012:role/deploy'
    )
    expect(kubeStatus(error.cause)).toBe(403)
    // One wording, from auth-hints.ts, with the markdown for the job summary.
    expect(error.hint.markdown).toContain('### No access to EKS cluster demo')
    expect(error.message).toContain(
      'Caller: arn:aws:sts::123456789012:assumed-role/deploy/GitHubActions'
    )
  })
})

describe('principalArn', () => {
  it('maps an assumed-role session to the role an access entry names', () => {
    expect(principalArn('arn:aws:sts::123456789012:assumed-role/deploy/GitHubActions')).toBe(
      'arn:aws:iam::123456789012:role/deploy'
    )
    expect(principalArn('arn:aws-cn:sts::123456789012:assumed-role/r/s')).toBe(
      'arn:aws-cn:iam::123456789012:role/r'
    )
    expect(principalArn('arn:aws:iam::123456789012:user/alice')).toBe(
      'arn:aws:iam::123456789012:user/alice'
    )
  })
})

describe('refs', () => {
  it('key namespaced and cluster-scoped objects', () => {
    expect(
      refKey(
        refOf({
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          metadata: { name: 'aws-node', namespace: 'kube-system' }
        })
      )
    ).toBe('DaemonSet/kube-system/aws-node')
    expect(
      refKey({
        apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
        kind: 'ENIConfig',
        name: 'us-east-1a'
      })
    ).toBe('ENIConfig/us-east-1a')
  })
})
