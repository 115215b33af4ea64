/**
 * The add-on comparison of `npm run bench`: on test beds that run vpc-cni as an EKS managed add-on,
 * (d) the CLI way (bench/addon-cli.sh: kubectl apply of the ENIConfigs, aws eks update-addon with
 * the settings as configurationValues, aws eks wait addon-active, the rollout) against (e) the
 * action's first run, which does the same through UpdateAddon with eniConfig. Each run is checked:
 * the settings must be on aws-node and every zone must have its ENIConfig.
 */
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ORIGIN_INIT_ENV, ORIGIN_NODE_ENV, prepareBaseline } from '../testbed/baseline.js'
import { run, type Testbed } from '../testbed/index.js'
import { runAction } from '../testbed/runner.js'
import { fmtMs, fmtRatio, median, ratio } from './metrics.js'
import { RunFailure, type ActionRunOptions } from './runs.js'

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'addon-cli.sh')

export interface AddonRunRecord {
  kind: 'addon-cli' | 'addon-action'
  rep: number
  wallMs: number
  requests: number
}

const tail = (text: string, n = 1500): string => text.slice(-n)

/** The settings on aws-node and one ENIConfig per pod subnet's zone, or a RunFailure. */
function expectConfigured(tb: Testbed, label: string): void {
  const ds = tb.kube.get('apps/v1', 'DaemonSet', 'aws-node', 'kube-system') as unknown as {
    spec: {
      template: {
        spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] }
      }
    }
  }
  const env = Object.fromEntries(
    (ds.spec.template.spec.containers.find((c) => c.name === 'aws-node')?.env ?? []).map((e) => [
      e.name,
      e.value
    ])
  )
  const wrong = Object.entries(ORIGIN_NODE_ENV).filter(([k, v]) => env[k] !== v)
  if (wrong.length > 0) {
    throw new RunFailure(
      `${label}: aws-node lacks ${wrong.map(([k, v]) => `${k}=${v}`).join(', ')}`
    )
  }
  const names = tb.kube
    .list('crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig')
    .map((o) => o.metadata.name)
    .sort()
  const want = [...new Set(tb.podSubnets.map((s) => s.zone))].sort()
  if (names.join() !== want.join()) {
    throw new RunFailure(
      `${label}: ENIConfigs are [${names.join(', ')}], want [${want.join(', ')}]`
    )
  }
}

/** Runs bench/addon-cli.sh on `tb`; the role is assumed and the files written before the timing. */
export async function measureAddonCli(tb: Testbed, rep: number): Promise<AddonRunRecord> {
  const prepared = await prepareBaseline(tb, { cniVersion: 'v1.19.6' })
  const dir = dirname(prepared.manifest)
  const eniConfigs = join(dir, 'eniconfigs.yaml')
  writeFileSync(
    eniConfigs,
    tb.podSubnets
      .map((s) =>
        [
          'apiVersion: crd.k8s.amazonaws.com/v1alpha1',
          'kind: ENIConfig',
          `metadata: {name: ${s.zone}}`,
          `spec: {subnet: ${s.id}, securityGroups: [${tb.clusterSecurityGroupId}]}`
        ].join('\n')
      )
      .join('\n---\n')
  )
  const values = join(dir, 'values.json')
  writeFileSync(
    values,
    JSON.stringify({ env: { ...ORIGIN_NODE_ENV }, init: { env: { ...ORIGIN_INIT_ENV } } })
  )
  const seq = tb.log.lastSeq
  const t0 = performance.now()
  const result = await run('bash', [SCRIPT], {
    env: { ...prepared.env, ENICONFIGS: eniConfigs, VALUES: values },
    timeoutMs: 180_000
  })
  const wallMs = Math.round(performance.now() - t0)
  if (result.code !== 0) {
    throw new RunFailure(`addon-cli.sh exited ${result.code}:\n${tail(result.stderr)}`)
  }
  expectConfigured(tb, 'addon-cli.sh')
  return { kind: 'addon-cli', rep, wallMs, requests: tb.log.since(seq).length }
}

