import { clusterAccessHint, decodeJwtClaims, issuerOf, trustPolicyHint } from '../src/auth-hints.js'

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')

/** A GitHub-shaped ID token; the signature is random-looking but fixed. */
function jwt(claims: Record<string, unknown>): string {
  return [
    b64url({ alg: 'RS256', typ: 'JWT', kid: 'abc' }),
    b64url(claims),
    'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c-Zm9vYmFy'
  ].join('.')
}

const CLAIMS = {
  iss: 'https://token.actions.githubusercontent.com',
  aud: 'sts.amazonaws.com',
  sub: 'repo:octo-org/infra:ref:refs/heads/main',
  repository: 'octo-org/infra',
  repository_owner: 'octo-org',
  ref: 'refs/heads/main',
  event_name: 'push',
  job_workflow_ref: 'octo-org/infra/.github/workflows/cni.yml@refs/heads/main',
  exp: 1800000000
}
const TOKEN = jwt(CLAIMS)
const ROLE = 'arn:aws:iam::111122223333:role/gha-eks-cni'
const DENIED = 'AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity'

/** No part of the token that is not plain claim text may appear. */
function expectNoToken(hint: { text: string; markdown: string }, token: string): void {
  const [header, payload, signature] = token.split('.')
  for (const out of [hint.text, hint.markdown]) {
    expect(out).not.toContain(token)
    expect(out).not.toContain(header)
    expect(out).not.toContain(payload)
    expect(out).not.toContain(signature)
    expect(out).not.toMatch(/ey[\w-]{10,}\.[\w-]{10,}\./)
  }
}

describe('decodeJwtClaims', () => {
  it('decodes the payload of a JWT without verifying it', () => {
    expect(decodeJwtClaims(TOKEN)).toEqual(CLAIMS)
    expect(decodeJwtClaims(`  ${TOKEN}\n`)).toEqual(CLAIMS)
  })

  it.each([
    ['an empty string', ''],
    ['two segments', 'a.b'],
    ['a payload that is not base64url JSON', 'a.!!!.c'],
    ['a payload that is not an object', `x.${b64url([1, 2])}.y`],
    ['a payload that is not JSON', `x.${Buffer.from('nope').toString('base64url')}.y`]
  ])('gives undefined for %s', (_, input) => {
    expect(decodeJwtClaims(input)).toBeUndefined()
  })
})

