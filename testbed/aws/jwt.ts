/**
 * GitHub Actions OIDC tokens for the test bed. The signature is fake: the patched moto STS only
 * decodes the payload (it cannot know GitHub's keys), exactly like the rest of the test bed.
 */

/** Claims a GitHub OIDC token carries that the AWS trust policy looks at (plus a few realistic ones). */
export interface GithubClaims {
  iss: string
  aud: string | string[]
  sub: string
  exp: number
  iat: number
  nbf?: number
  repository?: string
  ref?: string
  [claim: string]: unknown
}

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url')

/** Builds a well-formed JWT (header.payload.signature) whose signature is not real. */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const header = { alg: 'RS256', typ: 'JWT', kid: 'testbed' }
  return `${b64url(header)}.${b64url(claims)}.${Buffer.from('not-a-real-signature').toString('base64url')}`
}

/**
 * Claims as GitHub issues them for a push to `ref` in `repo`, valid for 5 minutes from `now`;
 * `overrides` replaces any claim (e.g. `{ aud: 'wrong' }` or `{ exp: 0 }`).
 */
export function githubClaims(
  repo = 'octo-org/octo-repo',
  overrides: Partial<GithubClaims> = {},
  now = new Date()
): GithubClaims {
  const iat = Math.floor(now.getTime() / 1000)
  const ref = 'refs/heads/main'
  return {
    iss: 'https://token.actions.githubusercontent.com',
    aud: 'sts.amazonaws.com',
    sub: `repo:${repo}:ref:${ref}`,
    repository: repo,
    ref,
    iat,
    nbf: iat - 5,
    exp: iat + 300,
    ...overrides
  }
}

/** A fake GitHub OIDC token for `repo`; see {@link githubClaims}. */
export function githubJwt(repo?: string, overrides: Partial<GithubClaims> = {}): string {
  return unsignedJwt({ ...githubClaims(repo, overrides) })
}