/** The action's first run on an add-on cluster through the harness. */
export async function measureAddonAction(
  tb: Testbed,
  rep: number,
  opts: ActionRunOptions
): Promise<AddonRunRecord> {
  const seq = tb.log.lastSeq
  const r = await runAction({
    env: { ...tb.env, RUNNER_TOOL_CACHE: opts.toolCache },
    inputs: {
      'cluster-name': tb.clusterName,
      'role-to-assume': tb.roleArn,
      subnets: tb.podSubnets.map((s) => s.id).join(','),
      // The CLI way uses the kubectl already there; so does this run.
      'install-kubectl': 'false'
    },
    actionDir: opts.actionDir,
    timeoutMs: 120_000
  })
  try {
    const label = `add-on action run (rep ${rep})`
    if (r.main.exitCode !== 0 || r.post?.exitCode !== 0) {
      throw new RunFailure(`${label}: main exited ${r.main.exitCode}:\n${tail(r.log)}`)
    }
    if (r.outputs.mode !== 'addon' || r.outputs.changed !== 'true') {
      throw new RunFailure(`${label}: mode=${r.outputs.mode} changed=${r.outputs.changed}`)
    }
    expectConfigured(tb, label)
    return {
      kind: 'addon-action',
      rep,
      wallMs: r.main.durationMs + (r.post?.durationMs ?? 0),
      requests: tb.log.since(seq).length
    }
  } finally {
    r.cleanup()
  }
}

/** The RESULTS.md section: medians of each way and the ratio action / CLI. */
export function renderAddonSection(runs: readonly AddonRunRecord[], updateDelayMs: number): string {
  const of = (kind: AddonRunRecord['kind']) => runs.filter((r) => r.kind === kind)
  const cli = of('addon-cli')
  const action = of('addon-action')
  if (cli.length === 0 || action.length === 0) return ''
  const wall = (rs: AddonRunRecord[]) => median(rs.map((r) => r.wallMs))
  const reqs = (rs: AddonRunRecord[]) => median(rs.map((r) => r.requests))
  const cell = (rs: AddonRunRecord[]) =>
    `${fmtMs(wall(rs))} (${rs.map((r) => r.wallMs).join(', ')} ms)`
  return [
    '## The managed add-on: the action against the CLI way',
    '',
    `Test beds with vpc-cni as an EKS managed add-on; an add-on update stays in progress ` +
      `${updateDelayMs} ms. (d) bench/addon-cli.sh: kubectl apply of the ENIConfigs, aws eks ` +
      'update-addon with the settings as configurationValues, aws eks wait addon-active, the ' +
      'aws-node rollout (its inputs are prepared before the timing: no EC2 reads). (e) the ' +
      "action's first run: the same through UpdateAddon with eniConfig, plus its EC2 checks and " +
      'reports. Medians over the repetitions.',
    '',
    '| | wall | requests |',
    '|---|--:|--:|',
    `| (d) CLI way | ${cell(cli)} | ${reqs(cli)} |`,
    `| (e) action | ${cell(action)} | ${reqs(action)} |`,
    `| e / d | ${fmtRatio(ratio(wall(action), wall(cli)))} | |`,
    '',
    '`aws eks wait addon-active` polls every 10 s (the AddonActive waiter), so the CLI way ' +
      'waits at least that long after any update; the action polls DescribeUpdate and ' +
      'DescribeAddon every 3 s.',
    ''
  ].join('\n')
}

/** Runs `reps` pairs on fresh add-on test beds: (d) on one, (e) on the other, alternating order. */
export async function runAddonBench(p: {
  reps: number
  opts: ActionRunOptions
  updateDelayMs: number
  startBeds: (n: number, o: { cniMode: 'addon'; addonUpdateDelayMs: number }) => Promise<Testbed[]>
  stopBeds: (beds: Testbed[]) => Promise<void>
  say: (line: string) => void
}): Promise<AddonRunRecord[]> {
  const runs: AddonRunRecord[] = []
  for (let rep = 1; rep <= p.reps; rep++) {
    const beds = await p.startBeds(2, { cniMode: 'addon', addonUpdateDelayMs: p.updateDelayMs })
    try {
      const [bedD, bedE] = beds
      const d = () => measureAddonCli(bedD, rep)
      const e = () => measureAddonAction(bedE, rep, p.opts)
      const pair = rep % 2 ? [await d(), await e()] : [await e(), await d()]
      runs.push(...pair)
      p.say(
        `add-on rep ${rep}/${p.reps}: ${pair.map((r) => `${r.kind} ${r.wallMs} ms`).join(' | ')}`
      )
    } finally {
      await p.stopBeds(beds)
    }
  }
  return runs
}
