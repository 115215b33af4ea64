import { describe, expect, it } from '@jest/globals'
import {
  countFreeBlocks,
  ipv4ToNumber,
  numberToIpv4,
  parseCidr,
  suggestPrefixReservation,
  type SubnetOccupancy
} from '../../src/report/subnet-blocks.js'

const empty = (cidr: string): SubnetOccupancy => ({
  cidr,
  usedIps: [],
  usedPrefixes: [],
  reservations: []
})

/** One address in every /28 of 100.64.0.0/19 except the blocks listed (by index). */
function scattered(keepFree: number[]): SubnetOccupancy {
  const usedIps: string[] = []
  for (let b = 0; b < 512; b++) {
    if (!keepFree.includes(b)) usedIps.push(`100.64.${Math.floor(b / 16)}.${(b % 16) * 16 + 7}`)
  }
  return { ...empty('100.64.0.0/19'), usedIps }
}

describe('CIDR parsing', () => {
  it('reads and writes dotted IPv4', () => {
    expect(ipv4ToNumber('100.64.1.2')).toBe(100 * 2 ** 24 + 64 * 2 ** 16 + 258)
    expect(numberToIpv4(ipv4ToNumber('255.255.255.254'))).toBe('255.255.255.254')
    expect(ipv4ToNumber('1.2.3')).toBeNaN()
    expect(ipv4ToNumber('1.2.3.256')).toBeNaN()
  })

  it('rounds the start down to the boundary and rejects non-CIDRs', () => {
    expect(parseCidr('10.0.0.37/28')).toEqual({ start: ipv4ToNumber('10.0.0.32'), size: 16 })
    expect(() => parseCidr('10.0.0.0')).toThrow(/not an IPv4 CIDR/)
    expect(() => parseCidr('2600::/56')).toThrow(/not an IPv4 CIDR/)
  })
})

describe('countFreeBlocks', () => {
  it('keeps the first and the last block out: AWS reserves 4 + 1 addresses', () => {
    expect(countFreeBlocks(empty('10.0.0.0/24'))).toEqual({ totalBlocks: 16, freeBlocks: 14 })
    expect(countFreeBlocks(empty('100.64.0.0/19'))).toEqual({ totalBlocks: 512, freeBlocks: 510 })
    // A /28 subnet: its only block holds the reserved addresses.
    expect(countFreeBlocks(empty('10.0.0.16/28'))).toEqual({ totalBlocks: 1, freeBlocks: 0 })
    expect(countFreeBlocks(empty('10.0.0.0/29'))).toEqual({ totalBlocks: 0, freeBlocks: 0 })
  })

  it('counts a block with one used address as taken', () => {
    const o = scattered([5, 100, 300])
    expect(o.usedIps).toHaveLength(509)
    expect(countFreeBlocks(o).freeBlocks).toBe(3)
  })

  it('takes delegated prefixes and non-prefix reservations, not prefix reservations', () => {
    const o: SubnetOccupancy = {
      cidr: '10.0.0.0/24',
      usedIps: ['10.0.0.20', '10.0.0.21', '9.9.9.9'],
      usedPrefixes: ['10.0.0.48/28', '10.0.0.64/28'],
      reservations: [
        { cidr: '10.0.0.128/26', type: 'explicit' },
        { cidr: '10.0.0.192/27', type: 'prefix' }
      ]
    }
    // 16 blocks: 0 and 15 reserved by AWS, 1 (.20/.21), 3 and 4 (prefixes), 8-11 (explicit).
    expect(countFreeBlocks(o).freeBlocks).toBe(16 - 2 - 1 - 2 - 4)
  })
})

describe('suggestPrefixReservation', () => {
  it('gives the smallest aligned free block that holds what is wanted', () => {
    expect(suggestPrefixReservation(empty('10.0.0.0/24'), 1)).toBe('10.0.0.16/28')
    expect(suggestPrefixReservation(empty('10.0.0.0/24'), 3)).toBe('10.0.0.64/26')
    expect(suggestPrefixReservation(empty('10.0.0.0/24'), 2)).toBe('10.0.0.32/27')
  })

  it('falls back to the largest free aligned block in a fragmented subnet', () => {
    // Blocks 8-11 are free (an aligned /26) and 40 alone.
    const o = scattered([8, 9, 10, 11, 40])
    expect(suggestPrefixReservation(o, 10)).toBe('100.64.0.128/26')
    expect(suggestPrefixReservation(o, 1)).toBe('100.64.0.128/28')
  })

  it('skips existing reservations and gives nothing when no block is free', () => {
    const o = scattered([8, 9])
    expect(
      suggestPrefixReservation(
        { ...o, reservations: [{ cidr: '100.64.0.128/28', type: 'prefix' }] },
        2
      )
    ).toBe('100.64.0.144/28')
    expect(suggestPrefixReservation(scattered([]), 1)).toBeUndefined()
  })
})
