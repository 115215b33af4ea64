import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as core from '@actions/core'
import { HintedError } from '../src/errors.js'
import {
  type SummaryDetails,
  writeFailureSummary,
  writePartialSummary,
  writeSummary
} from '../src/summary.js'
import { RESULT } from './fixtures/action-result.js'

const result = RESULT

const details: SummaryDetails = {
  clusterName: 'demo',
  region: 'us-east-1',
  result,
  settings: {
    env: { WARM_IP_TARGET: '1', ADDITIONAL_ENI_TAGS: '{"a":"<b>"}' },
    initEnv: { DISABLE_TCP_EARLY_DEMUX: 'true' },
    unset: [],
    initUnset: []
  },
  images: ['602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.19.6'],
  changes: [{ key: 'ENIConfig/us-east-1a', change: 'unchanged' }],
  rollout: 'aws-node rolled out: 3 of 3 pods updated and available.',
  dryRun: false,
  sections: [
    '### Max pods per node\n\n| Instance type | Max pods |\n|---|---|\n| m5.large | 110 |\n'
  ]
}

/** The cells of each table row, in order, as written (HTML inside the cells kept). */
function rows(html: string): string[][] {
  return [...html.matchAll(/<tr>(.*?)<\/tr>/gs)].map((tr) =>
    [...tr[1].matchAll(/<t[hd]>(.*?)<\/t[hd]>/gs)].map((td) => td[1])
  )
}

