import { createHash, createHmac } from 'node:crypto'
import { jest } from '@jest/globals'
import * as core from '../__fixtures__/core.js'

jest.unstable_mockModule('@actions/core', () => core)
const { mintEksToken, EksTokenSource, stsHostForRegion } = await import('../src/aws/eks-token.js')

const SIGNING_DATE = new Date('2024-01-01T00:00:00Z')
const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }
const PREFIX = 'k8s-aws-v1.'
/** The query keys the EKS authenticator accepts; anything else is rejected. */
const ALLOWED_KEYS = [
  'action',
  'version',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-security-token',
  'x-amz-signature',
  'x-amz-signedheaders'
]

/** Golden vector A: the token botocore/awscli computes for these credentials, time and cluster. */
const VECTOR_A_TOKEN =
  'k8s-aws-v1.aHR0cHM6Ly9zdHMuYXAtbm9ydGhlYXN0LTIuYW1hem9uYXdzLmNvbS8_QWN0aW9uPUdldENhbGxlcklkZW50aXR5JlZlcnNpb249MjAxMS0wNi0xNSZYLUFtei1BbGdvcml0aG09QVdTNC1ITUFDLVNIQTI1NiZYLUFtei1DcmVkZW50aWFsPUFLSURFWEFNUExFJTJGMjAyNDAxMDElMkZhcC1ub3J0aGVhc3QtMiUyRnN0cyUyRmF3czRfcmVxdWVzdCZYLUFtei1EYXRlPTIwMjQwMTAxVDAwMDAwMFomWC1BbXotRXhwaXJlcz02MCZYLUFtei1TaWduZWRIZWFkZXJzPWhvc3QlM0J4LWs4cy1hd3MtaWQmWC1BbXotU2lnbmF0dXJlPTY1MTY3YzlhOGIzNjQ0ZDFhNjljZmNmMTMzMDg2MDA4NDVhOTliNGVhZTg0ZjAxZGVjY2M3NDQ5MjVmMzBiYTY'

interface Decoded {
  url: string
  host: string
  path: string
  keys: string[]
  query: Record<string, string>
}

function decode(token: string): Decoded {
  expect(token.startsWith(PREFIX)).toBe(true)
  const body = token.slice(PREFIX.length)
  // RawURLEncoding: no padding and no characters outside the URL-safe alphabet.
  expect(body).toMatch(/^[A-Za-z0-9_-]+$/)
  const url = Buffer.from(body, 'base64url').toString('utf8')
  const parsed = new URL(url)
  const keys = [...parsed.searchParams.keys()]
  return {
    url,
    host: parsed.host,
    path: parsed.pathname,
    keys,
    query: Object.fromEntries(parsed.searchParams.entries())
  }
}

function expectedQuery(region: string, signature: string, sessionToken?: string) {
  return {
    Action: 'GetCallerIdentity',
    Version: '2011-06-15',
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `AKIDEXAMPLE/20240101/${region}/sts/aws4_request`,
    'X-Amz-Date': '20240101T000000Z',
    'X-Amz-Expires': '60',
    'X-Amz-SignedHeaders': 'host;x-k8s-aws-id',
    ...(sessionToken ? { 'X-Amz-Security-Token': sessionToken } : {}),
    'X-Amz-Signature': signature
  }
}

