/**
 * `npm run demo`: the action working end to end without an AWS account. Starts the test bed, runs the
 * built action (dist/) on the origin scenario exactly as the runner would, prints what a user would
 * see, reads the result back with real kubectl, and tears everything down.
 */
import { runAction } from '../testbed/runner.js'
import { startTestbed } from '../testbed/index.js'

const section = (title: string): void =>
  console.log(`\n=== ${title} ${'='.repeat(70 - title.length)}`)

async function main(): Promise<void> {
  section('Starting the test bed (moto, Kubernetes API emulator, OIDC, mirrors)')
  const bed = await startTestbed()
  try {
    console.log(`cluster ${bed.clusterName} in ${bed.region}, API ${bed.endpoints.kube}`)
    console.log(`pod subnets: ${bed.podSubnets.map((s) => `${s.zone}=${s.id}`).join(' ')}`)

    section('Running the action (dist/index.js, then dist/post/index.js)')
    const result = await runAction({
      env: bed.env,
      inputs: {
        'cluster-name': bed.clusterName,
        'aws-region': bed.region,
        'role-to-assume': bed.roleArn,
        // Shuffled on purpose: the action pairs subnets with zones through EC2, not by position.
        subnets: [...bed.podSubnets]
          .reverse()
          .map((s) => s.id)
          .join(','),
        'manifest-base-url': bed.env.TESTBED_MANIFEST_BASE_URL,
        'kubectl-mirror': bed.env.TESTBED_KUBECTL_MIRROR
      }
    })
    try {
      const visible = result.main.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::') && !l.startsWith('::debug::'))
      console.log(visible.join('\n'))
      if (result.main.exitCode !== 0) {
        console.error(result.main.stderr)
        throw new Error(`the action failed with exit code ${result.main.exitCode}`)
      }

      section('Outputs')
      for (const [name, value] of Object.entries(result.outputs)) console.log(`${name}: ${value}`)

      section('Job summary (markdown)')
      console.log(result.summary)
    } finally {
      result.cleanup()
    }

    section('Read back with kubectl: ENIConfigs')
    const eni = await bed.kubectl([
      'get',
      'eniconfigs',
      '-o',
      'custom-columns=NAME:.metadata.name,SUBNET:.spec.subnet,SECURITY-GROUPS:.spec.securityGroups'
    ])
    console.log(eni.stdout || eni.stderr)

    section('Read back with kubectl: aws-node settings')
    const ds = await bed.kubectl(['get', 'ds', 'aws-node', '-n', 'kube-system', '-o', 'json'])
    const spec = JSON.parse(ds.stdout).spec.template.spec
    type Env = { name: string; value?: string }
    const show = (title: string, env: Env[]): void =>
      console.log(
        `${title}:\n${env.map((e) => `  ${e.name}=${e.value ?? '(from field)'}`).join('\n')}`
      )
    for (const c of spec.initContainers ?? [])
      show(`init container ${c.name} (${c.image})`, c.env ?? [])
    for (const c of spec.containers) show(`container ${c.name} (${c.image})`, c.env ?? [])
  } finally {
    section('Tearing down')
    await bed.stop()
    console.log('done: no process or file left behind')
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
})