// @actions/core resolves GITHUB_STEP_SUMMARY once per process, so the file stays the same and is
// emptied before each test; every test reads back what was written to it.
const dir = mkdtempSync(join(tmpdir(), 'summary-'))
const file = join(dir, 'summary.md')
beforeEach(() => {
  writeFileSync(file, '')
  process.env.GITHUB_STEP_SUMMARY = file
  core.summary.emptyBuffer()
})
afterEach(() => {
  delete process.env.GITHUB_STEP_SUMMARY
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('writeSummary', () => {
  it('writes the ENIConfigs, the settings applied, the images, what changed and the sections, in order', async () => {
    await writeSummary(details)
    const written = readFileSync(file, 'utf8')
    expect(rows(written)).toEqual([
      ['Name', 'Zone', 'Zone ID', 'Subnet', 'Security groups'],
      [
        '<code>us-east-1a</code>',
        'us-east-1a',
        'use1-az1',
        '<code>subnet-0a</code>',
        '<code>sg-01</code>'
      ],
      ['Container', 'Variable', 'Value'],
      ['aws-node', '<code>WARM_IP_TARGET</code>', '<code>1</code>'],
      [
        'aws-node',
        '<code>ADDITIONAL_ENI_TAGS</code>',
        '<code>{&quot;a&quot;:&quot;&lt;b&gt;&quot;}</code>'
      ],
      ['aws-vpc-cni-init', '<code>DISABLE_TCP_EARLY_DEMUX</code>', '<code>true</code>'],
      ['Object', 'Result'],
      ['<code>ENIConfig/us-east-1a</code>', 'unchanged']
    ])
    expect(written).toContain('<h2>VPC CNI custom networking: demo</h2>')
    expect(written).toContain(
      'Cluster <code>demo</code> in <code>us-east-1</code>, Kubernetes 1.31, VPC CNI <code>v1.19.6</code>. Nothing changed.'
    )
    expect(written).toContain(
      '<li><code>602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.19.6</code></li>'
    )
    // Headings, the rollout line and the extra section appear once each, in this order.
    const order = [
      '<h3>ENIConfigs</h3>',
      '<h3>Settings applied</h3>',
      'Images:',
      '<h3>What changed</h3>',
      'aws-node rolled out: 3 of 3 pods updated and available.',
      '### Max pods per node\n\n| Instance type | Max pods |\n|---|---|\n| m5.large | 110 |'
    ]
    const at = order.map((text) => written.indexOf(text))
    expect(at.every((i) => i >= 0)).toBe(true)
    expect(at).toEqual([...at].sort((a, b) => a - b))
    for (const text of order) expect(written.lastIndexOf(text)).toBe(written.indexOf(text))
  })

  it('on a dry run says what a real run would do and has no "What changed" table', async () => {
    await writeSummary({ ...details, dryRun: true, result: { ...result, changed: true } })
    const written = readFileSync(file, 'utf8')
    expect(written).toContain(
      '<b>Dry run</b>: nothing was changed; a real run would <b>change</b> the cluster.'
    )
    expect(written).not.toContain('What changed')
    expect(rows(written).map((r) => r[0])).not.toContain('<code>ENIConfig/us-east-1a</code>')
  })

  it('writes nothing outside a runner (no GITHUB_STEP_SUMMARY)', async () => {
    delete process.env.GITHUB_STEP_SUMMARY
    await writeSummary(details)
    expect(readFileSync(file, 'utf8')).toBe('')
  })

  it('escapes values from inputs and the cluster as HTML', async () => {
    const evil = '<img src=x onerror=alert(1)>'
    const details: SummaryDetails = {
      clusterName: evil,
      region: 'us-east-1',
      result: {
        ...result,
        eniConfigs: [
          {
            name: 'a&b',
            zone: '<z>',
            zoneId: '"id"',
            subnet: 'subnet-1',
            securityGroups: ['sg-<1>']
          }
        ],
        changed: true,
        kubernetesVersion: '1.31<'
      },
      settings: {
        env: { WARM_IP_TARGET: '</code><script>' },
        initEnv: {},
        unset: [],
        initUnset: []
      },
      images: ['r/x:<tag>'],
      changes: [{ key: 'DaemonSet/kube-system/<x>', change: 'configured' }],
      rollout: 'rolled <b>out</b>',
      dryRun: false,
      sections: []
    }
    await writeSummary(details)
    const html = readFileSync(file, 'utf8')
    expect(html).not.toMatch(/<(img|script|z|x|tag)\b/)
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(html).toContain('<code>&lt;/code&gt;&lt;script&gt;</code>')
    expect(html).toContain('<code>a&amp;b</code>')
    expect(html).toContain('rolled &lt;b&gt;out&lt;/b&gt;')
  })
})

describe('writePartialSummary', () => {
  it('lists each object with what happened to it, HTML-escaped, the removed variables and the error', async () => {
    await writePartialSummary({
      clusterName: 'demo<x>',
      region: 'us-east-1',
      rows: [
        { key: 'ENIConfig/us-east-1a', outcome: 'created' },
        { key: 'ENIConfig/us-east-1b', outcome: 'failed' },
        { key: 'DaemonSet/kube-system/aws-node', outcome: 'not reached' }
      ],
      removed: ['aws-node WARM_IP_TARGET'],
      message: 'boom\nA rerun with the same inputs completes the change'
    })
    const written = readFileSync(file, 'utf8')
    expect(written).toContain('<h2>VPC CNI custom networking: demo&lt;x&gt; (failed)</h2>')
    expect(rows(written)).toEqual([
      ['Object', 'Result'],
      ['<code>ENIConfig/us-east-1a</code>', 'created'],
      ['<code>ENIConfig/us-east-1b</code>', 'sent, no answer'],
      ['<code>DaemonSet/kube-system/aws-node</code>', 'not reached']
    ])
    expect(written).toContain('<li><code>aws-node WARM_IP_TARGET</code></li>')
    expect(written).toContain(
      '<pre><code>boom\nA rerun with the same inputs completes the change</code></pre>'
    )
  })

  it('writes nothing outside a runner (no GITHUB_STEP_SUMMARY)', async () => {
    delete process.env.GITHUB_STEP_SUMMARY
    await writePartialSummary({
      clusterName: 'c',
      region: 'r',
      rows: [],
      removed: [],
      message: 'm'
    })
    expect(readFileSync(file, 'utf8')).toBe('')
  })
})

describe('writeFailureSummary', () => {
  it("writes the hint's markdown of an error or of its cause, and nothing for other errors", async () => {
    const hinted = new HintedError('denied', {
      text: 'plain hint',
      markdown: '**Fix**: the trust policy'
    })
    await writeFailureSummary(new Error('wrapped', { cause: hinted }))
    expect(readFileSync(file, 'utf8')).toBe('**Fix**: the trust policy\n')
    writeFileSync(file, '')
    await writeFailureSummary(new Error('no hint'))
    expect(readFileSync(file, 'utf8')).toBe('')
  })
})