/** A plain SigV4 presign (as Python's standard library would write it): an oracle independent of smithy. */
function referenceSignature(region: string, cluster: string, sessionToken?: string): string {
  const q = (s: string) =>
    encodeURIComponent(s).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
    )
  const host = stsHostForRegion(region)
  const amzDate = '20240101T000000Z'
  const scope = `20240101/${region}/sts/aws4_request`
  const p: Record<string, string> = {
    Action: 'GetCallerIdentity',
    Version: '2011-06-15',
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `AKIDEXAMPLE/${scope}`,
    'X-Amz-Date': amzDate,
    'X-Amz-Expires': '60',
    'X-Amz-SignedHeaders': 'host;x-k8s-aws-id'
  }
  if (sessionToken) p['X-Amz-Security-Token'] = sessionToken
  const cq = Object.keys(p)
    .sort()
    .map((k) => `${q(k)}=${q(p[k])}`)
    .join('&')
  const sha = (s: string) => createHash('sha256').update(s).digest('hex')
  const creq = [
    'GET',
    '/',
    cq,
    `host:${host}\nx-k8s-aws-id:${cluster}\n`,
    'host;x-k8s-aws-id',
    sha('')
  ].join('\n')
  const sts = ['AWS4-HMAC-SHA256', amzDate, scope, sha(creq)].join('\n')
  let key: Buffer = Buffer.from('AWS4secret')
  for (const m of ['20240101', region, 'sts', 'aws4_request'])
    key = createHmac('sha256', key).update(m).digest()
  return createHmac('sha256', key).update(sts).digest('hex')
}

beforeEach(() => jest.clearAllMocks())

describe('mintEksToken golden vectors (computed by botocore/awscli)', () => {
  it.each([
    [
      'A',
      'ap-northeast-2',
      undefined,
      'sts.ap-northeast-2.amazonaws.com',
      '65167c9a8b3644d1a69cfcf13308600845a99b4eae84f01deccc744925f30ba6'
    ],
    [
      'B',
      'ap-northeast-2',
      'SESSIONTOKEN',
      'sts.ap-northeast-2.amazonaws.com',
      '2d8f818f85e80c8523eab9d84275db4ad3f796c1b4dfa2185ee7ff967fadbab7'
    ],
    [
      'C',
      'cn-north-1',
      undefined,
      'sts.cn-north-1.amazonaws.com.cn',
      'a5ad470a8056769dd6b32f8939a6a9b89546550ff6dbc9421ad563c9f793c5b7'
    ]
  ])(
    'vector %s (%s) decodes to the expected host, path, query and signature',
    async (_n, region, sessionToken, host, signature) => {
      const { token } = await mintEksToken({
        credentials: { ...CREDS, sessionToken },
        region,
        clusterName: 'demo',
        signingDate: SIGNING_DATE
      })
      const decoded = decode(token)
      expect(decoded.url.startsWith(`https://${host}/?`)).toBe(true)
      expect(decoded.host).toBe(host)
      expect(decoded.path).toBe('/')
      expect(decoded.query).toEqual(expectedQuery(region, signature, sessionToken))
      expect(decoded.query['X-Amz-Signature']).toBe(signature)
    }
  )

  it('reproduces vector A as the exact token string awscli prints', async () => {
    const { token } = await mintEksToken({
      credentials: CREDS,
      region: 'ap-northeast-2',
      clusterName: 'demo',
      signingDate: SIGNING_DATE
    })
    expect(token).toBe(VECTOR_A_TOKEN)
  })

  it('passes only the query keys the authenticator allows, each once, and never the cluster name', async () => {
    const { token } = await mintEksToken({
      credentials: { ...CREDS, sessionToken: 'SESSIONTOKEN' },
      region: 'ap-northeast-2',
      clusterName: 'demo-cluster-name',
      signingDate: SIGNING_DATE
    })
    const { keys, url } = decode(token)
    for (const key of keys) expect(ALLOWED_KEYS).toContain(key.toLowerCase())
    expect(new Set(keys).size).toBe(keys.length)
    expect(keys[keys.length - 1]).toBe('X-Amz-Signature')
    expect(url).not.toContain('demo-cluster-name')
    expect(url).not.toContain('x-k8s-aws-id=')
  })

  it('encodes a real-looking session token so the URL carries exactly the value that was signed', async () => {
    const sessionToken = 'IQoJb3JpZ2luX2VjE+/abc==//x+y'
    const { token } = await mintEksToken({
      credentials: { ...CREDS, sessionToken },
      region: 'eu-west-1',
      clusterName: 'prod',
      signingDate: SIGNING_DATE
    })
    const { query, url } = decode(token)
    expect(url).toContain('X-Amz-Security-Token=IQoJb3JpZ2luX2VjE%2B%2Fabc%3D%3D%2F%2Fx%2By')
    expect(query['X-Amz-Security-Token']).toBe(sessionToken)
    expect(query['X-Amz-Signature']).toBe(referenceSignature('eu-west-1', 'prod', sessionToken))
  })

  it('expires 14 minutes after the signing time and masks the token', async () => {
    const { token, expiresAt } = await mintEksToken({
      credentials: CREDS,
      region: 'ap-northeast-2',
      clusterName: 'demo',
      signingDate: SIGNING_DATE
    })
    expect(expiresAt.toISOString()).toBe('2024-01-01T00:14:00.000Z')
    expect(core.setSecret).toHaveBeenCalledWith(token)
  })

  it('signs against the regional STS host even when AWS_ENDPOINT_URL points elsewhere', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:5000'
    try {
      const { token } = await mintEksToken({
        credentials: CREDS,
        region: 'us-gov-west-1',
        clusterName: 'demo'
      })
      expect(decode(token).host).toBe('sts.us-gov-west-1.amazonaws.com')
    } finally {
      delete process.env.AWS_ENDPOINT_URL
    }
  })
})

