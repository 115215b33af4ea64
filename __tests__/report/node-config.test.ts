import { describe, expect, it } from '@jest/globals'
import yaml from 'js-yaml'
import { type InstanceNetworkInfo, maxPods } from '../../src/cni/max-pods.js'
import { maxPodsTable } from '../../src/max-pods-report.js'
import {
  al2023UserData,
  bottlerocketSettings,
  nodeConfigMarkdown,
  nodeConfigs
} from '../../src/report/node-config.js'

const info = (instanceType: string, vcpus: number, maxEnis: number, ipv4PerEni: number) =>
  ({ instanceType, hypervisor: 'nitro', vcpus, maxEnis, ipv4PerEni }) as InstanceNetworkInfo

const TYPES = [
  info('t3.medium', 2, 3, 6),
  info('m5.large', 2, 3, 10),
  info('m5.xlarge', 4, 4, 15),
  info('m5.24xlarge', 96, 15, 50)
]

describe('node configuration per instance type', () => {
  it.each([
    [true, false],
    [true, true],
    [false, false]
  ])('carries the max-pods calculation (custom networking %s, prefix delegation %s)', (cn, pd) => {
    const o = { cniVersion: 'v1.19.6', customNetworking: cn, prefixDelegation: pd }
    const configs = nodeConfigs(maxPodsTable(TYPES, o))
    for (const [i, t] of TYPES.entries()) {
      const c = configs[i]
      const expected = maxPods(t, o)
      expect(c.instanceType).toBe(t.instanceType)
      const doc = yaml.load(c.al2023) as {
        apiVersion: string
        kind: string
        spec: { kubelet: { config: { maxPods: number } } }
      }
      expect(doc.apiVersion).toBe('node.eks.aws/v1alpha1')
      expect(doc.kind).toBe('NodeConfig')
      expect(doc.spec.kubelet.config.maxPods).toBe(expected)
      expect(c.bottlerocket).toBe(`[settings.kubernetes]\nmax-pods = ${expected}\n`)
      // The user data carries the same NodeConfig in an application/node.eks.aws part.
      const part = c.al2023UserData.split('\r\n--BOUNDARY\r\n')[1].split('\r\n--BOUNDARY--')[0]
      const [headers, body] = part.split('\r\n\r\n')
      expect(headers).toBe('Content-Type: application/node.eks.aws')
      expect(yaml.load(body.replace(/\r\n/g, '\n'))).toEqual(doc)
    }
    // The figures the test expects, from the facts of the calculator (m5.large 20 / 110 / 29).
    expect(configs[1].maxPods).toBe(pd ? 110 : cn ? 20 : 29)
  })

  it('writes a MIME multi-part document with CRLF line ends', () => {
    const u = al2023UserData(20)
    expect(
      u.startsWith(
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="BOUNDARY"\r\n\r\n'
      )
    ).toBe(true)
    expect(u.endsWith('\r\n--BOUNDARY--\r\n')).toBe(true)
    expect(u.replace(/\r\n/g, '')).not.toContain('\n')
    expect(bottlerocketSettings(110)).toMatch(/^\[settings\.kubernetes\]\nmax-pods = 110\n$/)
  })

  it('renders one collapsible block per type, without AL2 lines', () => {
    const md = nodeConfigMarkdown(
      maxPodsTable(TYPES, {
        cniVersion: 'v1.19.6',
        customNetworking: true,
        prefixDelegation: false
      })
    )
    expect(md.match(/<details>/g)).toHaveLength(TYPES.length)
    expect(md).toContain('<code>m5.large</code>: max-pods 20')
    expect(md).toContain('Content-Type: application/node.eks.aws')
    expect(md).not.toMatch(/bootstrap\.sh/)
    expect(nodeConfigMarkdown([])).toBe('')
  })
})
