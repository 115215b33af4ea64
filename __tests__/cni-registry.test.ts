import { readFileSync } from 'node:fs'
import path from 'node:path'
import {
  ECR_ACCOUNTS,
  ecrRegistryForRegion,
  partitionOf,
  unknownRegionWarning
} from '../src/cni/registry.js'
import { VPC_CNI_FIXTURES } from '../testbed/fixtures.js'

const FIXTURES = VPC_CNI_FIXTURES

describe('ecrRegistryForRegion', () => {
  test.each([
    ['us-east-1', '602401143452.dkr.ecr.us-east-1.amazonaws.com'],
    ['us-west-2', '602401143452.dkr.ecr.us-west-2.amazonaws.com'],
    ['eu-west-1', '602401143452.dkr.ecr.eu-west-1.amazonaws.com'],
    ['ap-northeast-2', '602401143452.dkr.ecr.ap-northeast-2.amazonaws.com'],
    ['ap-southeast-2', '602401143452.dkr.ecr.ap-southeast-2.amazonaws.com'],
    ['af-south-1', '877085696533.dkr.ecr.af-south-1.amazonaws.com'],
    ['ap-east-1', '800184023465.dkr.ecr.ap-east-1.amazonaws.com'],
    ['ap-east-2', '533267051163.dkr.ecr.ap-east-2.amazonaws.com'],
    ['ap-southeast-3', '296578399912.dkr.ecr.ap-southeast-3.amazonaws.com'],
    ['ap-south-2', '900889452093.dkr.ecr.ap-south-2.amazonaws.com'],
    ['ap-southeast-4', '491585149902.dkr.ecr.ap-southeast-4.amazonaws.com'],
    ['ap-southeast-5', '151610086707.dkr.ecr.ap-southeast-5.amazonaws.com'],
    ['ap-southeast-6', '333609536671.dkr.ecr.ap-southeast-6.amazonaws.com'],
    ['ap-southeast-7', '121268973566.dkr.ecr.ap-southeast-7.amazonaws.com'],
    ['eu-south-1', '590381155156.dkr.ecr.eu-south-1.amazonaws.com'],
    ['eu-south-2', '455263428931.dkr.ecr.eu-south-2.amazonaws.com'],
    ['eu-central-2', '900612956339.dkr.ecr.eu-central-2.amazonaws.com'],
    ['il-central-1', '066635153087.dkr.ecr.il-central-1.amazonaws.com'],
    ['mx-central-1', '730335286997.dkr.ecr.mx-central-1.amazonaws.com'],
    ['me-south-1', '558608220178.dkr.ecr.me-south-1.amazonaws.com'],
    ['me-central-1', '759879836304.dkr.ecr.me-central-1.amazonaws.com'],
    ['ca-west-1', '761377655185.dkr.ecr.ca-west-1.amazonaws.com'],
    ['cn-north-1', '918309763551.dkr.ecr.cn-north-1.amazonaws.com.cn'],
    ['cn-northwest-1', '961992271922.dkr.ecr.cn-northwest-1.amazonaws.com.cn'],
    ['us-gov-east-1', '151742754352.dkr.ecr.us-gov-east-1.amazonaws.com'],
    ['us-gov-west-1', '013241004608.dkr.ecr.us-gov-west-1.amazonaws.com'],
    ['eusc-de-east-1', '877088126301.dkr.ecr.eusc-de-east-1.amazonaws.eu']
  ])('%s → %s', (region, registry) => {
    expect(ecrRegistryForRegion(region)).toBe(registry)
  })

  it('covers all 17 regions of the shared account', () => {
    const shared = Object.entries(ECR_ACCOUNTS).filter(([, a]) => a === '602401143452')
    expect(shared).toHaveLength(17)
  })

  it('agrees with the chart regions.json of v1.23.0', () => {
    const regions = JSON.parse(
      readFileSync(path.join(FIXTURES, 'regions-v1.23.0.json'), 'utf8')
    ) as {
      ecrRegion: string
      ecrAccount: string
      ecrDomain: string
    }[]
    expect(regions.length).toBeGreaterThan(0)
    for (const r of regions) {
      expect(ecrRegistryForRegion(r.ecrRegion)).toBe(
        `${r.ecrAccount}.dkr.ecr.${r.ecrRegion}.${r.ecrDomain}`
      )
    }
  })

  it('lists 39 regions: 34 commercial, 2 China, 2 GovCloud, 1 European Sovereign Cloud', () => {
    const byPartition = Object.keys(ECR_ACCOUNTS).reduce<Record<string, number>>((n, r) => {
      n[partitionOf(r)] = (n[partitionOf(r)] ?? 0) + 1
      return n
    }, {})
    expect(byPartition).toEqual({ aws: 34, 'aws-cn': 2, 'aws-us-gov': 2, 'aws-eusc': 1 })
  })

  test.each(['xx-nowhere-1', 'us-east-9', 'cn-south-1', 'constructor', '__proto__'])(
    'an unknown region %s has no registry, and its warning names it and image-registry',
    (region) => {
      expect(ecrRegistryForRegion(region)).toBeUndefined()
      expect(unknownRegionWarning(region)).toMatch(
        new RegExp(`region '${region}': keeping the manifest's images.*image-registry`)
      )
    }
  )

  it('suggests the partition’s domain for an unknown region', () => {
    expect(unknownRegionWarning('cn-south-1')).toContain('.dkr.ecr.cn-south-1.amazonaws.com.cn')
    expect(unknownRegionWarning('ap-south-9')).toContain('.dkr.ecr.ap-south-9.amazonaws.com)')
  })
})

describe('partitionOf', () => {
  test.each([
    ['us-east-1', 'aws'],
    ['ap-northeast-2', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-gov-east-1', 'aws-us-gov'],
    ['eusc-de-east-1', 'aws-eusc']
  ])('%s is in %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition)
  })
})
