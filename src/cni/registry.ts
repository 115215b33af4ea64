/**
 * Where the VPC CNI images live per region. The official manifests point at us-west-2 (or the
 * partition's home region); nodes elsewhere pull from their own region's EKS add-on registry, whose
 * account differs by region.
 *
 * Source: the Amazon EKS user guide, "View Amazon container image registries for Amazon EKS
 * add-ons", https://docs.aws.amazon.com/eks/latest/userguide/add-ons-images.html (China:
 * https://docs.amazonaws.cn/en_us/eks/latest/userguide/add-ons-images.html), as of 2026: every
 * commercial, China, GovCloud and European Sovereign Cloud region it lists. The GovCloud and China
 * entries also agree with charts/regions.json of aws/amazon-vpc-cni-k8s.
 */

/** AWS partitions the action can target. */
export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov' | 'aws-eusc'

const SHARED_ACCOUNT = '602401143452'

/** ECR account hosting the EKS add-on images, per region. */
export const ECR_ACCOUNTS: Readonly<Record<string, string>> = Object.freeze({
  ...Object.fromEntries(
    [
      'us-east-1',
      'us-east-2',
      'us-west-1',
      'us-west-2',
      'ca-central-1',
      'sa-east-1',
      'eu-central-1',
      'eu-west-1',
      'eu-west-2',
      'eu-west-3',
      'eu-north-1',
      'ap-south-1',
      'ap-northeast-1',
      'ap-northeast-2',
      'ap-northeast-3',
      'ap-southeast-1',
      'ap-southeast-2'
    ].map((region) => [region, SHARED_ACCOUNT])
  ),
  'af-south-1': '877085696533',
  'ap-east-1': '800184023465',
  // The user guide prints an ap-east-1 host for this account; the region is ap-east-2.
  'ap-east-2': '533267051163',
  'ap-southeast-3': '296578399912',
  'ap-south-2': '900889452093',
  'ap-southeast-4': '491585149902',
  'ap-southeast-5': '151610086707',
  'ap-southeast-6': '333609536671',
  'ap-southeast-7': '121268973566',
  'eu-south-1': '590381155156',
  'eu-south-2': '455263428931',
  'eu-central-2': '900612956339',
  'il-central-1': '066635153087',
  'mx-central-1': '730335286997',
  'me-south-1': '558608220178',
  'me-central-1': '759879836304',
  'ca-west-1': '761377655185',
  'cn-north-1': '918309763551',
  'cn-northwest-1': '961992271922',
  'us-gov-east-1': '151742754352',
  'us-gov-west-1': '013241004608',
  'eusc-de-east-1': '877088126301'
})

const DOMAINS: Readonly<Record<Partition, string>> = {
  aws: 'amazonaws.com',
  'aws-cn': 'amazonaws.com.cn',
  'aws-us-gov': 'amazonaws.com',
  'aws-eusc': 'amazonaws.eu'
}

/** Matches the host of any EKS add-on ECR registry, in every partition. */
export const ECR_REGISTRY_HOST = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.(?:com|com\.cn|eu)$/

/** The partition of a region, from its prefix. */
export function partitionOf(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn'
  if (region.startsWith('us-gov-')) return 'aws-us-gov'
  if (region.startsWith('eusc-')) return 'aws-eusc'
  return 'aws'
}

/**
 * The ECR registry host for the CNI images in `region`, e.g.
 * `602401143452.dkr.ecr.ap-northeast-2.amazonaws.com`; undefined for a region missing from the
 * table (a region newer than this list), whose caller keeps the manifest's images.
 */
export function ecrRegistryForRegion(region: string): string | undefined {
  const account = Object.hasOwn(ECR_ACCOUNTS, region) ? ECR_ACCOUNTS[region] : undefined
  if (account === undefined) return undefined
  return `${account}.dkr.ecr.${region}.${DOMAINS[partitionOf(region)]}`
}

/** The warning for a region missing from the table: what happens and how to choose instead. */
export function unknownRegionWarning(region: string): string {
  return (
    `No known EKS add-on registry for the VPC CNI images in region '${region}': keeping the ` +
    `manifest's images. If your nodes cannot pull them, set the input image-registry to the ` +
    `registry they pull from (e.g. <account>.dkr.ecr.${region}.${DOMAINS[partitionOf(region)]}); ` +
    `set it to 'keep' to silence this warning.`
  )
}
