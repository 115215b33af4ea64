import { load } from 'js-yaml'
import {
  type AddonFacts,
  type AwsNodeFacts,
  type ClusterKindFacts,
  type ModeRequest,
  IPV6_QUOTE,
  awsNodeFacts,
  clusterKindFacts,
  decideMode
} from '../../src/addon/cluster-kind.js'

const cluster = (over: Partial<ClusterKindFacts> = {}): ClusterKindFacts => ({
  name: 'demo',
  status: 'ACTIVE',
  autoMode: false,
  ipFamily: 'ipv4',
  ...over
})
const request = (over: Partial<ModeRequest> = {}): ModeRequest => ({
  mode: 'auto',
  takeOverAddonFields: false,
  versionChange: false,
  subnetIds: ['subnet-0aaa1111bbbb22223', 'subnet-0ccc3333dddd44445'],
  securityGroupIds: ['sg-0123456789abcdef0'],
  ...over
})
const addon: AddonFacts = { present: true, status: 'ACTIVE', version: 'v1.19.6-eksbuild.1' }
const noAddon: AddonFacts = { present: false }
const selfNode: AwsNodeFacts = { exists: true, eksOwnsFields: false }
const eksNode: AwsNodeFacts = { exists: true, eksOwnsFields: true }
const noNode: AwsNodeFacts = { exists: false, eksOwnsFields: false }

const refusal = (d: ReturnType<typeof decideMode>): string => {
  if (d.kind !== 'REFUSE') throw new Error(`expected a refusal, got ${d.kind}`)
  return d.message
}

