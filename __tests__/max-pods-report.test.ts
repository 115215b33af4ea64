import type { InstanceNetworkInfo } from '../src/cni/max-pods.js'
import {
  maxPodsMarkdown,
  maxPodsOutput,
  maxPodsTable,
  type MaxPodsRow
} from '../src/max-pods-report.js'

const info = (
  instanceType: string,
  vcpus: number,
  maxEnis: number,
  ipv4PerEni: number,
  hypervisor = 'nitro'
): InstanceNetworkInfo => ({ instanceType, hypervisor, vcpus, maxEnis, ipv4PerEni })

/** Worked examples of the max-pods calculation (amazon-eks-ami's max-pods-calculator.sh). */
const TYPES = [
  info('t3.medium', 2, 3, 6),
  info('m5.large', 2, 3, 10),
  info('m5.xlarge', 4, 4, 15),
  info('c5.4xlarge', 16, 8, 30),
  info('m5.24xlarge', 96, 15, 50)
]

const CNI = 'v1.19.6'
const SETTINGS = [
  // [custom networking, prefix delegation, expected per type in TYPES order]
  [false, false, [17, 29, 58, 110, 250]],
  [true, false, [12, 20, 44, 110, 250]],
  [false, true, [110, 110, 110, 110, 250]],
  [true, true, [110, 110, 110, 110, 250]]
] as const

/** Evaluates the CEL expression of the NodeConfig snippet; these operators read the same in JS. */
function evalCel(markdown: string, r: { enis: number; ipsPerEni: number }): number[] {
  const expressions = [...markdown.matchAll(/maxPodsExpression: "([^"]+)"/g)].map((m) => m[1])
  return expressions.map((e) => {
    expect(e).toMatch(/^[-+*()?:<> \d_a-z]+$/)
    const js = e
      .replace(/default_enis/g, String(r.enis))
      .replace(/ips_per_eni/g, String(r.ipsPerEni))
    return Number(new Function(`return (${js})`)())
  })
}

describe('maxPodsTable', () => {
  it.each(SETTINGS)(
    'gives the facts-doc figures with custom networking %s and prefix delegation %s',
    (customNetworking, prefixDelegation, expected) => {
      const rows = maxPodsTable(TYPES, { cniVersion: CNI, customNetworking, prefixDelegation })
      expect(rows.map((r) => r.maxPods)).toEqual(expected)
      expect(rows.map((r) => r.standard)).toEqual([17, 29, 58, 110, 250])
    }
  )

  it('carries the EC2 facts of each type', () => {
    const [row] = maxPodsTable([info('m4.large', 2, 2, 10, 'xen')], {
      cniVersion: CNI,
      customNetworking: true,
      prefixDelegation: true
    })
    expect(row).toEqual<MaxPodsRow>({
      instanceType: 'm4.large',
      maxPods: 11,
      standard: 20,
      enis: 2,
      ipsPerEni: 10,
      nitro: false,
      vcpus: 2
    })
  })

  it('rejects a CNI version it cannot read', () => {
    expect(() =>
      maxPodsTable(TYPES, { cniVersion: 'latest', customNetworking: true, prefixDelegation: false })
    ).toThrow(/CNI version 'latest'/)
  })
})

describe('maxPodsOutput', () => {
  it('maps each type to its figure, ready for JSON', () => {
    const rows = maxPodsTable(TYPES.slice(0, 3), {
      cniVersion: CNI,
      customNetworking: true,
      prefixDelegation: false
    })
    expect(JSON.stringify(maxPodsOutput(rows))).toBe(
      '{"t3.medium":12,"m5.large":20,"m5.xlarge":44}'
    )
    expect(maxPodsOutput([])).toEqual({})
  })
})

describe('maxPodsMarkdown', () => {
  const settings = { customNetworking: true, prefixDelegation: false }
  const rows = maxPodsTable(TYPES, { cniVersion: CNI, ...settings })
  const md = maxPodsMarkdown(rows, settings)

  it('shows the table with the standard and the applied figure', () => {
    expect(md).toContain(
      '| Instance type | vCPUs | ENIs | IPv4 per ENI | Nitro | Standard | Max pods |'
    )
    expect(md).toContain('| `m5.xlarge` | 4 | 4 | 15 | yes | 58 | **44** |')
    expect(md).toContain('custom networking on, prefix delegation off')
  })

  it('no longer gives AL2 bootstrap.sh lines (AL2 AMIs reached end of support)', () => {
    expect(md).not.toMatch(/bootstrap\.sh|--kubelet-extra-args|Amazon Linux 2 \(/)
  })

  it('gives the AL2023 and Bottlerocket configuration of every type', () => {
    for (const r of rows) {
      expect(md).toContain(`<code>${r.instanceType}</code>: max-pods ${r.maxPods}`)
      expect(md).toContain(`      maxPods: ${r.maxPods}\n`)
      expect(md).toContain(`max-pods = ${r.maxPods}\n`)
    }
  })

  it('gives the nodeadm expression of the facts doc, and one NodeConfig per cap', () => {
    expect(md).toContain('((default_enis - 1) * (ips_per_eni - 1)) + 2')
    expect(md).toContain('kind: NodeConfig')
    expect(md.match(/maxPodsExpression:/g)).toHaveLength(2)
    expect(md).toContain('For m5.24xlarge (cap 250):')
    expect(md).toMatch(/no cap of its own/)
  })

  it.each(SETTINGS)(
    'has expressions that evaluate to the table figure (custom networking %s, prefix delegation %s)',
    (customNetworking, prefixDelegation) => {
      const o = { customNetworking, prefixDelegation }
      for (const row of maxPodsTable(TYPES, { cniVersion: CNI, ...o })) {
        const one = maxPodsMarkdown([row], o)
        expect(evalCel(one, row)).toEqual([row.maxPods])
      }
    }
  )

  it('uses the ×16 form under prefix delegation and warns about Xen types', () => {
    const o = { customNetworking: true, prefixDelegation: true }
    const pd = maxPodsMarkdown(
      maxPodsTable([...TYPES, info('m4.large', 2, 2, 10, 'xen')], { cniVersion: CNI, ...o }),
      o
    )
    expect(pd).toContain('((default_enis - 1) * ((ips_per_eni - 1) * 16)) + 2')
    expect(pd).toMatch(/Prefix delegation needs Nitro: .* for m4\.large set/)
  })

  it('is empty without instance types', () => {
    expect(maxPodsMarkdown([], settings)).toBe('')
  })
})
