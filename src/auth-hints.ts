/**
 * Helpful auth failures. A denied AssumeRoleWithWebIdentity and a 401/403 from the
 * Kubernetes API are the most common CI failures here, and both arrive as one opaque line. These
 * builders turn what we know (the ID token's claims, the caller ARN) into the likely cause and the
 * exact fix. They never see credentials, and any JWT-shaped text that reaches them is redacted.
 */
import { type AuthHint, redact } from './errors.js'
import { renderHint } from './report/hint.js'
import { isObject } from './json.js'

// github.com's issuer, for a token whose claims cannot be read. GitHub Enterprise Server issues
// tokens as https://HOSTNAME/_services/token, and a GHEC enterprise may have its own issuer URL.
const GITHUB_ISSUER = 'token.actions.githubusercontent.com'
const DEFAULT_AUDIENCE = 'sts.amazonaws.com'
const ROLE_ARN = /^arn:([\w-]+):iam::(\d{12}):role\/(.+)$/
// Claims worth showing; none is secret (GitHub documents them in its OIDC guide).
const SHOWN_CLAIMS = 'iss sub aud repository ref environment event_name job_workflow_ref'.split(' ')

/** Decode a JWT's payload without verifying (claims are not secret); never return or print the token itself. */
export function decodeJwtClaims(jwt: string): Record<string, unknown> | undefined {
  const parts = jwt.trim().split('.')
  if (parts.length !== 3 || !/^[\w-]+$/.test(parts[1])) return undefined
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
    return isObject(claims) ? claims : undefined
  } catch {
    return undefined
  }
}

/**
 * The token's issuer as IAM names it: the `iss` URL without `https://` (the OIDC provider's name,
 * and the prefix of its `:aud` and `:sub` condition keys). github.com's issuer when unknown.
 */
export function issuerOf(claims: Record<string, unknown> | undefined): string {
  const iss = claims?.iss
  const m =
    typeof iss === 'string' ? /^https:\/\/([\w.-]+(?::\d+)?(?:\/[\w.~-]+)*)\/?$/.exec(iss) : null
  return m ? m[1] : GITHUB_ISSUER
}

/**
 * For AccessDenied from AssumeRoleWithWebIdentity: which trust-policy condition probably did not
 * match (sub against the repo:OWNER/REPO:ref:… / environment:… / pull_request forms, aud against
 * sts.amazonaws.com), plus a minimal trust policy for this repository, ref or environment, in the
 * account of the role.
 */
export function trustPolicyHint(p: {
  /** The role-to-assume input, already checked to be a role ARN. */
  roleArn: string
  claims: Record<string, unknown> | undefined
  audience: string
  errorMessage: string
}): AuthHint {
  const role = ROLE_ARN.exec(p.roleArn)
  const partition = role?.[1] ?? 'aws'
  const account = role?.[2] ?? '<account-id>'
  const claims = p.claims ?? {}
  const sub = typeof claims.sub === 'string' ? claims.sub : undefined
  const issuer = issuerOf(p.claims)
  const causes = likelyCauses(p, claims, sub, partition, account, issuer)
  const shown = SHOWN_CLAIMS.filter((k) => claims[k] !== undefined).map(
    (k) => `${k}: ${redact(JSON.stringify(claims[k]))}`
  )
  const policy = JSON.stringify(trustPolicy(partition, account, issuer, p.audience, sub), null, 2)
  return renderHint(
    {
      title: 'Could not assume the AWS role',
      parts: [
        {
          line: [
            'GitHub OIDC could not assume role ',
            { code: p.roleArn },
            ': ',
            { code: redact(p.errorMessage) }
          ]
        },
        { line: 'Probable cause:' },
        { list: causes },
        {
          line: p.claims
            ? "The ID token's claims (not secret) the trust policy is matched against:"
            : 'The ID token could not be decoded, so its claims are unknown.'
        },
        ...(shown.length > 0 ? [{ list: shown.map((c) => [{ code: c }]) }] : []),
        {
          line: [
            'A minimal trust policy for role ',
            { code: p.roleArn },
            ` (IAM → Roles → ${roleName(p.roleArn)} → Trust relationships):`
          ]
        },
        { block: policy.split('\n'), lang: 'json', raw: true }
      ]
    },
    redact
  )
}

/**
 * For a 401/403 from the Kubernetes API: the caller ARN, the IAM role ARN an access entry names for
 * it, and the access-entry commands, plus the aws-auth route for clusters in CONFIG_MAP mode.
 */
