import { describe, expect, it } from '@jest/globals'
import { Inputs } from '../../src/constants.js'
import type { MaxPodsRow } from '../../src/max-pods-report.js'
import {
  type PoolSettings,
  type SubnetFacts,
  capacityRows,
  nodeNeed,
  plannedNodes,
  worstNodeNeed
} from '../../src/report/capacity.js'
import {
  capacityFindings,
  capacityMarkdown,
  capacityOutput,
  parseExpectedNodes
} from '../../src/report/capacity-report.js'

/** A max-pods row whose pods needing an IP are `pods` (max-pods counts 2 host-network pods). */
const row = (instanceType: string, pods: number, enis: number, ipsPerEni: number): MaxPodsRow => ({
  instanceType,
  maxPods: pods + 2,
  standard: 0,
  enis,
  ipsPerEni,
  nitro: true,
  vcpus: 2
})

const PD: PoolSettings = { prefixDelegation: true, customNetworking: false }

describe('nodeNeed with prefix delegation', () => {
  // The examples table of amazon-vpc-cni-k8s docs/prefix-and-ip-target.md (t3.small: 3 ENIs, 4 IPv4).
  it.each([
    [{ warmPrefixTarget: 1 }, 0, 1],
    [{ warmPrefixTarget: 1 }, 5, 2],
    [{ warmPrefixTarget: 1 }, 16, 2],
    [{ warmPrefixTarget: 1 }, 17, 3],
    [{ warmPrefixTarget: 1 }, 58, 5],
    [{ warmIpTarget: 1, minimumIpTarget: 1 }, 0, 1],
    [{ warmIpTarget: 1, minimumIpTarget: 1 }, 5, 1],
    [{ warmIpTarget: 1, minimumIpTarget: 1 }, 17, 2],
    [{ warmIpTarget: 1, minimumIpTarget: 1 }, 58, 4],
    [{ warmIpTarget: 7, minimumIpTarget: 20 }, 5, 2],
    [{ warmIpTarget: 7, minimumIpTarget: 20 }, 17, 2],
    [{ warmIpTarget: 7, minimumIpTarget: 20 }, 58, 5]
  ])('%j with %i pods: %i prefixes, as the VPC CNI docs table says', (targets, pods, prefixes) => {
    const need = nodeNeed({ ...PD, ...targets }, row('t3.small', pods, 3, 4))
    expect(need?.prefixes).toBe(prefixes)
    // Each pod ENI (3 prefix slots each) also takes its own primary address.
    expect(need?.ips).toBe(prefixes * 16 + Math.ceil(prefixes / 3))
    expect(need?.singleIps).toBe(Math.ceil(prefixes / 3))
  })

  it('gives the origin defaults two prefixes per starting node (MINIMUM_IP_TARGET=30)', () => {
    const need = nodeNeed({ ...PD, warmIpTarget: 1, minimumIpTarget: 30, warmPrefixTarget: 1 })
    expect(need).toMatchObject({
      prefixes: 2,
      ips: 33,
      basis: expect.stringMatching(/just started/)
    })
  })

  it("caps a full node at its pod ENIs' slots (the primary ENI hosts no pods with custom networking)", () => {
    // m5.large: 3 ENIs of 10; custom networking leaves 2 × 9 = 18 slots; 108 pods need 7 + 1 prefixes.
    const need = nodeNeed(
      { ...PD, customNetworking: true, warmPrefixTarget: 1 },
      row('m5.large', 108, 3, 10)
    )
    expect(need?.prefixes).toBe(8)
    const tiny = nodeNeed(
      { ...PD, customNetworking: true, warmPrefixTarget: 1 },
      row('t3.nano', 108, 2, 2)
    )
    expect(tiny?.prefixes).toBe(1)
  })

  it('treats zero and negative targets as unset', () => {
    expect(
      nodeNeed({ ...PD, warmIpTarget: 0, minimumIpTarget: -1, warmPrefixTarget: 2 })?.prefixes
    ).toBe(2)
  })
})

describe('nodeNeed without prefix delegation', () => {
  const off: PoolSettings = { prefixDelegation: false, customNetworking: true }

  it('counts single addresses for the IP targets, plus ENI primaries', () => {
    expect(nodeNeed({ ...off, warmIpTarget: 1, minimumIpTarget: 30 })).toMatchObject({
      prefixes: 0,
      ips: 31,
      singleIps: 31
    })
    // m5.large, custom networking: 2 pod ENIs × 9 = 18 pod IPs at most, in 2 ENIs.
    expect(nodeNeed({ ...off, warmIpTarget: 1 }, row('m5.large', 18, 3, 10))?.ips).toBe(18 + 2)
  })

  it('fills whole ENIs under WARM_ENI_TARGET, and needs the instance type for that', () => {
    expect(nodeNeed({ ...off, warmEniTarget: 1 }, row('m5.large', 5, 3, 10))?.ips).toBe(20)
    expect(nodeNeed({ ...off, warmEniTarget: 1 })).toBeUndefined()
  })

  it('takes the largest need among several types', () => {
    const need = worstNodeNeed({ ...off, warmIpTarget: 1 }, [
      row('t3.medium', 10, 3, 6),
      row('m5.large', 18, 3, 10)
    ])
    expect(need?.basis).toMatch(/m5\.large/)
  })
})

