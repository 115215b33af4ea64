/**
 * The node-group readiness check wired into a run: builds its facts from what the run has read
 * (RunFacts), once per run, and hands the findings to the settings check (so fail-on-warnings stops
 * the run before any write) and the table and output to the report.
 */
import * as core from '@actions/core'
import { awsNodeEnv, isAwsNodeDaemonSet } from '../cni/aws-node.js'
import { maxPodsEnvSettings } from '../cni/max-pods.js'
import type { RunFacts } from '../run-facts.js'
import type { KubernetesObject } from '../kube/client.js'
import type { LintFinding } from '../lint.js'
import { maxPodsTable } from '../max-pods-report.js'
import { nodeFromObject } from '../recycle.js'
import { capacityMarkdown, capacityOutput } from './capacity-report.js'
import { type NodeGroupReport, nodeGroupReport } from './node-groups.js'

const reports = new WeakMap<RunFacts, NodeGroupReport>()

/** The check for this run's facts, computed on first use. */
export function nodeGroupCheck(f: RunFacts): NodeGroupReport {
  const known = reports.get(f)
  if (known) return known
  const ds = f.manifest.objects.find(isAwsNodeDaemonSet) as KubernetesObject | undefined
  const env = ds ? awsNodeEnv(ds).env : {}
  const rows = maxPodsTable(f.instanceTypes, {
    cniVersion: f.manifest.cniVersion,
    ...maxPodsEnvSettings(env)
  })
  const report = nodeGroupReport({
    env,
    zones: f.zones ?? [],
    usage: f.podSubnetUsage,
    clusterRole: f.clusterRole,
    clusterRoleArn: f.cluster.roleArn,
    maxPods: rows,
    instanceTypes: f.instanceTypes,
    expectedNodes: f.inputs.expectedNodes ?? { byZone: {} },
    nodeZones: (f.live.nodes ?? []).map((n) => nodeFromObject(n).zone),
    region: f.inputs.region
  })
  reports.set(f, report)
  return report
}

/** The findings for the settings check; prints the notices (once per run). */
export function nodeGroupFindings(f: RunFacts): LintFinding[] {
  const report = nodeGroupCheck(f)
  for (const n of report.notices) core.notice(n, { title: 'Check skipped' })
  return report.findings
}

/** The summary section and the `pod-subnet-capacity` output. */
export function nodeGroupSection(f: RunFacts): { markdown: string; output: object[] } {
  const report = nodeGroupCheck(f)
  return {
    markdown: capacityMarkdown(report.rows, f.inputs.region),
    output: capacityOutput(report.rows)
  }
}
