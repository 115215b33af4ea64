import { Sha256 } from '@aws-crypto/sha256-js'
import { SignatureV4 } from '@smithy/signature-v4'
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { run, staticKubeconfig, startTestbed, type Testbed } from '../../testbed/index.js'
import { findKubectlDir } from '../../testbed/mirror.js'
import { pathWithAwsCli } from '../../testbed/baseline.js'

/**
 * The "Done when": the aws CLI's update-kubeconfig against the test bed, then real kubectl
 * through the exec plugin (`aws eks get-token`), with credentials from assuming the role via OIDC;
 * and the ways EKS rejects a token.
 */
const kubectlDir = findKubectlDir()
const haveTools =
  kubectlDir !== undefined &&
  process.env.PATH?.split(':').some((d) => {
    try {
      return statSync(join(d, 'aws')).isFile()
    } catch {
      return false
    }
  })
const describeTools = haveTools ? describe : describe.skip
if (!haveTools) console.warn('aws CLI or versioned kubectl not found: skipping the aws CLI e2e')

type Creds = { AccessKeyId: string; SecretAccessKey: string; SessionToken: string }

describeTools('aws CLI + kubectl against the test bed', () => {
  let tb: Testbed
  let work: string
  let base: Record<string, string>
  let creds: Creds
  let kubeconfig: string
  /** A token from `aws eks get-token` for the test bed's cluster. */
  let valid: string

  const aws = async (args: string[], extra: Record<string, string> = {}): Promise<string> => {
    const r = await run('aws', args, { env: { ...base, ...extra } })
    if (r.code !== 0) throw new Error(`aws ${args.join(' ')} failed: ${r.stderr}`)
    return r.stdout
  }
  const kubectl = (bin: string, args: string[], env: Record<string, string> = {}) =>
    run(join(kubectlDir as string, bin), args, { env: { ...base, ...credEnv(), ...env } })
  const credEnv = (): Record<string, string> => ({
    AWS_ACCESS_KEY_ID: creds.AccessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.SecretAccessKey,
    AWS_SESSION_TOKEN: creds.SessionToken
  })
  const decode = (token: string): URL =>
    new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString())
  const encode = (url: string): string => `k8s-aws-v1.${Buffer.from(url).toString('base64url')}`
  /** Signs a token like `aws eks get-token` does, with the assumed role's own keys. */
  const sign = async (signingDate: Date, cluster = tb.clusterName): Promise<string> => {
    const hostname = `sts.${tb.region}.amazonaws.com`
    const signer = new SignatureV4({
      credentials: {
        accessKeyId: creds.AccessKeyId,
        secretAccessKey: creds.SecretAccessKey,
        sessionToken: creds.SessionToken
      },
      region: tb.region,
      service: 'sts',
      sha256: Sha256
    })
    const req = await signer.presign(
      {
        method: 'GET',
        protocol: 'https:',
        hostname,
        path: '/',
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        headers: { host: hostname, 'x-k8s-aws-id': cluster }
      },
      { expiresIn: 60, signingDate }
    )
    const q = new URLSearchParams(req.query as Record<string, string>).toString()
    return encode(`https://${hostname}/?${q}`)
  }
  /** Runs kubectl 1.33 with a static-token kubeconfig. */
  const withToken = async (token: string): Promise<{ code: number; stderr: string }> => {
    const file = join(work, `static-${Math.random().toString(36).slice(2)}.kubeconfig`)
    writeFileSync(file, staticKubeconfig(tb.endpoints.kube, tb.caPem, token, 'demo'), {
      mode: 0o600
    })
    return kubectl('kubectl.1.33', ['--kubeconfig', file, 'get', 'nodes'])
  }

  beforeAll(async () => {
    tb = await startTestbed()
    work = mkdtempSync(join(tb.dir, 'e2e-'))
    base = {
      PATH: pathWithAwsCli(),
      HOME: work,
      KUBECACHEDIR: join(work, 'kube-cache'),
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: tb.region,
      AWS_DEFAULT_REGION: tb.region
    }
    // The OIDC step as a workflow does it: a GitHub ID token, then the aws CLI assumes the role.
    const res = await fetch(`${tb.env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=sts.amazonaws.com`, {
      headers: { authorization: `Bearer ${tb.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` }
    })
    const { value } = (await res.json()) as { value: string }
    const out = await aws(
      [
        'sts',
        'assume-role-with-web-identity',
        '--role-arn',
        tb.roleArn,
        '--role-session-name',
        'e2e',
        '--web-identity-token',
        value
      ],
      { AWS_ENDPOINT_URL: tb.endpoints.aws }
    )
    creds = (JSON.parse(out) as { Credentials: Creds }).Credentials
    kubeconfig = join(work, 'kubeconfig')
    await aws(['eks', 'update-kubeconfig', '--name', tb.clusterName, '--kubeconfig', kubeconfig], {
      ...credEnv(),
      AWS_ENDPOINT_URL: tb.endpoints.aws
    })
    const token = await aws(['eks', 'get-token', '--cluster-name', tb.clusterName], credEnv())
    valid = (JSON.parse(token) as { status: { token: string } }).status.token
  })
  afterAll(() => tb?.stop())

  it('update-kubeconfig writes the cluster from DescribeCluster, mode 0600', () => {
    const text = readFileSync(kubeconfig, 'utf8')
    expect(text).toContain(`server: ${tb.endpoints.kube}`)
    expect(text).toContain('command: aws')
    expect(text).toContain(`cluster/${tb.clusterName}`)
    expect(statSync(kubeconfig).mode & 0o777).toBe(0o600)
    const ops = tb.log.entries.filter((e) => e.service === 'aws').map((e) => e.operation)
    expect(ops).toEqual(
      expect.arrayContaining(['sts:AssumeRoleWithWebIdentity', 'eks:DescribeCluster'])
    )
  })

  it.each(['kubectl.1.27', 'kubectl.1.33'])(
    '%s reads the cluster through aws eks get-token',
    async (bin) => {
      const r = await kubectl(bin, ['--kubeconfig', kubeconfig, 'get', 'nodes', '-o', 'name'])
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect(r.stdout.trim().split('\n')).toHaveLength(3)
      const authed = tb.log.entries.filter((e) => e.service === 'kube' && e.authorization)
      expect(authed.at(-1)?.status).toBe(200)
    }
  )

  it('rejects a token for another cluster, a foreign host, an extra parameter and a bad signature', async () => {
    expect((await withToken(valid)).code).toBe(0)
    const url = decode(valid)
    const foreign = new URL(url)
    foreign.host = 'sts.example.com'
    const extra = `${url.href}&X-Extra=1`
    const sig = url.searchParams.get('X-Amz-Signature') as string
    const tampered = url.href.replace(sig, sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0'))
    const cases: [string, string, RegExp][] = [
      ['wrong cluster', await sign(new Date(), 'other'), /^STS: /],
      ['foreign host', encode(foreign.href), /unexpected hostname/],
      ['extra query parameter', encode(extra), /non-whitelisted query parameter/],
      ['tampered signature', encode(tampered), /^STS: /]
    ]
    for (const [name, token, reason] of cases) {
      const r = await withToken(token)
      expect([name, r.code, r.stderr]).toEqual([name, 1, expect.stringContaining('Unauthorized')])
      expect([name, tb.access.rejections.at(-1)]).toEqual([name, expect.stringMatching(reason)])
    }
  })

  it('rejects an expired token that is otherwise valid', async () => {
    expect((await withToken(await sign(new Date()))).code).toBe(0)
    const r = await withToken(await sign(new Date(Date.now() - 16 * 60_000)))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('Unauthorized')
    expect(tb.access.rejections.at(-1)).toMatch(/expired/)
  })

  it('answers 403 Forbidden to an identity without an access entry', async () => {
    tb.access.deny(tb.roleArn)
    try {
      const r = await withToken(valid)
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('Forbidden')
      expect(r.stderr).toContain(':assumed-role/')
    } finally {
      tb.access.allow(tb.roleArn)
    }
  })
})