describe('plannedNodes and parseExpectedNodes', () => {
  const zone = { zone: 'ap-northeast-2a', zoneId: 'apne2-az1' }

  it('reads one count, pairs by zone or zone ID, and a bare count for the rest', () => {
    expect(parseExpectedNodes(Inputs.ExpectedNodes, '')).toEqual({ byZone: {} })
    expect(parseExpectedNodes(Inputs.ExpectedNodes, '4')).toEqual({ all: 4, byZone: {} })
    expect(parseExpectedNodes(Inputs.ExpectedNodes, 'ap-northeast-2a=3, apne2-az2=2\n1')).toEqual({
      all: 1,
      byZone: { 'ap-northeast-2a': 3, 'apne2-az2': 2 }
    })
  })

  it('names the input and the form on bad values', () => {
    for (const bad of ['three', 'a=b', '1 2', 'x=1,x=2', '-1']) {
      expect(() => parseExpectedNodes(Inputs.ExpectedNodes, bad)).toThrow(
        /Input 'expected-nodes' has an invalid value .*a node count per zone/
      )
    }
  })

  it("defaults to today's nodes in the zone, at least 1", () => {
    const none = { byZone: {} }
    expect(plannedNodes(zone, none, ['ap-northeast-2a', 'ap-northeast-2a', 'x'])).toEqual({
      nodes: 2,
      from: 'current nodes'
    })
    expect(plannedNodes(zone, none, [])).toEqual({ nodes: 1, from: 'minimum' })
    expect(plannedNodes(zone, { byZone: { 'apne2-az1': 5 }, all: 2 }, [])).toEqual({
      nodes: 5,
      from: 'expected-nodes'
    })
    expect(plannedNodes(zone, { byZone: {}, all: 0 }, ['ap-northeast-2a'])).toEqual({
      nodes: 0,
      from: 'expected-nodes'
    })
  })
})

const subnet = (over: Partial<SubnetFacts>): SubnetFacts => ({
  subnetId: 'subnet-a',
  zone: 'ap-northeast-2a',
  zoneId: 'apne2-az1',
  cidr: '100.64.0.0/19',
  freeIps: 8000,
  freeBlocks: 500,
  prefixReservations: [],
  suggestedReservation: '100.64.0.128/26',
  ...over
})

describe('capacityRows, findings and report', () => {
  const need = nodeNeed({ ...PD, minimumIpTarget: 30, warmIpTarget: 1 })!
  const expected = { all: 10, byZone: {} }

  it('says ok, fragmented (addresses enough, blocks not) or full', () => {
    const rows = capacityRows(
      [
        subnet({}),
        subnet({ subnetId: 'subnet-b', zone: 'ap-northeast-2b', freeBlocks: 4 }),
        subnet({ subnetId: 'subnet-c', zone: 'ap-northeast-2c', freeIps: 300, freeBlocks: 4 })
      ],
      need,
      expected,
      []
    )
    expect(rows.map((r) => r.verdict)).toEqual(['ok', 'fragmented', 'full'])
    expect(rows[0].needed).toEqual({ prefixes: 20, ips: 330, singleIps: 10 })
    expect(capacityRows([subnet({})], undefined, expected, [])[0].verdict).toBe('unknown')
  })

  it('warns with the zone, the counts and the reservation command', () => {
    const rows = capacityRows([subnet({ freeBlocks: 4, freeIps: 6000 })], need, expected, [])
    const [f] = capacityFindings(rows, 'ap-northeast-2')
    expect(f.title).toBe('Zone ap-northeast-2a cannot serve 10 planned node(s)')
    expect(f.message).toContain('4 free aligned /28 blocks and 6000 free addresses')
    expect(f.message).toContain('need 20 free /28 blocks and 330 addresses')
    expect(f.message).toContain(
      'aws ec2 create-subnet-cidr-reservation --subnet-id subnet-a --cidr 100.64.0.128/26 ' +
        '--reservation-type prefix --region ap-northeast-2'
    )
    expect(capacityMarkdown(rows, 'ap-northeast-2')).toContain('--reservation-type prefix')
  })

  it('gives no command when a prefix reservation exists, and no finding when all is well', () => {
    const reserved = capacityRows(
      [subnet({ freeBlocks: 4, prefixReservations: ['100.64.8.0/26'] })],
      need,
      expected,
      []
    )
    const [f] = capacityFindings(reserved, 'ap-northeast-2')
    expect(f.message).not.toContain('create-subnet-cidr-reservation')
    expect(f.message).toContain('already has a prefix reservation (100.64.8.0/26)')
    expect(capacityFindings(capacityRows([subnet({})], need, expected, []), 'r')).toEqual([])
  })

  it('renders the table and the JSON output', () => {
    const rows = capacityRows([subnet({ freeBlocks: 4 })], need, expected, [])
    const md = capacityMarkdown(rows, 'ap-northeast-2')
    expect(md).toContain(
      '| Subnet | Zone | Free IPs | Free /28 blocks | Nodes | Needed | Verdict |'
    )
    expect(md).toContain(
      '| `subnet-a` | ap-northeast-2a | 8000 | 4 | 10 | 20 blocks, 330 IPs | **too fragmented** |'
    )
    const [out] = JSON.parse(JSON.stringify(capacityOutput(rows))) as Record<string, unknown>[]
    expect(out).toMatchObject({
      subnet: 'subnet-a',
      zone: 'ap-northeast-2a',
      freeIps: 8000,
      freeBlocks: 4,
      nodes: 10,
      nodesFrom: 'expected-nodes',
      needed: { prefixes: 20, ips: 330 },
      verdict: 'fragmented'
    })
  })
})