describe('trustPolicyHint', () => {
  const hint = (
    claims: Record<string, unknown> | undefined,
    more: { audience?: string; errorMessage?: string } = {}
  ) =>
    trustPolicyHint({
      roleArn: ROLE,
      claims,
      audience: more.audience ?? 'sts.amazonaws.com',
      errorMessage: more.errorMessage ?? DENIED
    })

  it('names the sub condition and gives a trust policy for this repository and branch', () => {
    const h = hint(decodeJwtClaims(TOKEN))
    expect(h.text).toContain(`could not assume role ${ROLE}: ${DENIED}`)
    expect(h.text).toContain(
      'sub condition probably does not match "repo:octo-org/infra:ref:refs/heads/main"'
    )
    expect(h.text).toContain('sub: "repo:octo-org/infra:ref:refs/heads/main"')
    expect(h.text).toContain(
      'job_workflow_ref: "octo-org/infra/.github/workflows/cni.yml@refs/heads/main"'
    )
    const policy = JSON.parse(/```json\n([\s\S]+?)\n```/.exec(h.markdown)?.[1] ?? 'null')
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: {
            Federated: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com'
          },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              'token.actions.githubusercontent.com:sub': 'repo:octo-org/infra:ref:refs/heads/main'
            }
          }
        }
      ]
    })
    expect(h.markdown).toContain('### Could not assume the AWS role')
    expect(h.text).not.toMatch(/```|###|\*\*/)
    expectNoToken(h, TOKEN)
  })

  it('explains the environment form of the subject', () => {
    const claims = { ...CLAIMS, sub: 'repo:octo-org/infra:environment:prod', environment: 'prod' }
    const h = hint(claims)
    expect(h.text).toContain('environment "prod"')
    expect(h.text).toContain('not repo:octo-org/infra:ref:refs/heads/BRANCH')
    expect(h.markdown).toContain(
      '"token.actions.githubusercontent.com:sub": "repo:octo-org/infra:environment:prod"'
    )
  })

  it('explains the pull_request form of the subject', () => {
    const h = hint({
      ...CLAIMS,
      sub: 'repo:octo-org/infra:pull_request',
      event_name: 'pull_request'
    })
    expect(h.text).toContain('repo:octo-org/infra:pull_request, whatever the branch')
  })

  it('recognises a customized subject claim', () => {
    const h = hint({ ...CLAIMS, sub: 'repo:octo-org/infra:workflow:cni' })
    expect(h.text).toContain('custom format')
  })

  it('points at the audience when STS says so or a non-default audience was asked for', () => {
    const wrong = hint(
      { ...CLAIMS, aud: 'my-aud' },
      {
        audience: 'my-aud',
        errorMessage: 'InvalidIdentityToken: Incorrect token audience'
      }
    )
    expect(wrong.text).toContain("The token's audience is my-aud")
    expect(wrong.markdown).toContain('"token.actions.githubusercontent.com:aud": "my-aud"')
    expect(hint(CLAIMS).text).not.toContain("The token's audience")
  })

  it('says how to create the OIDC provider when the account has none', () => {
    const h = hint(CLAIMS, {
      errorMessage:
        'InvalidIdentityToken: No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com'
    })
    expect(h.text).toContain(
      'aws iam create-open-id-connect-provider --url https://token.actions.githubusercontent.com --client-id-list sts.amazonaws.com'
    )
  })

  it('takes partition and account from the role ARN', () => {
    const h = trustPolicyHint({
      roleArn: 'arn:aws-cn:iam::999988887777:role/ci/deployer',
      claims: CLAIMS,
      audience: 'sts.amazonaws.com',
      errorMessage: DENIED
    })
    expect(h.markdown).toContain(
      'arn:aws-cn:iam::999988887777:oidc-provider/token.actions.githubusercontent.com'
    )
    expect(h.markdown).toContain('IAM → Roles → deployer')
  })

  it('still helps without claims, with a placeholder subject', () => {
    const h = hint(undefined)
    expect(h.text).toContain('could not be decoded')
    expect(h.markdown).toContain('repo:OWNER/REPO:ref:refs/heads/BRANCH')
  })

  it('never repeats a token, even one that leaks into the error message or a claim', () => {
    const h = hint(
      { ...CLAIMS, job_workflow_ref: TOKEN },
      { errorMessage: `AccessDenied for token ${TOKEN}` }
    )
    expect(h.text).toContain('[redacted token]')
    expectNoToken(h, TOKEN)
  })
})

describe('clusterAccessHint', () => {
  const base = {
    callerArn: 'arn:aws:sts::111122223333:assumed-role/gha-eks-cni/GitHubActions',
    clusterName: 'demo',
    region: 'ap-northeast-2'
  }
  const ROLE_ARN = 'arn:aws:iam::111122223333:role/gha-eks-cni'

  it('names the caller, maps the assumed role, and gives the exact access-entry commands', () => {
    const h = clusterAccessHint({ ...base, status: 401, message: 'Unauthorized' })
    expect(h.text).toContain('answered 401: Unauthorized')
    expect(h.text).toContain(`Caller: ${base.callerArn}`)
    expect(h.text).toContain(`Access entry principal: ${ROLE_ARN}`)
    for (const out of [h.text, h.markdown]) {
      expect(out).toContain(
        `aws eks create-access-entry --region ap-northeast-2 --cluster-name demo --principal-arn ${ROLE_ARN}`
      )
      expect(out).toContain(
        `aws eks associate-access-policy --region ap-northeast-2 --cluster-name demo --principal-arn ${ROLE_ARN} ` +
          '--policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy ' +
          '--access-scope type=cluster'
      )
      expect(out).toContain('CONFIG_MAP')
      expect(out).toContain('aws-auth')
    }
    expect(h.text).toContain('no access entry')
    expect(h.markdown).toContain('### No access to EKS cluster demo')
    expect(h.text).not.toMatch(/`|###|\*\*/)
  })

  it('explains a 403 as missing rights of a known identity', () => {
    const h = clusterAccessHint({ ...base, status: 403 })
    expect(h.text).toContain('EKS knows this IAM identity')
    expect(h.text).toContain('skip the first command')
  })

  it('keeps an IAM user ARN and a GovCloud partition as they are', () => {
    const h = clusterAccessHint({
      ...base,
      status: 401,
      callerArn: 'arn:aws-us-gov:iam::111122223333:user/ci'
    })
    expect(h.text).not.toContain('Access entry principal')
    expect(h.text).toContain('--principal-arn arn:aws-us-gov:iam::111122223333:user/ci')
    expect(h.text).toContain(
      'arn:aws-us-gov:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy'
    )
  })

  it('uses a placeholder when the caller is unknown', () => {
    const h = clusterAccessHint({ ...base, status: 401, callerArn: undefined })
    expect(h.text).toContain('Caller: unknown')
    expect(h.text).toContain('--principal-arn <role-arn>')
  })

  it('never repeats a bearer token that reaches it through the message', () => {
    const bearer = `k8s-aws-v1.${TOKEN}`
    const h = clusterAccessHint({ ...base, status: 401, message: `Unauthorized: ${bearer}` })
    expectNoToken(h, TOKEN)
    const eks = `k8s-aws-v1.${Buffer.from('https://sts.ap-northeast-2.amazonaws.com/?Action=GetCallerIdentity&X-Amz-Signature=abc').toString('base64url')}`
    const h2 = clusterAccessHint({ ...base, status: 401, message: `token ${eks} refused` })
    expect(h2.text).not.toContain(eks.slice(11, 40))
    expect(h2.text).toContain('token [redacted token] refused')
  })
})

