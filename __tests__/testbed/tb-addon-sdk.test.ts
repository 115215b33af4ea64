import {
  CreateAddonCommand,
  DescribeAddonCommand,
  DescribeAddonConfigurationCommand,
  DescribeClusterCommand,
  DescribeUpdateCommand,
  EKSClient,
  InvalidParameterException,
  ListUpdatesCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateAddonCommand,
  paginateDescribeAddonVersions
} from '@aws-sdk/client-eks'
import { startTestbed, type Testbed } from '../../testbed/index.js'

/** The add-on API as the AWS SDK for JavaScript v3 (the action's client) parses it. */
describe('EKS add-on API: AWS SDK v3', () => {
  let tb: Testbed
  let eks: EKSClient

  beforeAll(async () => {
    tb = await startTestbed({ cniMode: 'addon', addonUpdateDelayMs: 200 })
    eks = new EKSClient({
      region: tb.region,
      endpoint: tb.endpoints.aws,
      credentials: { accessKeyId: 'AKIDSDKTEST', secretAccessKey: 'sdk-test-secret' }
    })
  })
  afterAll(async () => {
    eks?.destroy()
    await tb?.stop()
  })

  it('DescribeAddon, DescribeCluster: typed fields, timestamps as Dates', async () => {
    const { addon } = await eks.send(
      new DescribeAddonCommand({ clusterName: tb.clusterName, addonName: 'vpc-cni' })
    )
    expect(addon?.status).toBe('ACTIVE')
    expect(addon?.modifiedAt).toBeInstanceOf(Date)
    const { cluster } = await eks.send(new DescribeClusterCommand({ name: tb.clusterName }))
    expect(cluster?.kubernetesNetworkConfig?.ipFamily).toBe('ipv4')
  })

  it('errors are the modelled exception classes', async () => {
    await expect(
      eks.send(new DescribeAddonCommand({ clusterName: tb.clusterName, addonName: 'kube-proxy' }))
    ).rejects.toBeInstanceOf(ResourceNotFoundException)
    const bad = eks.send(
      new UpdateAddonCommand({
        clusterName: tb.clusterName,
        addonName: 'vpc-cni',
        configurationValues: '{"init":{"env":{"WARM_IP_TARGET":"1"}}}'
      })
    )
    await expect(bad).rejects.toBeInstanceOf(InvalidParameterException)
    await expect(bad).rejects.toThrow(
      'ConfigurationValue provided in request is not supported [$.init.env.WARM_IP_TARGET: is not defined in the schema and the schema does not allow additional properties]'
    )
    await expect(
      eks.send(new CreateAddonCommand({ clusterName: tb.clusterName, addonName: 'vpc-cni' }))
    ).rejects.toBeInstanceOf(ResourceInUseException)
  })

  it('UpdateAddon → DescribeUpdate InProgress → Successful; ResourceInUse meanwhile', async () => {
    tb.addons.changes.pause()
    const { update } = await eks.send(
      new UpdateAddonCommand({
        clusterName: tb.clusterName,
        addonName: 'vpc-cni',
        configurationValues: JSON.stringify({ env: { WARM_IP_TARGET: '1' } }),
        resolveConflicts: 'OVERWRITE'
      })
    )
    expect(update).toMatchObject({ status: 'InProgress', type: 'AddonUpdate' })
    await expect(
      eks.send(new UpdateAddonCommand({ clusterName: tb.clusterName, addonName: 'vpc-cni' }))
    ).rejects.toBeInstanceOf(ResourceInUseException)
    tb.addons.changes.resume()
    await tb.addons.changes.settled()
    const done = await eks.send(
      new DescribeUpdateCommand({
        name: tb.clusterName,
        updateId: update!.id,
        addonName: 'vpc-cni'
      })
    )
    expect(done.update?.status).toBe('Successful')
    const listed = await eks.send(
      new ListUpdatesCommand({ name: tb.clusterName, addonName: 'vpc-cni' })
    )
    expect(listed.updateIds?.[0]).toBe(update!.id)
  })

  it('DescribeAddonVersions paginates to one page; each version has a schema', async () => {
    const versions: string[] = []
    for await (const page of paginateDescribeAddonVersions(
      { client: eks },
      { addonName: 'vpc-cni', kubernetesVersion: tb.kubernetesVersion }
    )) {
      for (const a of page.addons ?? [])
        for (const v of a.addonVersions ?? []) versions.push(v.addonVersion!)
    }
    expect(versions.length).toBeGreaterThan(1)
    for (const addonVersion of versions) {
      const conf = await eks.send(
        new DescribeAddonConfigurationCommand({ addonName: 'vpc-cni', addonVersion })
      )
      expect(JSON.parse(conf.configurationSchema!)).toHaveProperty('$ref', '#/definitions/VpcCni')
    }
  })
})