describe('decideMode', () => {
  it('picks ADDON when the vpc-cni add-on is present, in auto and addon mode', () => {
    for (const mode of ['auto', 'addon'] as const) {
      expect(decideMode(cluster(), addon, eksNode, request({ mode }))).toEqual({
        kind: 'ADDON',
        addonVersion: 'v1.19.6-eksbuild.1',
        addonStatus: 'ACTIVE'
      })
    }
  })

  it('updates a DEGRADED or UPDATE_FAILED add-on, waits for a CREATING or UPDATING one', () => {
    for (const status of ['DEGRADED', 'UPDATE_FAILED']) {
      expect(decideMode(cluster(), { ...addon, status }, eksNode, request()).kind).toBe('ADDON')
    }
    for (const status of ['CREATING', 'UPDATING']) {
      expect(decideMode(cluster(), { ...addon, status }, eksNode, request())).toEqual({
        kind: 'WAIT',
        what: 'addon',
        status
      })
    }
    expect(
      refusal(decideMode(cluster(), { ...addon, status: 'DELETING' }, eksNode, request()))
    ).toMatch(/vpc-cni add-on of EKS cluster 'demo' is DELETING/)
  })

  it('picks SETTINGS on a self-managed aws-node, VERSION when a manifest change is asked', () => {
    expect(decideMode(cluster(), noAddon, selfNode, request())).toEqual({
      kind: 'SETTINGS',
      takeOverAddonFields: false
    })
    expect(
      decideMode(
        cluster(),
        noAddon,
        selfNode,
        request({ mode: 'self-managed', versionChange: true })
      )
    ).toEqual({
      kind: 'VERSION',
      takeOverAddonFields: false
    })
    expect(decideMode(cluster(), noAddon, selfNode, request({ mode: 'addon' }))).toEqual({
      kind: 'CREATE_ADDON',
      replacesSelfManaged: true
    })
  })

  it('refuses a cluster without any CNI in auto mode, and creates what mode names', () => {
    expect(refusal(decideMode(cluster(), noAddon, noNode, request()))).toMatch(
      /no VPC CNI.*bootstrapSelfManagedAddons: false.*mode: addon.*mode: self-managed/s
    )
    expect(decideMode(cluster(), noAddon, noNode, request({ mode: 'addon' }))).toEqual({
      kind: 'CREATE_ADDON',
      replacesSelfManaged: false
    })
    expect(decideMode(cluster(), noAddon, noNode, request({ mode: 'self-managed' })).kind).toBe(
      'VERSION'
    )
    // cni-version in auto mode names the manifest to install.
    expect(decideMode(cluster(), noAddon, noNode, request({ versionChange: true }))).toEqual({
      kind: 'VERSION',
      takeOverAddonFields: false
    })
  })

  it('refuses self-managed on an add-on unless take-over-addon-fields, explaining EKS next update', () => {
    const message = refusal(
      decideMode(cluster(), addon, eksNode, request({ mode: 'self-managed' }))
    )
    expect(message).toContain("field manager 'eks'")
    expect(message).toContain('OVERWRITE')
    expect(message).toContain(
      'Conflicts found when trying to apply. Will not continue due to resolve conflicts mode'
    )
    expect(message).toContain('take-over-addon-fields: true')
    expect(
      decideMode(
        cluster(),
        addon,
        eksNode,
        request({ mode: 'self-managed', takeOverAddonFields: true })
      )
    ).toEqual({ kind: 'SETTINGS', takeOverAddonFields: true })
  })

  it('refuses fields owned by eks without an add-on (deleted with --preserve) in auto mode', () => {
    expect(refusal(decideMode(cluster(), noAddon, eksNode, request()))).toMatch(/--preserve/)
    expect(decideMode(cluster(), noAddon, eksNode, request({ mode: 'addon' })).kind).toBe(
      'CREATE_ADDON'
    )
    expect(
      decideMode(
        cluster(),
        noAddon,
        eksNode,
        request({ mode: 'self-managed', takeOverAddonFields: true })
      )
    ).toEqual({ kind: 'SETTINGS', takeOverAddonFields: true })
  })

  it('waits for a CREATING or UPDATING cluster, refuses FAILED, DELETING and PENDING', () => {
    for (const status of ['CREATING', 'UPDATING']) {
      expect(decideMode(cluster({ status }), addon, eksNode, request())).toEqual({
        kind: 'WAIT',
        what: 'cluster',
        status
      })
    }
    for (const status of ['FAILED', 'DELETING', 'PENDING']) {
      expect(refusal(decideMode(cluster({ status }), addon, eksNode, request()))).toContain(
        `EKS cluster 'demo' is ${status}`
      )
    }
  })

  it('refuses Auto Mode whatever the mode, printing NodeClass pod selector terms', () => {
    for (const mode of ['auto', 'addon', 'self-managed'] as const) {
      const message = refusal(
        decideMode(
          cluster({ autoMode: true }),
          noAddon,
          noNode,
          request({ mode, takeOverAddonFields: true })
        )
      )
      expect(message).toContain('EKS Auto Mode')
      expect(message).toContain('ENIConfigs')
      const yamlText = message.slice(
        message.indexOf('apiVersion:'),
        message.lastIndexOf('Nothing was changed.')
      )
      expect(load(yamlText)).toEqual({
        apiVersion: 'eks.amazonaws.com/v1',
        kind: 'NodeClass',
        spec: {
          podSubnetSelectorTerms: [
            { id: 'subnet-0aaa1111bbbb22223' },
            { id: 'subnet-0ccc3333dddd44445' }
          ],
          podSecurityGroupSelectorTerms: [{ id: 'sg-0123456789abcdef0' }]
        }
      })
    }
  })

  it('refuses IPv6 quoting the VPC CNI, before looking at the add-on', () => {
    const message = refusal(decideMode(cluster({ ipFamily: 'ipv6' }), addon, eksNode, request()))
    expect(message).toContain(`"${IPV6_QUOTE}"`)
    expect(message).toContain('https://github.com/aws/amazon-vpc-cni-k8s/')
  })
})

describe('clusterKindFacts', () => {
  it('reads status, computeConfig.enabled and kubernetesNetworkConfig.ipFamily', () => {
    expect(
      clusterKindFacts(
        {
          name: 'demo',
          status: 'CREATING',
          computeConfig: { enabled: true },
          kubernetesNetworkConfig: { ipFamily: 'ipv6' }
        },
        'demo'
      )
    ).toEqual({ name: 'demo', status: 'CREATING', autoMode: true, ipFamily: 'ipv6' })
    expect(clusterKindFacts({}, 'demo')).toEqual({
      name: 'demo',
      status: 'UNKNOWN',
      autoMode: false,
      ipFamily: 'ipv4'
    })
  })
})

describe('awsNodeFacts', () => {
  it('sees whether manager eks owns fields of aws-node', () => {
    const ds = (managers: string[]) => ({
      metadata: {
        managedFields: managers.map((manager) => ({ manager, operation: 'Apply', fieldsV1: {} }))
      }
    })
    expect(awsNodeFacts(ds(['eks', 'kubectl-client-side-apply']))).toEqual({
      exists: true,
      eksOwnsFields: true
    })
    expect(awsNodeFacts(ds(['kubectl-client-side-apply', 'eks-cni-custom-networking']))).toEqual({
      exists: true,
      eksOwnsFields: false
    })
    expect(awsNodeFacts(undefined)).toEqual({ exists: false, eksOwnsFields: false })
  })
})
