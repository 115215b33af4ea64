import { execFile } from 'node:child_process'
import { createPublicKey, createVerify } from 'node:crypto'
import { promisify } from 'node:util'
import { FaultInjector, RequestLog } from '../../testbed/faults.js'
import { GITHUB_ISSUER, bearerToken, startOidc, type OidcServer } from '../../testbed/oidc.js'

const execFileP = promisify(execFile)

const decode = (
  jwt: string
): { header: Record<string, unknown>; claims: Record<string, unknown> } => {
  const [h, p] = jwt.split('.')
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>
  }
}

describe('test bed OIDC endpoint', () => {
  const faults = new FaultInjector()
  const log = new RequestLog()
  let oidc: OidcServer

  beforeAll(async () => {
    oidc = await startOidc({ repo: 'octo-org/octo-repo', faults, log })
  })
  afterAll(() => oidc.close())
  afterEach(() => {
    oidc.setClaims({})
    faults.clear()
  })

  const fetchToken = async (audience?: string, bearer = oidc.requestToken): Promise<Response> =>
    fetch(oidc.requestUrl + (audience ? `&audience=${encodeURIComponent(audience)}` : ''), {
      headers: { authorization: `Bearer ${bearer}` }
    })

  it('answers 401 without the right bearer', async () => {
    expect((await fetch(oidc.requestUrl)).status).toBe(401)
    expect((await fetchToken(undefined, 'wrong')).status).toBe(401)
    expect(log.entries.at(-1)).toMatchObject({ service: 'oidc', status: 401, authorization: true })
  })

  it('takes the auth scheme in any case: real curl with "Authorization: bearer" gets a token', async () => {
    // The request as GitHub's docs spell it with curl, lower-case scheme included.
    const curl = async (authorization: string): Promise<{ status: string; body: string }> => {
      const { stdout } = await execFileP('curl', [
        '-sS',
        '-w',
        '\\n%{http_code}',
        '-H',
        `Authorization: ${authorization}`,
        `${oidc.requestUrl}&audience=sts.amazonaws.com`
      ])
      const cut = stdout.lastIndexOf('\n')
      return { body: stdout.slice(0, cut), status: stdout.slice(cut + 1) }
    }
    for (const scheme of ['bearer', 'Bearer', 'BEARER', 'bEaReR']) {
      const r = await curl(`${scheme} ${oidc.requestToken}`)
      expect(r.status).toBe('200')
      const { value } = JSON.parse(r.body) as { value: string }
      expect(decode(value).claims.aud).toBe('sts.amazonaws.com')
    }
    for (const bad of [
      `Basic ${oidc.requestToken}`,
      `bearer ${oidc.requestToken}x`,
      `bearer${oidc.requestToken}`,
      'bearer'
    ]) {
      expect((await curl(bad)).status).toBe('401')
    }
  })

  it('parses the bearer credentials case-insensitively and nothing else', () => {
    expect(bearerToken('bearer abc')).toBe('abc')
    expect(bearerToken('Bearer  abc ')).toBe('abc')
    expect(bearerToken('BEARER abc')).toBe('abc')
    expect(bearerToken('Basic abc')).toBeUndefined()
    expect(bearerToken('Bearer a b')).toBeUndefined()
    expect(bearerToken('Bearerabc')).toBeUndefined()
    expect(bearerToken(undefined)).toBeUndefined()
  })

  it('returns an RS256 JWT with GitHub-like claims, aud from the query', async () => {
    const res = await fetchToken('sts.amazonaws.com')
    expect(res.status).toBe(200)
    const { value } = (await res.json()) as { value: string }
    const { header, claims } = decode(value)
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' })
    expect(claims).toMatchObject({
      iss: GITHUB_ISSUER,
      aud: 'sts.amazonaws.com',
      sub: 'repo:octo-org/octo-repo:ref:refs/heads/main',
      repository: 'octo-org/octo-repo',
      repository_owner: 'octo-org',
      ref: 'refs/heads/main',
      event_name: 'push'
    })
    const now = Date.now() / 1000
    expect(claims.exp as number).toBeGreaterThan(now + 240)
    expect(claims.iat as number).toBeLessThanOrEqual(now + 1)
    const [h, p, s] = value.split('.')
    const key = createPublicKey({ key: oidc.publicJwk as never, format: 'jwk' })
    expect(createVerify('RSA-SHA256').update(`${h}.${p}`).verify(key, s, 'base64url')).toBe(true)
  })

  it('defaults aud to the owner URL and honours claim overrides', async () => {
    const plain = decode(((await (await fetchToken()).json()) as { value: string }).value)
    expect(plain.claims.aud).toBe('https://github.com/octo-org')
    oidc.setClaims({ environment: 'prod', actor: null })
    const env = decode(((await (await fetchToken('x')).json()) as { value: string }).value)
    expect(env.claims.sub).toBe('repo:octo-org/octo-repo:environment:prod')
    expect(env.claims).not.toHaveProperty('actor')
    oidc.setClaims({ sub: 'repo:evil/repo:ref:refs/heads/main' })
    const evil = decode(((await (await fetchToken('x')).json()) as { value: string }).value)
    expect(evil.claims.sub).toBe('repo:evil/repo:ref:refs/heads/main')
  })

  it('injects faults', async () => {
    faults.add({ service: 'oidc', status: 503, name: 'down' })
    expect((await fetchToken('x')).status).toBe(503)
    expect(log.entries.at(-1)).toMatchObject({ fault: 'down', status: 503 })
    expect((await fetchToken('x')).status).toBe(200)
  })

  it('works with @actions/core getIDToken', async () => {
    const saved = { ...process.env }
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = oidc.requestUrl
    process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = oidc.requestToken
    const write = process.stdout.write
    // getIDToken masks the token with a workflow command on stdout; keep the test output clean.
    process.stdout.write = (() => true) as typeof process.stdout.write
    try {
      const core = await import('@actions/core')
      const jwt = await core.getIDToken('sts.amazonaws.com')
      expect(decode(jwt).claims.aud).toBe('sts.amazonaws.com')
      expect(log.entries.at(-1)?.query).toContain('audience=sts.amazonaws.com')
    } finally {
      process.stdout.write = write
      process.env = saved
    }
  })
})
