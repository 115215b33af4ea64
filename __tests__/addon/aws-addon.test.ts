import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { EKSClient } from '@aws-sdk/client-eks'
import {
  createVpcCniAddon,
  describeAddonSchema,
  describeVpcCniAddon,
  listAddonVersions,
  updateVpcCniAddon
} from '../../src/aws/addon.js'
import {
  AddonUpdateError,
  waitForAddonActive,
  waitForAddonUpdate
} from '../../src/aws/addon-wait.js'
import type { Clock } from '../../src/addon/wait.js'
import { applyAddonPlan, failedOutcome } from '../../src/addon/apply.js'
import type { AddonPlan } from '../../src/addon/plan.js'

/**
 * A fake EKS endpoint on 127.0.0.1 speaking the rest-json wire format of the EKS 2017-11-01
 * model (paths, query strings, epoch-second timestamps, x-amzn-errortype), so the real SDK
 * serializes the requests and parses the answers.
 */
type Reply = { status?: number; error?: string; body: Record<string, unknown> }
type Route = (req: {
  method: string
  path: string
  query: URLSearchParams
  body: Record<string, unknown>
}) => Reply | undefined

let server: Server
let eks: EKSClient
let route: Route
const seen: { method: string; path: string; query: string; body: Record<string, unknown> }[] = []

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = ''
    req.on('data', (c) => (text += c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x')
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {}
      seen.push({ method: req.method ?? '', path: url.pathname, query: url.search, body })
      const reply = route({
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        body
      }) ?? {
        status: 404,
        error: 'NotFoundException',
        body: { message: 'no route' }
      }
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (reply.error) headers['x-amzn-errortype'] = reply.error
      res.writeHead(reply.status ?? 200, headers).end(JSON.stringify(reply.body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  eks = new EKSClient({
    region: 'us-west-2',
    endpoint: `http://127.0.0.1:${port}`,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' }
  })
})
afterAll(async () => {
  eks.destroy()
  await new Promise((resolve) => server.close(resolve))
})
beforeEach(() => void (seen.length = 0))

const noSleep = async (): Promise<void> => undefined
function fakeClock(): Clock & { slept: number[] } {
  let t = 0
  const slept: number[] = []
  return { slept, now: () => t, sleep: async (ms) => void (slept.push(ms), (t += ms)) }
}
const addonBody = (status: string, extra: Record<string, unknown> = {}) => ({
  addon: {
    addonName: 'vpc-cni',
    clusterName: 'demo',
    status,
    addonVersion: 'v1.19.6-eksbuild.1',
    health: { issues: [] },
    addonArn: 'arn:aws:eks:us-west-2:123456789012:addon/demo/vpc-cni/abc',
    createdAt: 1764547200,
    modifiedAt: 1764550800.5,
    tags: {},
    ...extra
  }
})

describe('EKS add-on calls', () => {
  it('DescribeAddon: the add-on, its values and timestamps', async () => {
    route = ({ method, path }) =>
      method === 'GET' && path === '/clusters/demo/addons/vpc-cni'
        ? { body: addonBody('ACTIVE', { configurationValues: 'env:\n  WARM_IP_TARGET: "1"\n' }) }
        : undefined
    const addon = await describeVpcCniAddon(eks, 'demo')
    expect(addon).toEqual({
      present: true,
      status: 'ACTIVE',
      version: 'v1.19.6-eksbuild.1',
      configurationValues: 'env:\n  WARM_IP_TARGET: "1"\n',
      modifiedAt: new Date(1764550800500),
      issues: []
    })
  })

  it('DescribeAddon: ResourceNotFoundException means no add-on; AccessDenied names the action', async () => {
    route = () => ({
      status: 404,
      error: 'ResourceNotFoundException',
      body: {
        message: 'No addon: vpc-cni found in cluster: demo',
        clusterName: 'demo',
        addonName: 'vpc-cni'
      }
    })
    expect(await describeVpcCniAddon(eks, 'demo')).toEqual({ present: false })
    route = () => ({
      status: 403,
      error: 'AccessDeniedException',
      body: { message: 'User is not authorized' }
    })
    await expect(describeVpcCniAddon(eks, 'demo')).rejects.toThrow(
      "Not allowed to call eks:DescribeAddon on EKS cluster 'demo': the credentials need eks:DescribeAddon"
    )
  })

  it('DescribeAddonConfiguration: the schema text of the version', async () => {
    route = ({ path, query }) =>
      path === '/addons/configuration-schemas' &&
      query.get('addonName') === 'vpc-cni' &&
      query.get('addonVersion') === 'v1.19.6-eksbuild.1'
        ? {
            body: {
              addonName: 'vpc-cni',
              addonVersion: 'v1.19.6-eksbuild.1',
              configurationSchema: '{"type":"object"}'
            }
          }
        : undefined
    expect(await describeAddonSchema(eks, 'demo', 'v1.19.6-eksbuild.1')).toBe('{"type":"object"}')
  })

  it('DescribeAddonVersions: follows nextToken across pages', async () => {
    route = ({ path, query }) => {
      if (path !== '/addons/supported-versions' || query.get('kubernetesVersion') !== '1.31')
        return undefined
      const page2 = query.get('nextToken') === 'p2'
      const version = page2 ? 'v1.18.6-eksbuild.1' : 'v1.19.6-eksbuild.1'
      return {
        body: {
          addons: [
            {
              addonName: 'vpc-cni',
              type: 'networking',
              addonVersions: [
                {
                  addonVersion: version,
                  architecture: ['amd64', 'arm64'],
                  compatibilities: [
                    { clusterVersion: '1.31', platformVersions: ['*'], defaultVersion: !page2 }
                  ],
                  requiresConfiguration: false
                }
              ],
              publisher: 'eks',
              owner: 'aws'
            }
          ],
          ...(page2 ? {} : { nextToken: 'p2' })
        }
      }
    }
    expect(await listAddonVersions(eks, 'demo', '1.31')).toEqual([
      { addonVersion: 'v1.19.6-eksbuild.1', clusterVersions: ['1.31'], defaultFor: ['1.31'] },
      { addonVersion: 'v1.18.6-eksbuild.1', clusterVersions: ['1.31'], defaultFor: [] }
    ])
  })

  it('UpdateAddon and CreateAddon send the values, version, resolveConflicts and a request token', async () => {
    route = ({ method, path }) => {
      if (method === 'POST' && path === '/clusters/demo/addons/vpc-cni/update')
        return {
          body: {
            update: { id: 'u-1', status: 'InProgress', type: 'AddonUpdate', params: [], errors: [] }
          }
        }
      if (method === 'POST' && path === '/clusters/demo/addons')
        return { body: addonBody('CREATING') }
      return undefined
    }
    const write = {
      clusterName: 'demo',
      configurationValues: '{"env":{"WARM_IP_TARGET":"1"}}',
      resolveConflicts: 'OVERWRITE' as const
    }
    expect(await updateVpcCniAddon(eks, write, {}, 'token-1')).toBe('u-1')
    await createVpcCniAddon(
      eks,
      { ...write, addonVersion: 'v1.19.6-eksbuild.1', resolveConflicts: 'NONE' },
      {},
      'token-2'
    )
    expect(seen.map((s) => s.body)).toEqual([
      {
        configurationValues: write.configurationValues,
        resolveConflicts: 'OVERWRITE',
        clientRequestToken: 'token-1'
      },
      {
        addonName: 'vpc-cni',
        addonVersion: 'v1.19.6-eksbuild.1',
        configurationValues: write.configurationValues,
        resolveConflicts: 'NONE',
        clientRequestToken: 'token-2'
      }
    ])
  })

  it("UpdateAddon: EKS's InvalidParameterException text reaches the error", async () => {
    const text =
      'ConfigurationValue provided in request is not supported [$.env.BOGUS: is not defined in the schema and the schema does not allow additional properties]'
    route = () => ({
      status: 400,
      error: 'InvalidParameterException',
      body: { message: text, addonName: 'vpc-cni' }
    })
    await expect(
      updateVpcCniAddon(eks, { clusterName: 'demo', resolveConflicts: 'NONE' })
    ).rejects.toThrow(`eks:UpdateAddon failed for EKS cluster 'demo': ${text}`)
  })

  it('DescribeUpdate until Successful, with the addonName query', async () => {
    const statuses = ['InProgress', 'InProgress', 'Successful']
    route = ({ path, query }) =>
      path === '/clusters/demo/updates/u-1' && query.get('addonName') === 'vpc-cni'
        ? {
            body: {
              update: {
                id: 'u-1',
                status: statuses.shift(),
                type: 'AddonUpdate',
                params: [],
                errors: []
              }
            }
          }
        : undefined
    const clock = fakeClock()
    const lines: string[] = []
    await waitForAddonUpdate(eks, 'demo', 'u-1', {
      deadline: 60_000,
      intervalMs: 5_000,
      clock,
      log: (l) => lines.push(l),
      retrySleep: noSleep
    })
    expect(clock.slept).toEqual([5_000, 5_000])
    expect(lines[0]).toBe(
      'Waiting for vpc-cni add-on update u-1: InProgress (0 s elapsed, 60 s left)'
    )
  })

  it("DescribeUpdate Failed: the update's errors, verbatim", async () => {
    const conflict =
      'Conflicts found when trying to apply. Will not continue due to resolve conflicts mode. Conflicts:\nDaemonSet.apps aws-node - .spec.template.spec.containers[name="aws-node"].env[name="ENABLE_PREFIX_DELEGATION"].value'
    route = () => ({
      body: {
        update: {
          id: 'u-2',
          status: 'Failed',
          type: 'AddonUpdate',
          params: [],
          errors: [
            {
              errorCode: 'ConfigurationConflict',
              errorMessage: conflict,
              resourceIds: ['aws-node']
            }
          ]
        }
      }
    })
    const wait = waitForAddonUpdate(eks, 'demo', 'u-2', { deadline: 60_000, clock: fakeClock() })
    await expect(wait).rejects.toBeInstanceOf(AddonUpdateError)
    await expect(wait).rejects.toThrow(`The vpc-cni add-on update u-2 ended Failed:\n- ${conflict}`)
    await expect(wait).rejects.toMatchObject({ errors: [conflict], status: 'Failed' })
  })

  it('DescribeAddon until ACTIVE; DEGRADED fails with its health issues', async () => {
    const statuses = ['UPDATING', 'ACTIVE']
    route = () => ({ body: addonBody(statuses.shift()!) })
    const active = await waitForAddonActive(eks, 'demo', { deadline: 60_000, clock: fakeClock() })
    expect(active.status).toBe('ACTIVE')
    route = () => ({
      body: addonBody('DEGRADED', {
        health: {
          issues: [
            {
              code: 'InsufficientNumberOfReplicas',
              message: 'not enough pods',
              resourceIds: ['aws-node']
            }
          ]
        }
      })
    })
    await expect(
      waitForAddonActive(eks, 'demo', { deadline: 60_000, clock: fakeClock() })
    ).rejects.toThrow(
      'The vpc-cni add-on is DEGRADED:\n- InsufficientNumberOfReplicas: not enough pods (aws-node)'
    )
  })

  it('times out at the deadline while the add-on stays CREATING', async () => {
    route = () => ({ body: addonBody('CREATING') })
    const clock = fakeClock()
    await expect(
      waitForAddonActive(eks, 'demo', { deadline: 25_000, intervalMs: 10_000, clock })
    ).rejects.toThrow(
      'Timed out after 25 s waiting for the vpc-cni add-on to be ACTIVE; it is still CREATING'
    )
    expect(clock.slept).toEqual([10_000, 10_000, 5_000])
  })
})

describe('applyAddonPlan', () => {
  const plan: AddonPlan = {
    action: 'update',
    addonVersion: 'v1.19.6-eksbuild.1',
    current: {},
    desired: { env: { WARM_IP_TARGET: '1' } },
    changes: [{ key: 'env.WARM_IP_TARGET', after: '1' }],
    configurationValues: '{"env":{"WARM_IP_TARGET":"1"}}',
    noop: false,
    applyEniConfigsDirectly: false,
    versionReason: 'keeps'
  }
  const options = {
    clusterName: 'demo',
    resolveConflicts: 'OVERWRITE' as const,
    dryRun: false,
    wait: true,
    deadline: 60_000
  }

  it('sends nothing on a dry run or a no-op', async () => {
    route = () => undefined
    expect(await applyAddonPlan(eks, plan, { ...options, dryRun: true })).toEqual({
      kind: 'dry-run',
      wouldChange: true
    })
    expect(await applyAddonPlan(eks, { ...plan, noop: true }, options)).toEqual({
      kind: 'unchanged'
    })
    expect(seen).toEqual([])
  })

  it('updates, waits for the update and then for the add-on', async () => {
    const updates = ['InProgress', 'Successful']
    const addons = ['UPDATING', 'ACTIVE']
    route = ({ method, path }) => {
      if (method === 'POST' && path === '/clusters/demo/addons/vpc-cni/update')
        return {
          body: {
            update: { id: 'u-9', status: 'InProgress', type: 'AddonUpdate', params: [], errors: [] }
          }
        }
      if (path === '/clusters/demo/updates/u-9')
        return {
          body: { update: { id: 'u-9', status: updates.shift(), type: 'AddonUpdate', errors: [] } }
        }
      if (method === 'GET' && path === '/clusters/demo/addons/vpc-cni')
        return { body: addonBody(addons.shift()!) }
      return undefined
    }
    const outcome = await applyAddonPlan(eks, plan, { ...options, clock: fakeClock() })
    expect(outcome).toEqual({ kind: 'updated', updateId: 'u-9' })
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      'POST /clusters/demo/addons/vpc-cni/update',
      'GET /clusters/demo/updates/u-9',
      'GET /clusters/demo/updates/u-9',
      'GET /clusters/demo/addons/vpc-cni',
      'GET /clusters/demo/addons/vpc-cni'
    ])
  })

  it('a Failed update throws with the errors; failedOutcome reports it', async () => {
    route = ({ method, path }) => {
      if (method === 'POST')
        return { body: { update: { id: 'u-3', status: 'InProgress', type: 'AddonUpdate' } } }
      if (path === '/clusters/demo/updates/u-3')
        return {
          body: {
            update: {
              id: 'u-3',
              status: 'Failed',
              errors: [{ errorCode: 'ConfigurationConflict', errorMessage: 'Conflicts found' }]
            }
          }
        }
      return undefined
    }
    const error = await applyAddonPlan(eks, plan, { ...options, clock: fakeClock() }).catch(
      (e: unknown) => e
    )
    expect(failedOutcome(error)).toEqual({
      kind: 'failed',
      updateId: 'u-3',
      errors: ['Conflicts found']
    })
    expect(failedOutcome(new Error('other'))).toBeUndefined()
  })
})
