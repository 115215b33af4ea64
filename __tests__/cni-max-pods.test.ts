import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import {
  maxPods,
  networkInfoFromInstanceType,
  type InstanceNetworkInfo,
  maxPodsEnvSettings
} from '../src/cni/max-pods.js'
import { VPC_CNI_FIXTURES } from '../testbed/fixtures.js'

const FIXTURES = VPC_CNI_FIXTURES

/** moto's real DescribeInstanceTypes data (ec2/resources/instance_types.json[.gz]), keyed by type. */
function motoInstanceTypes(): Record<string, unknown> {
  const dir = execFileSync(
    'python3',
    ['-c', 'import moto, os; print(os.path.dirname(moto.__file__))'],
    {
      encoding: 'utf8'
    }
  ).trim()
  const base = path.join(dir, 'ec2', 'resources', 'instance_types.json')
  for (const [file, decode] of [
    [base, (b: Buffer) => b],
    [`${base}.gz`, gunzipSync]
  ] as const) {
    try {
      return JSON.parse(decode(readFileSync(file)).toString('utf8')) as Record<string, unknown>
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
  throw new Error(`moto has no instance_types.json under ${path.dirname(base)}`)
}

const info = (
  instanceType: string,
  hypervisor: string,
  vcpus: number,
  maxEnis: number,
  ipv4PerEni: number
): InstanceNetworkInfo => ({
  instanceType,
  hypervisor,
  vcpus,
  maxEnis,
  ipv4PerEni
})

describe('maxPods: worked examples of max-pods-calculator.sh', () => {
  const cni = 'v1.19.6'
  test.each([
    // type, ENIs, IPs/ENI, vCPUs, standard, custom, PD, custom+PD, uncapped standard
    [info('t3.medium', 'nitro', 2, 3, 6), 17, 12, 110, 110, 17],
    [info('m5.large', 'nitro', 2, 3, 10), 29, 20, 110, 110, 29],
    [info('m5.xlarge', 'nitro', 4, 4, 15), 58, 44, 110, 110, 58],
    [info('c5.4xlarge', 'nitro', 16, 8, 30), 110, 110, 110, 110, 234],
    [info('m5.24xlarge', 'nitro', 96, 15, 50), 250, 250, 250, 250, 737]
  ])('%o', (type, standard, custom, pd, customPd, uncapped) => {
    const run = (customNetworking: boolean, prefixDelegation: boolean, more = {}) =>
      maxPods(type, { cniVersion: cni, customNetworking, prefixDelegation, ...more })
    expect(run(false, false)).toBe(standard)
    expect(run(true, false)).toBe(custom)
    expect(run(false, true)).toBe(pd)
    expect(run(true, true)).toBe(customPd)
    expect(run(false, false, { uncapped: true })).toBe(uncapped)
  })

  it('uses the CNI version for prefix delegation: only 1.9 and later', () => {
    const m5 = info('m5.large', 'nitro', 2, 3, 10)
    const pd = { customNetworking: false, prefixDelegation: true, uncapped: true }
    expect(maxPods(m5, { ...pd, cniVersion: 'v1.8.0' })).toBe(29)
    expect(maxPods(m5, { ...pd, cniVersion: '1.9.0' })).toBe(3 * 9 * 16 + 2)
    expect(maxPods(m5, { ...pd, cniVersion: 'v2.0.0' })).toBe(3 * 9 * 16 + 2)
  })

  it('ignores prefix delegation on Xen and on types without a hypervisor', () => {
    const opts = { cniVersion: 'v1.19.6', customNetworking: true, prefixDelegation: true }
    expect(maxPods(info('t2.medium', 'xen', 2, 3, 6), opts)).toBe(12)
    expect(maxPods(info('m5.metal', '', 96, 15, 50), { ...opts, uncapped: true })).toBe(14 * 49 + 2)
  })

  it('honours MAX_ENI', () => {
    const c5 = info('c5.4xlarge', 'nitro', 16, 8, 30)
    const o = { cniVersion: 'v1.19.6', customNetworking: false, prefixDelegation: false }
    expect(maxPods(c5, { ...o, maxEni: 2 })).toBe(2 * 29 + 2)
    expect(maxPods(c5, { ...o, maxEni: 20, uncapped: true })).toBe(234)
  })

  it('rejects a CNI version it cannot read', () => {
    const m5 = info('m5.large', 'nitro', 2, 3, 10)
    expect(() =>
      maxPods(m5, { cniVersion: 'latest', customNetworking: false, prefixDelegation: false })
    ).toThrow("CNI version 'latest'")
  })
})

describe('networkInfoFromInstanceType', () => {
  it('reads the default network card, not the first one', () => {
    const t = {
      InstanceType: 'p5.48xlarge',
      Hypervisor: 'nitro',
      VCpuInfo: { DefaultVCpus: 192 },
      NetworkInfo: {
        MaximumNetworkInterfaces: 64,
        Ipv4AddressesPerInterface: 50,
        DefaultNetworkCardIndex: 1,
        NetworkCards: [
          { NetworkCardIndex: 0, MaximumNetworkInterfaces: 2 },
          { NetworkCardIndex: 1, MaximumNetworkInterfaces: 4 }
        ]
      }
    }
    expect(networkInfoFromInstanceType(t)).toEqual(info('p5.48xlarge', 'nitro', 192, 4, 50))
  })

  it('falls back to NetworkInfo.MaximumNetworkInterfaces and an empty hypervisor', () => {
    const t = {
      InstanceType: 'x.metal',
      VCpuInfo: { DefaultVCpus: 8 },
      NetworkInfo: { MaximumNetworkInterfaces: 3, Ipv4AddressesPerInterface: 10 }
    }
    expect(networkInfoFromInstanceType(t)).toEqual(info('x.metal', '', 8, 3, 10))
  })

  it('names the type and the missing field', () => {
    expect(() => networkInfoFromInstanceType({ InstanceType: 'q.large', NetworkInfo: {} })).toThrow(
      'no NetworkInfo.MaximumNetworkInterfaces for instance type q.large'
    )
    expect(() => networkInfoFromInstanceType(null)).toThrow('without InstanceType')
  })
})

describe('maxPods against eni-max-pods.txt v1.23.0 with moto’s instance data', () => {
  it('gives the standard uncapped figure for every type moto knows', () => {
    const table = readFileSync(path.join(FIXTURES, 'eni-max-pods-v1.23.0.txt'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .map((line) => {
        const [type, pods] = line.trim().split(/\s+/)
        return { type, pods: Number(pods) }
      })
    const moto = motoInstanceTypes()
    const compared: string[] = []
    const notInMoto: string[] = []
    const wrong: string[] = []
    for (const { type, pods } of table) {
      if (!(type in moto)) {
        notInMoto.push(type)
        continue
      }
      compared.push(type)
      const got = maxPods(networkInfoFromInstanceType(moto[type]), {
        cniVersion: 'v1.23.0',
        customNetworking: false,
        prefixDelegation: false,
        uncapped: true
      })
      if (got !== pods) wrong.push(`${type}: table ${pods}, computed ${got}`)
    }
    console.log(
      `max-pods check: ${table.length} types in eni-max-pods.txt, ${compared.length} compared ` +
        `(${compared.length - wrong.length} matched), ${notInMoto.length} not in moto's data` +
        (notInMoto.length ? ` (e.g. ${notInMoto.slice(0, 5).join(', ')})` : '')
    )
    expect(wrong).toEqual([])
    expect(compared.length + notInMoto.length).toBe(table.length)
    // moto 5.2 knows 1263 of these types; a much smaller overlap means the data went missing.
    expect(compared.length).toBeGreaterThan(1000)
  })
})

describe('maxPodsEnvSettings', () => {
  it("reads custom networking, prefix delegation and MAX_ENI from aws-node's env as ipamd does", () => {
    expect(
      maxPodsEnvSettings({
        AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true',
        ENABLE_PREFIX_DELEGATION: '1',
        MAX_ENI: '3'
      })
    ).toEqual({ customNetworking: true, prefixDelegation: true, maxEni: 3 })
    expect(maxPodsEnvSettings({ ENABLE_PREFIX_DELEGATION: 'false', MAX_ENI: '-1' })).toEqual({
      customNetworking: false,
      prefixDelegation: false
    })
  })
})
