/**
 * The summary section about nodes that must be replaced: which nodes, why they must go, and the
 * commands that replace them (a rolling update per managed node group, else cordon, drain and
 * terminate).
 */
import type { RecycleEntry } from '../recycle.js'
import { code, shellWord } from './markdown.js'

/** Where the commands in the summary point. */
export interface RecycleTarget {
  clusterName: string
  region: string
}

/** The summary section: which nodes, why they must go, and how to replace them. */
export function recycleMarkdown(entries: RecycleEntry[], target: RecycleTarget): string {
  if (entries.length === 0) {
    return '### Nodes to replace\n\nNone: every node started after the last change that needs new nodes.\n'
  }
  const groups = [...new Set(entries.flatMap((e) => (e.nodegroup ? [e.nodegroup] : [])))].sort()
  const loose = entries.filter((e) => !e.nodegroup)
  const where = `--cluster-name ${shellWord(target.clusterName)} --region ${shellWord(target.region)}`
  const lines = [
    '### Nodes to replace',
    '',
    `${entries.length} node(s) started before the last change that needs new nodes (custom ` +
      "networking turned on, the ENIConfig label, their zone's ENIConfig, or prefix delegation). " +
      'The VPC CNI applies custom networking only to nodes created after it is configured: these ' +
      'nodes keep their ENIs in the node subnet, so their pods keep node-subnet IPs, and their ' +
      'kubelet --max-pods was set for the old settings. Replace them to move their pods onto the ' +
      'pod subnets.',
    '',
    '| Node | Zone | Instance | Node group |',
    '|---|---|---|---|',
    ...entries.map(
      (e) =>
        `| ${code(e.name)} | ${code(e.zone || undefined)} | ${code(e.instanceId)} | ${code(e.nodegroup)} |`
    ),
    ''
  ]
  if (groups.length > 0) {
    lines.push(
      '**Managed node groups** replace their nodes in a rolling update, which drains each node first ' +
        '(to the latest AMI release, or to a new launch template version with `--launch-template`; ' +
        '`--force` goes on when a PodDisruptionBudget blocks a drain):',
      '',
      '```sh',
      ...groups.map(
        (g) => `aws eks update-nodegroup-version ${where} --nodegroup-name ${shellWord(g)} --force`
      ),
      '```',
      ''
    )
  }
  if (loose.length > 0) {
    lines.push(
      `**Other nodes**${groups.length > 0 ? '' : ' (or one node at a time)'}: cordon, drain, then ` +
        'terminate the instance; its Auto Scaling group starts a replacement with the new settings:',
      '',
      '```sh',
      ...loose.flatMap((e) => [
        `kubectl cordon ${shellWord(e.name)}`,
        `kubectl drain ${shellWord(e.name)} --ignore-daemonsets --delete-emptydir-data`,
        `aws ec2 terminate-instances --region ${shellWord(target.region)} --instance-ids ${e.instanceId ? shellWord(e.instanceId) : '<instance-id>'}`
      ]),
      '```',
      ''
    )
  }
  return lines.join('\n')
}
