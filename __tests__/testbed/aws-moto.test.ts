import { execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { EKSClient, DescribeClusterCommand } from '@aws-sdk/client-eks'
import {
  EC2Client,
  DescribeSecurityGroupsCommand,
  DescribeInstanceTypesCommand
} from '@aws-sdk/client-ec2'
import { startMoto, type Moto, type SeedResult } from '../../testbed/aws/moto.js'

const run = promisify(execFile)
const region = 'ap-northeast-2'
const caData = Buffer.from(
  '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
).toString('base64')
const creds = { accessKeyId: 'testing', secretAccessKey: 'testing' }

/** The real aws CLI against moto, with dummy credentials and no local profile. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI JSON, asserted field by field
async function aws(moto: Moto, ...args: string[]): Promise<any> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ENDPOINT_URL: moto.url,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_DEFAULT_REGION: region,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null'
  }
  delete env.AWS_SESSION_TOKEN
  delete env.AWS_PROFILE
  const { stdout } = await run('aws', [...args, '--output', 'json'], { env })
  return JSON.parse(stdout)
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('moto launcher', () => {
  let moto: Moto
  let seeded: SeedResult

  beforeAll(async () => {
    moto = await startMoto({ warmRegion: region })
    seeded = await moto.seed({
      region,
      clusterName: 'demo',
      kubernetesVersion: '1.31',
      endpoint: 'https://127.0.0.1:6443',
      caData
    })
  })
  afterAll(async () => moto?.close())

  it('seeds the VPC, subnets, security groups and role', () => {
    expect(seeded.accountId).toBe('123456789012')
    expect(seeded.nodeSubnets.map((s) => s.zone)).toEqual([
      'ap-northeast-2a',
      'ap-northeast-2b',
      'ap-northeast-2c'
    ])
    expect(seeded.podSubnets.map((s) => s.zoneId)).toEqual(['apne2-az1', 'apne2-az2', 'apne2-az3'])
    expect(seeded.podSubnets[0].cidr).toBe('100.64.0.0/19')
    expect(seeded.roleArn).toBe('arn:aws:iam::123456789012:role/eks-cni-deployer')
    expect(seeded.clusterArn).toBe('arn:aws:eks:ap-northeast-2:123456789012:cluster/demo')
    expect(seeded.otherVpc.vpcId).not.toBe(seeded.vpcId)
  })

  it('the real aws CLI sees the edited cluster', async () => {
    const { cluster } = await aws(moto, 'eks', 'describe-cluster', '--name', 'demo')
    expect(cluster.status).toBe('ACTIVE')
    expect(cluster.version).toBe('1.31')
    expect(cluster.endpoint).toBe('https://127.0.0.1:6443')
    expect(cluster.certificateAuthority.data).toBe(caData)
    expect(cluster.resourcesVpcConfig.vpcId).toBe(seeded.vpcId)
    expect(cluster.resourcesVpcConfig.clusterSecurityGroupId).toBe(seeded.clusterSecurityGroupId)
    expect(cluster.resourcesVpcConfig.subnetIds).toEqual(seeded.nodeSubnets.map((s) => s.id))
  })

  it('the real aws CLI finds the six subnets with their zones', async () => {
    const { Subnets } = await aws(
      moto,
      'ec2',
      'describe-subnets',
      '--filters',
      `Name=vpc-id,Values=${seeded.vpcId}`
    )
    type Subnet = { SubnetId: string }
    const byId = new Map((Subnets as Subnet[]).map((s) => [s.SubnetId, s]))
    expect(byId.size).toBe(6)
    for (const s of [...seeded.nodeSubnets, ...seeded.podSubnets]) {
      const found = byId.get(s.id)
      expect(found).toMatchObject({
        AvailabilityZone: s.zone,
        AvailabilityZoneId: s.zoneId,
        CidrBlock: s.cidr
      })
    }
  })

  it('the SDK reads the cluster, security group and instance types', async () => {
    const eks = new EKSClient({ region, endpoint: moto.url, credentials: creds })
    const ec2 = new EC2Client({ region, endpoint: moto.url, credentials: creds })
    const { cluster } = await eks.send(new DescribeClusterCommand({ name: 'demo' }))
    expect(cluster?.resourcesVpcConfig?.vpcId).toBe(seeded.vpcId)
    const sgs = await ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [seeded.clusterSecurityGroupId] })
    )
    expect(sgs.SecurityGroups?.[0].VpcId).toBe(seeded.vpcId)
    const types = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['m5.large'] }))
    expect(types.InstanceTypes?.[0].NetworkInfo?.MaximumNetworkInterfaces).toBe(3)
  })

  it('seeds a second cluster into the same moto and can make it not ACTIVE', async () => {
    const other = await moto.seed({
      region,
      clusterName: 'second',
      kubernetesVersion: '1.29',
      endpoint: 'https://127.0.0.1:7443',
      caData,
      githubRepo: 'other/repo'
    })
    expect(other.vpcId).not.toBe(seeded.vpcId)
    expect(other.roleArn).toBe(seeded.roleArn)
    await moto.setClusterStatus(region, 'second', 'CREATING')
    const eks = new EKSClient({ region, endpoint: moto.url, credentials: creds })
    const { cluster } = await eks.send(new DescribeClusterCommand({ name: 'second' }))
    expect(cluster).toMatchObject({
      status: 'CREATING',
      version: '1.29',
      endpoint: 'https://127.0.0.1:7443'
    })
    await expect(moto.setClusterStatus(region, 'nope', 'ACTIVE')).rejects.toThrow(/no cluster nope/)
  })

  it('the launcher exits when its stdin closes (no orphan)', async () => {
    const launcher = join(
      dirname(fileURLToPath(import.meta.url)),
      '../../testbed/aws/moto_launcher.py'
    )
    // stdin from /dev/null is at EOF from the start: the launcher must print ready and then leave.
    const child = spawn('python3', [launcher], { stdio: ['ignore', 'pipe', 'inherit'] })
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    const code = await new Promise((resolve) => child.once('exit', resolve))
    expect(code).toBe(0)
    expect(JSON.parse(stdout.trim().split('\n')[0])).toHaveProperty('control')
  })

  it('reports a missing moto clearly (exit 3)', async () => {
    const launcher = join(
      dirname(fileURLToPath(import.meta.url)),
      '../../testbed/aws/moto_launcher.py'
    )
    // -S leaves site-packages (and so moto) off the path.
    const err = await run('python3', ['-S', launcher]).catch((e) => e)
    expect(err.code).toBe(3)
    expect(err.stderr).toContain(
      "moto is not installed: run node scripts/python-tools.mjs, or pip install 'moto[server]'"
    )
  })

  it('rejects clearly when python is missing', async () => {
    await expect(startMoto({ python: '/nonexistent/python3' })).rejects.toThrow(/python3 not found/)
  })

  // Last on purpose: it closes the shared moto (afterAll's close() is then a no-op).
  it('close() stops the Python child and is idempotent', async () => {
    expect(alive(moto.pid)).toBe(true)
    await moto.close()
    await moto.close()
    expect(alive(moto.pid)).toBe(false)
  })
})
