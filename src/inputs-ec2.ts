/**
 * The list inputs that name EC2 resources: pod subnets (each with the zone the user may pin it to),
 * security groups and instance types. Each list is split on commas, spaces and newlines, every
 * item is checked against EC2's ID or name form, and an item given twice is an error here, so the
 * EC2 lookups downstream take the lists as they are.
 */
import { InputError } from './inputs-parse.js'

/** One pod subnet: its ID, and the zone (name or ID) the user says it is in. */
export interface SubnetEntry {
  subnetId: string
  zone?: string
}

const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/
const ZONE_NAME = /^[a-z]{2,4}(-[a-z]+){1,3}-\d{1,2}[a-z]$/
const ZONE_ID = /^[a-z]{2,6}\d{0,2}(-[a-z]{2,4}\d?)?-az\d{1,2}$/

/** Splits a list input on commas, spaces and newlines. */
function splitList(raw: string): string[] {
  return raw.split(/[\s,]+/).filter((s) => s !== '')
}

/** EC2 instance types such as m5.large or u-6tb1.112xlarge; empty means none. */
export function parseInstanceTypes(input: string, raw: string): string[] {
  const items = splitList(raw)
  const bad = items.find((t) => !/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/.test(t))
  if (bad !== undefined) {
    throw new InputError(input, bad, 'EC2 instance types such as m5.large, separated by commas')
  }
  const repeated = firstDuplicate(items)
  if (repeated !== undefined) throw new InputError(input, repeated, `${repeated} only once`)
  return items
}

/** Pod subnets: bare IDs or zone=subnet-id pairs, in any order and mix, one per zone. */
export function parseSubnets(input: string, raw: string): SubnetEntry[] {
  const items = splitList(raw)
  if (items.length === 0) {
    throw new InputError(input, raw, 'at least one subnet ID, e.g. subnet-0abc1234def567890')
  }
  const entries = items.map((item): SubnetEntry => {
    const eq = item.indexOf('=')
    const zone = eq >= 0 ? item.slice(0, eq) : undefined
    const subnetId = eq >= 0 ? item.slice(eq + 1) : item
    if (
      !SUBNET_ID.test(subnetId) ||
      (zone !== undefined && !ZONE_NAME.test(zone) && !ZONE_ID.test(zone))
    ) {
      throw new InputError(
        input,
        item,
        'a subnet ID (subnet- and 8 or 17 hex digits) or a zone=subnet-id pair such as ap-northeast-2a=subnet-0abc1234def567890'
      )
    }
    return zone === undefined ? { subnetId } : { subnetId, zone }
  })
  const dupe = firstDuplicate(entries.map((e) => e.subnetId))
  if (dupe) throw new InputError(input, dupe, 'each subnet only once')
  const zoneDupe = firstDuplicate(entries.flatMap((e) => (e.zone ? [e.zone] : [])))
  if (zoneDupe) {
    const second = items.filter((item) => item.startsWith(`${zoneDupe}=`))[1]
    throw new InputError(input, second, 'one subnet per zone (ENIConfigs are named after the zone)')
  }
  return entries
}

/** Security group IDs; empty means the cluster security group. */
export function parseSecurityGroups(input: string, raw: string): string[] | undefined {
  const items = splitList(raw)
  if (items.length === 0) return undefined
  for (const item of items) {
    if (!/^sg-[0-9a-f]{8,17}$/.test(item)) {
      throw new InputError(input, item, 'a security group ID: sg- and 8 or 17 hex digits')
    }
  }
  const dupe = firstDuplicate(items)
  if (dupe) throw new InputError(input, dupe, 'each security group only once')
  if (items.length > 16) throw new InputError(input, raw, 'at most 16 security groups')
  return items
}

function firstDuplicate(values: string[]): string | undefined {
  const seen = new Set<string>()
  for (const v of values) {
    if (seen.has(v)) return v
    seen.add(v)
  }
  return undefined
}