describe('the issuer of the token the action holds', () => {
  it.each([
    [
      'github.com',
      'https://token.actions.githubusercontent.com',
      'token.actions.githubusercontent.com'
    ],
    ['GHES', 'https://ghes.example.com/_services/token', 'ghes.example.com/_services/token'],
    [
      'a GHEC enterprise issuer',
      'https://token.actions.githubusercontent.com/octo-enterprise',
      'token.actions.githubusercontent.com/octo-enterprise'
    ],
    [
      'a trailing slash',
      'https://ghes.example.com/_services/token/',
      'ghes.example.com/_services/token'
    ],
    ['no iss', undefined, 'token.actions.githubusercontent.com'],
    [
      'an iss that is not an https URL',
      'http://evil.example/x"y',
      'token.actions.githubusercontent.com'
    ]
  ])('%s', (_, iss, expected) => {
    expect(issuerOf(iss === undefined ? {} : { iss })).toBe(expected)
  })

  it('names the GHES issuer in the causes and the trust policy, never github.com', () => {
    const claims = { ...CLAIMS, iss: 'https://ghes.example.com/_services/token' }
    const token = jwt(claims)
    const hint = trustPolicyHint({
      roleArn: ROLE,
      claims: decodeJwtClaims(token),
      audience: 'sts.amazonaws.com',
      errorMessage:
        'No OpenIDConnect provider found in your account for https://ghes.example.com/_services/token'
    })
    for (const out of [hint.text, hint.markdown]) {
      expect(out).not.toContain('token.actions.githubusercontent.com')
      expect(out).toContain(
        'aws iam create-open-id-connect-provider --url https://ghes.example.com/_services/token'
      )
      expect(out).toContain(
        '"Federated": "arn:aws:iam::111122223333:oidc-provider/ghes.example.com/_services/token"'
      )
      expect(out).toContain(
        '"ghes.example.com/_services/token:sub": "repo:octo-org/infra:ref:refs/heads/main"'
      )
      expect(out).toContain('"ghes.example.com/_services/token:aud": "sts.amazonaws.com"')
    }
    expect(hint.text).toContain('iss: "https://ghes.example.com/_services/token"')
    expectNoToken(hint, token)
  })
})