export function clusterAccessHint(p: {
  status: 401 | 403
  callerArn: string | undefined
  clusterName: string
  region: string
  message?: string
}): AuthHint {
  const principal = p.callerArn ? principalArn(p.callerArn) : '<role-arn>'
  const partition = /^arn:([\w-]+):/.exec(principal)?.[1] ?? 'aws'
  const caller = p.callerArn ?? 'unknown (STS GetCallerIdentity failed)'
  const why =
    p.status === 401
      ? 'EKS did not map this IAM identity to any Kubernetes user: it has no access entry (and no ' +
        'aws-auth entry). Less often the token expired or was minted for another cluster.'
      : 'EKS knows this IAM identity, but its access policy or RBAC does not allow the writes the ' +
        'action makes (cluster-scoped CRDs, ClusterRoles, the aws-node DaemonSet).'
  const where = `--region ${p.region} --cluster-name ${p.clusterName} --principal-arn ${principal}`
  const commands = [
    ...(p.status === 401 ? [] : ['# if the entry exists already, skip the first command']),
    `aws eks create-access-entry ${where}`,
    `aws eks associate-access-policy ${where} ` +
      `--policy-arn arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy ` +
      '--access-scope type=cluster'
  ]
  const mode =
    `aws eks describe-cluster --name ${p.clusterName} --region ${p.region} ` +
    '--query cluster.accessConfig.authenticationMode'
  const configMap = [
    'A cluster in CONFIG_MAP authentication mode has no access entries: either switch it with ',
    {
      code:
        `aws eks update-cluster-config --name ${p.clusterName} --region ${p.region} ` +
        '--access-config authenticationMode=API_AND_CONFIG_MAP'
    },
    ', or have a cluster admin map the role in the aws-auth ConfigMap (kube-system), e.g. ',
    {
      code:
        `eksctl create iamidentitymapping --cluster ${p.clusterName} --region ${p.region} ` +
        `--arn ${principal} --username github-actions --group system:masters`
    },
    '.'
  ]
  const pathNote = [
    'An assumed-role ARN does not show the role path: if the role has one (role/PATH/NAME), ',
    'use the full ARN from ',
    { code: 'aws iam get-role --role-name NAME' },
    '.'
  ]
  const message = p.message ? redact(p.message) : undefined
  return renderHint(
    {
      title: `No access to EKS cluster ${p.clusterName}`,
      parts: [
        {
          line: [
            `The Kubernetes API of EKS cluster ${p.clusterName} answered ${p.status}`,
            ...(message ? [': ', { code: message }] : [])
          ]
        },
        {
          list: [
            ['Caller: ', { code: caller }],
            ...(principal !== p.callerArn && p.callerArn
              ? [['Access entry principal: ', { code: principal }]]
              : [])
          ]
        },
        { line: why },
        { line: 'Give it cluster-admin rights with an EKS access entry:' },
        { block: commands, lang: 'sh' },
        { line: pathNote },
        { line: ['Check the authentication mode with: ', { code: mode }] },
        { line: configMap }
      ]
    },
    redact
  )
}

function likelyCauses(
  p: { roleArn: string; audience: string; errorMessage: string },
  claims: Record<string, unknown>,
  sub: string | undefined,
  partition: string,
  account: string,
  issuer: string
): string[] {
  const causes: string[] = []
  const error = p.errorMessage
  if (/No OpenIDConnect provider found/i.test(error)) {
    causes.push(
      `Account ${account} has no IAM OIDC provider for ${issuer}. Create it once: ` +
        `aws iam create-open-id-connect-provider --url https://${issuer} ` +
        `--client-id-list ${p.audience}`
    )
  }
  const aud = claims.aud
  const audiences = Array.isArray(aud) ? aud.map(String) : typeof aud === 'string' ? [aud] : []
  if (/audience/i.test(error) || p.audience !== DEFAULT_AUDIENCE) {
    causes.push(
      `The token's audience is ${audiences.join(', ') || p.audience}. The trust policy's ` +
        `${issuer}:aud condition and the OIDC provider's client IDs must list it; both usually ` +
        `say ${DEFAULT_AUDIENCE}, the default of the audience input.`
    )
  }
  if (sub) {
    causes.push(
      `The trust policy's ${issuer}:sub condition probably does not match "${sub}". ${subForm(sub, claims)}`
    )
  } else {
    causes.push(`The trust policy's ${issuer}:sub condition did not match the job's subject.`)
  }
  // STS answers a missing role with the same AccessDenied as a condition mismatch.
  causes.push(
    `Less likely: the role does not exist in account ${account}, or its trust policy names another ` +
      `provider than arn:${partition}:iam::${account}:oidc-provider/${issuer}.`
  )
  return causes
}

/** Explains which of GitHub's subject forms this job has, since the policy must use that form. */
function subForm(sub: string, claims: Record<string, unknown>): string {
  const repo = typeof claims.repository === 'string' ? claims.repository : 'OWNER/REPO'
  if (/:environment:/.test(sub)) {
    return (
      `This job uses environment "${String(claims.environment ?? sub.split(':environment:')[1])}", so its subject ` +
      `has the environment form, not repo:${repo}:ref:refs/heads/BRANCH; a branch condition never matches it.`
    )
  }
  if (/:pull_request$/.test(sub)) {
    return (
      `Jobs triggered by pull_request have the subject repo:${repo}:pull_request, whatever the branch; ` +
      'a ref condition never matches them.'
    )
  }
  if (/:ref:refs\/tags\//.test(sub)) {
    return `This job runs for a tag, so its subject names refs/tags/…, not a branch.`
  }
  if (/:ref:refs\/heads\//.test(sub)) {
    return (
      `The subject names branch ${sub.split(':ref:refs/heads/')[1]}; a condition for another branch, ` +
      `another repository or an environment does not match it (StringLike allows * wildcards).`
    )
  }
  return (
    'This subject has a custom format (the repository or organization customizes its OIDC subject ' +
    'claim), so the trust policy must match that format.'
  )
}

function trustPolicy(
  partition: string,
  account: string,
  issuer: string,
  audience: string,
  sub: string | undefined
) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: {
          Federated: `arn:${partition}:iam::${account}:oidc-provider/${issuer}`
        },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${issuer}:aud`]: audience,
            [`${issuer}:sub`]: sub ?? 'repo:OWNER/REPO:ref:refs/heads/BRANCH'
          }
        }
      }
    ]
  }
}

/** arn:…:sts::A:assumed-role/R/S → arn:…:iam::A:role/R, the ARN access entries and aws-auth use. */
export function principalArn(arn: string): string {
  const m = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn)
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : arn
}

function roleName(arn: string): string {
  const path = ROLE_ARN.exec(arn)?.[3]
  return path ? (path.split('/').pop() ?? path) : arn
}
