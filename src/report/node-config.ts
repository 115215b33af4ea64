/**
 * The max-pods configuration per instance type for the node AMIs EKS supports today, from the
 * figures of the max-pods table. Pure.
 *
 * - Amazon Linux 2023: nodeadm's `NodeConfig` (apiVersion node.eks.aws/v1alpha1). A fixed
 *   `spec.kubelet.config.maxPods` takes precedence over `spec.kubelet.maxPodsExpression`, a CEL
 *   expression over the documented variables `default_enis`, `ips_per_eni` and `max_pods`
 *   (https://awslabs.github.io/amazon-eks-ami/nodeadm/doc/examples/#defining-a-max-pods-expression).
 *   In launch-template user data the NodeConfig goes into a MIME multi-part part of type
 *   `application/node.eks.aws`
 *   (https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html#launch-template-user-data).
 * - Bottlerocket: `max-pods` in `[settings.kubernetes]` of its TOML user data; for a managed node
 *   group EKS merges that TOML with its own and the user's `settings.kubernetes.max-pods` is the one
 *   applied (same page).
 * - Amazon Linux 2 (bootstrap.sh) is left out: EKS AL2 AMIs reached end of support in November 2025.
 *
 * A managed node group that runs the EKS AMI (no AMI ID in its launch template) gets a max-pods
 * from EKS itself, which wins over the user data's
 * (https://docs.aws.amazon.com/eks/latest/userguide/choosing-instance-type.html#max-pods-precedence),
 * so the user data below decides the figure on self-managed nodes and on managed node groups whose
 * launch template names the AMI.
 */
import type { MaxPodsRow } from '../max-pods-report.js'
import { htmlCode } from './markdown.js'

/** The MIME boundary of the AL2023 user data. */
const BOUNDARY = 'BOUNDARY'

/** AL2023 NodeConfig that fixes kubelet's maxPods. */
export function al2023NodeConfig(maxPods: number): string {
  return [
    'apiVersion: node.eks.aws/v1alpha1',
    'kind: NodeConfig',
    'spec:',
    '  kubelet:',
    '    config:',
    `      maxPods: ${maxPods}`,
    ''
  ].join('\n')
}

/**
 * Launch-template user data for AL2023: a MIME multi-part document with the NodeConfig. Lines end
 * in CRLF, as MIME (RFC 2046) wants.
 */
export function al2023UserData(maxPods: number): string {
  return [
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${BOUNDARY}"`,
    '',
    `--${BOUNDARY}`,
    'Content-Type: application/node.eks.aws',
    '',
    '---',
    ...al2023NodeConfig(maxPods).trimEnd().split('\n'),
    '',
    `--${BOUNDARY}--`,
    ''
  ].join('\r\n')
}

/** Bottlerocket settings (also the managed node group's user data, which is TOML). */
export function bottlerocketSettings(maxPods: number): string {
  return ['[settings.kubernetes]', `max-pods = ${maxPods}`, ''].join('\n')
}

/** Per instance type: the figure and the three snippets. */
export interface NodeConfigRow {
  instanceType: string
  maxPods: number
  al2023: string
  al2023UserData: string
  bottlerocket: string
}

export function nodeConfigs(rows: readonly MaxPodsRow[]): NodeConfigRow[] {
  return rows.map((r) => ({
    instanceType: r.instanceType,
    maxPods: r.maxPods,
    al2023: al2023NodeConfig(r.maxPods),
    al2023UserData: al2023UserData(r.maxPods),
    bottlerocket: bottlerocketSettings(r.maxPods)
  }))
}

/** The summary part: one collapsible block per instance type. */
export function nodeConfigMarkdown(rows: readonly MaxPodsRow[]): string {
  if (rows.length === 0) return ''
  const lines = [
    '#### Node configuration per instance type',
    '',
    'Amazon Linux 2023 (nodeadm `NodeConfig`) and Bottlerocket (`settings.kubernetes.max-pods`), ' +
      'each also as launch-template user data: MIME multi-part for AL2023, TOML for Bottlerocket. ' +
      'A managed node group on the EKS AMI (no AMI ID in the launch template) gets its max-pods from ' +
      'EKS, which wins over user data.',
    ''
  ]
  for (const c of nodeConfigs(rows)) {
    lines.push(
      `<details><summary>${htmlCode(c.instanceType)}: max-pods ${c.maxPods}</summary>`,
      '',
      'AL2023 `NodeConfig`:',
      '',
      '```yaml',
      c.al2023.trimEnd(),
      '```',
      '',
      'AL2023 launch-template user data:',
      '',
      '```',
      c.al2023UserData.replace(/\r\n/g, '\n').trimEnd(),
      '```',
      '',
      'Bottlerocket settings and launch-template user data:',
      '',
      '```toml',
      c.bottlerocket.trimEnd(),
      '```',
      '',
      '</details>',
      ''
    )
  }
  return lines.join('\n')
}
