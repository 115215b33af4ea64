import { applyAddonPlan, failedOutcome } from '../../src/addon/apply.js'
import { prepareAddonPlan, readClusterKind } from '../../src/addon/flow.js'
import type { AddonPlan } from '../../src/addon/plan.js'
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

const clusterBody = (status: string) => ({
  cluster: {
    name: 'demo',
    arn: 'arn:aws:eks:us-west-2:123456789012:cluster/demo',
    status,
    version: '1.31',
    endpoint: 'https://example.eks.amazonaws.com',
    certificateAuthority: { data: 'LS0t' },
    resourcesVpcConfig: { vpcId: 'vpc-1', clusterSecurityGroupId: 'sg-c' },
    kubernetesNetworkConfig: { ipFamily: 'ipv4' },
    computeConfig: { enabled: false }
  }
})
const schema = JSON.stringify({
  $schema: 'http://json-schema.org/draft-06/schema#',
  type: 'object',
  additionalProperties: false,
  properties: {
    env: { type: 'object', additionalProperties: { type: 'string' } },
    eniConfig: { type: 'object' }
  }
})

describe('readClusterKind', () => {
  it('reads DescribeCluster and DescribeAddon together', async () => {
    fake.route = ({ path }) =>
      path === '/clusters/demo'
        ? { body: clusterBody('ACTIVE') }
        : path === '/clusters/demo/addons/vpc-cni'
          ? { body: addonBody('ACTIVE') }
          : undefined
    const reading = await readClusterKind(eks, 'demo', 'us-west-2', {
      deadline: 60_000,
      clock: fakeClock()
    })
    expect(reading.kind).toEqual({
      name: 'demo',
      status: 'ACTIVE',
      autoMode: false,
      ipFamily: 'ipv4'
    })
    expect(reading.addon).toMatchObject({ present: true, status: 'ACTIVE' })
    expect(seen.map((s) => s.path).sort()).toEqual([
      '/clusters/demo',
      '/clusters/demo/addons/vpc-cni'
    ])
  })

  it('waits for a CREATING cluster and a CREATING add-on, then reads again', async () => {
    const clusters = ['CREATING', 'CREATING', 'ACTIVE', 'ACTIVE']
    const addons = ['CREATING', 'CREATING', 'CREATING', 'ACTIVE']
    fake.route = ({ path }) =>
      path === '/clusters/demo'
        ? { body: clusterBody(clusters.shift()!) }
        : { body: addonBody(addons.shift()!) }
    const lines: string[] = []
    const reading = await readClusterKind(eks, 'demo', 'us-west-2', {
      deadline: 600_000,
      clock: fakeClock(),
      log: (l) => lines.push(l)
    })
    expect(reading.kind.status).toBe('ACTIVE')
    expect(reading.addon).toMatchObject({ present: true, status: 'ACTIVE' })
    expect(lines).toEqual([
      "Waiting for EKS cluster 'demo' to be ACTIVE: CREATING (0 s elapsed, 600 s left)",
      'Waiting for the vpc-cni add-on to be ACTIVE: CREATING (0 s elapsed, 590 s left)'
    ])
  })
})

describe('prepareAddonPlan', () => {
  const request = {
    clusterName: 'demo',
    kubernetesVersion: '1.31',
    region: 'us-west-2',
    allowDowngrade: false,
    settings: { env: { WARM_IP_TARGET: '1' }, initEnv: {} },
    eniConfigs: []
  }
  const route: FakeEks['route'] = ({ path, query }) => {
    if (path === '/addons/configuration-schemas')
      return {
        body: {
          addonName: 'vpc-cni',
          addonVersion: query.get('addonVersion'),
          configurationSchema: schema
        }
      }
    if (path === '/addons/supported-versions')
      return {
        body: {
          addons: [
            {
              addonName: 'vpc-cni',
              addonVersions: ['v1.20.5-eksbuild.1', 'v1.19.6-eksbuild.1'].map((addonVersion) => ({
                addonVersion,
                compatibilities: [
                  { clusterVersion: '1.31', defaultVersion: addonVersion === 'v1.19.6-eksbuild.1' }
                ]
              }))
            }
          ]
        }
      }
    return undefined
  }
  const addon = {
    present: true as const,
    status: 'ACTIVE',
    version: 'v1.19.6-eksbuild.1',
    configurationValues: '',
    issues: []
  }

  it("keeps the version without DescribeAddonVersions, reading that version's schema", async () => {
    fake.route = route
    const plan = await prepareAddonPlan(eks, { ...request, addon })
    expect(plan).toMatchObject({
      action: 'update',
      addonVersion: 'v1.19.6-eksbuild.1',
      noop: false
    })
    expect(seen.map((s) => `${s.path}${s.query}`)).toEqual([
      '/addons/configuration-schemas?addonName=vpc-cni&addonVersion=v1.19.6-eksbuild.1'
    ])
  })

  it("picks cni-version from DescribeAddonVersions and reads the new version's schema", async () => {
    fake.route = route
    const plan = await prepareAddonPlan(eks, { ...request, addon, cniVersion: 'v1.20.5' })
    expect(plan).toMatchObject({
      sendVersion: 'v1.20.5-eksbuild.1',
      addonVersion: 'v1.20.5-eksbuild.1'
    })
    expect(seen.map((s) => s.path)).toEqual([
      '/addons/supported-versions',
      '/addons/configuration-schemas'
    ])
  })

  it('creates with the default version for the cluster', async () => {
    fake.route = route
    const plan = await prepareAddonPlan(eks, request)
    expect(plan).toMatchObject({ action: 'create', sendVersion: 'v1.19.6-eksbuild.1' })
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
    fake.route = () => undefined
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
    fake.route = ({ method, path }) => {
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
    fake.route = ({ method, path }) => {
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
