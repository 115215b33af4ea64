/**
 * The test bed's EKS authentication: a verified token is remembered until it expires (one STS
 * call per token), expired tokens are still rejected, and access entries apply on every request.
 */
import { createAccess } from '../../testbed/access.js'
import { eksTokenExpiry } from '../../testbed/aws/eks-token-verifier.js'
import type { Identity } from '../../testbed/aws/moto.js'

const REGION = 'ap-northeast-2'
const ROLE = 'arn:aws:iam::123456789012:role/eks-cni-deployer'
const SESSION = 'arn:aws:sts::123456789012:assumed-role/eks-cni-deployer/GitHubActions'
const SIGNED_AT = Date.UTC(2026, 11, 1, 0, 0, 0)

/** A well-formed token signed at SIGNED_AT (+ offset s); `sig` makes distinct tokens. */
function token(sig: string, offsetSeconds = 0): string {
  const d = new Date(SIGNED_AT + offsetSeconds * 1000).toISOString().replace(/[-:]|\.\d+/g, '')
  const url =
    `https://sts.${REGION}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15` +
    '&X-Amz-Algorithm=AWS4-HMAC-SHA256' +
    `&X-Amz-Credential=ASIAEXAMPLE%2F${d.slice(0, 8)}%2F${REGION}%2Fsts%2Faws4_request` +
    `&X-Amz-Date=${d}&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id` +
    `&X-Amz-Signature=${sig}`
  return 'k8s-aws-v1.' + Buffer.from(url).toString('base64url')
}

function setup(identify?: (url: string) => Promise<Identity>) {
  let clock = SIGNED_AT + 1000
  const calls: string[] = []
  const access = createAccess({
    adminToken: 'admin-secret',
    region: REGION,
    clusterName: 'demo',
    ttlSeconds: 900,
    initial: [ROLE],
    now: () => clock,
    identify: async (url) => {
      calls.push(url)
      return identify ? identify(url) : { ok: true, arn: SESSION, account: '123456789012' }
    }
  })
  return {
    access,
    calls,
    advance: (ms: number) => {
      clock += ms
    }
  }
}

describe('EKS token cache', () => {
  it('verifies a token once, also for concurrent first requests', async () => {
    const { access, calls } = setup()
    const t = token('aa')
    const first = await Promise.all([1, 2, 3, 4].map(() => access.authenticate(t)))
    for (const r of first) expect(r).toEqual({ ok: true, user: SESSION })
    for (let i = 0; i < 10; i++)
      expect(await access.authenticate(t)).toEqual({ ok: true, user: SESSION })
    expect(calls).toHaveLength(1)
    expect(access.verifications).toBe(1)
    // Another token is another verification.
    await access.authenticate(token('bb'))
    expect(calls).toHaveLength(2)
  })

  it('rejects a remembered token once it expires, with the authenticator’s reason', async () => {
    const { access, calls, advance } = setup()
    const t = token('aa')
    expect(eksTokenExpiry(t, 900)?.getTime()).toBe(SIGNED_AT + 900_000)
    expect((await access.authenticate(t)).ok).toBe(true)
    advance(898_000) // one second before expiry: still accepted, from the cache
    expect((await access.authenticate(t)).ok).toBe(true)
    expect(calls).toHaveLength(1)
    advance(2_000)
    expect(await access.authenticate(t)).toEqual({
      ok: false,
      status: 401,
      message: 'Unauthorized'
    })
    expect(access.rejections.at(-1)).toMatch(
      /X-Amz-Date parameter is expired \(15 minute expiration\)/
    )
    // The expired token never reaches STS again.
    expect(calls).toHaveLength(1)
  })

  it('checks access entries on every request, cached or not', async () => {
    const { access, calls } = setup()
    const t = token('aa')
    expect((await access.authenticate(t)).ok).toBe(true)
    access.deny(ROLE)
    expect(await access.authenticate(t)).toMatchObject({ ok: false, status: 403 })
    access.allow(SESSION)
    expect(await access.authenticate(t)).toEqual({ ok: true, user: SESSION })
    expect(calls).toHaveLength(1)
  })

  it('does not remember a failed verification', async () => {
    let fail = true
    const { access, calls } = setup(async () =>
      fail
        ? { ok: false, code: 'SignatureDoesNotMatch', message: 'bad' }
        : { ok: true, arn: SESSION, account: '123456789012' }
    )
    const t = token('aa')
    expect(await access.authenticate(t)).toMatchObject({ ok: false, status: 401 })
    expect(access.rejections.at(-1)).toBe('STS: SignatureDoesNotMatch: bad')
    fail = false
    expect((await access.authenticate(t)).ok).toBe(true)
    expect(calls).toHaveLength(2)
    // Tokens that fail the static checks never reach STS and are not remembered either.
    expect((await access.authenticate(token('cc', 3600))).ok).toBe(false)
    expect(access.rejections.at(-1)).toMatch(/in the future/)
    expect(calls).toHaveLength(2)
  })
})
