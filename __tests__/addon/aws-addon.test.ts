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
import { type FakeEks, addonBody, fakeClock, startFakeEks } from './fake-eks.js'

let fake: FakeEks
let eks: FakeEks['eks']
let seen: FakeEks['seen']
beforeAll(async () => {
  fake = await startFakeEks()
  eks = fake.eks
  seen = fake.seen
})
afterAll(() => fake.close())
beforeEach(() => void (seen.length = 0))

describe('EKS add-on calls', () => {
  it('DescribeAddon: the add-on, its values and timestamps', async () => {
    fake.route = ({ method, path }) =>
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
    fake.route = () => ({
      status: 404,
      error: 'ResourceNotFoundException',
      body: {
        message: 'No addon: vpc-cni found in cluster: demo',
        clusterName: 'demo',
        addonName: 'vpc-cni'
      }
    })
    expect(await describeVpcCniAddon(eks, 'demo')).toEqual({ present: false })
    fake.route = () => ({
      status: 403,
      error: 'AccessDeniedException',
      body: { message: 'User is not authorized' }
    })
    await expect(describeVpcCniAddon(eks, 'demo')).rejects.toThrow(
      "Not allowed to call eks:DescribeAddon on EKS cluster 'demo': the credentials need eks:DescribeAddon"
    )
  })

  it('DescribeAddonConfiguration: the schema text of the version', async () => {
    fake.route = ({ path, query }) =>
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
    fake.route = ({ path, query }) => {
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
    fake.route = ({ method, path }) => {
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
    expect(await updateVpcCniAddon(eks, write, 'token-1')).toBe('u-1')
    await createVpcCniAddon(
      eks,
      { ...write, addonVersion: 'v1.19.6-eksbuild.1', resolveConflicts: 'NONE' },
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
    fake.route = () => ({
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
    fake.route = ({ path, query }) =>
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
      log: (l) => lines.push(l)
    })
    expect(clock.slept).toEqual([5_000, 5_000])
    expect(lines[0]).toBe(
      'Waiting for vpc-cni add-on update u-1: InProgress (0 s elapsed, 60 s left)'
    )
  })

  it("DescribeUpdate Failed: the update's errors, verbatim", async () => {
    const conflict =
      'Conflicts found when trying to apply. Will not continue due to resolve conflicts mode. Conflicts:\nDaemonSet.apps aws-node - .spec.template.spec.containers[name="aws-node"].env[name="ENABLE_PREFIX_DELEGATION"].value'
    fake.route = () => ({
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
    fake.route = () => ({ body: addonBody(statuses.shift()!) })
    const active = await waitForAddonActive(eks, 'demo', { deadline: 60_000, clock: fakeClock() })
    expect(active.status).toBe('ACTIVE')
    fake.route = () => ({
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
    fake.route = () => ({ body: addonBody('CREATING') })
    const clock = fakeClock()
    await expect(
      waitForAddonActive(eks, 'demo', { deadline: 25_000, intervalMs: 10_000, clock })
    ).rejects.toThrow(
      'Timed out after 25 s waiting for the vpc-cni add-on to be ACTIVE; it is still CREATING'
    )
    expect(clock.slept).toEqual([10_000, 10_000, 5_000])
  })
})