describe('EksTokenSource', () => {
  const t0 = new Date('2024-01-01T00:00:00Z').getTime()
  function setup() {
    let now = t0
    let n = 0
    const mint = jest.fn(async () => {
      n++
      return { token: `token-${n}`, expiresAt: new Date(now + 14 * 60_000) }
    })
    const source = new EksTokenSource(mint, () => new Date(now))
    return { source, mint, advance: (ms: number) => (now += ms) }
  }

  it('mints once and caches while the token has more than a minute left', async () => {
    const { source, mint, advance } = setup()
    expect(await source.get()).toBe('token-1')
    advance(12 * 60_000)
    expect(await source.get()).toBe('token-1')
    expect(mint).toHaveBeenCalledTimes(1)
  })

  it('re-mints when less than the margin remains', async () => {
    const { source, mint, advance } = setup()
    await source.get()
    advance(13 * 60_000 + 1)
    expect(await source.get()).toBe('token-2')
    expect(mint).toHaveBeenCalledTimes(2)
  })

  it('re-mints after invalidate(), as after a 401', async () => {
    const { source, mint } = setup()
    await source.get()
    source.invalidate()
    expect(await source.get()).toBe('token-2')
    expect(mint).toHaveBeenCalledTimes(2)
  })

  it('shares one mint between concurrent callers', async () => {
    const { source, mint } = setup()
    const tokens = await Promise.all([source.get(), source.get(), source.get()])
    expect(tokens).toEqual(['token-1', 'token-1', 'token-1'])
    expect(mint).toHaveBeenCalledTimes(1)
  })

  it('honours a custom margin', async () => {
    let now = t0
    const mint = jest.fn(async () => ({ token: `t${now}`, expiresAt: new Date(now + 14 * 60_000) }))
    const source = new EksTokenSource(mint, () => new Date(now), 5 * 60_000)
    await source.get()
    now += 9 * 60_000 + 1
    await source.get()
    expect(mint).toHaveBeenCalledTimes(2)
  })

  it('lets a failed mint surface and tries again on the next call', async () => {
    const mint = jest
      .fn<() => Promise<{ token: string; expiresAt: Date }>>()
      .mockRejectedValueOnce(new Error('no creds'))
      .mockResolvedValueOnce({ token: 'ok', expiresAt: new Date(Date.now() + 14 * 60_000) })
    const source = new EksTokenSource(mint)
    await expect(source.get()).rejects.toThrow('no creds')
    expect(await source.get()).toBe('ok')
  })
})
