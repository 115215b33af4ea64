import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as core from '@actions/core'
import { writeSummary, type SummaryDetails } from '../src/summary.js'

describe('writeSummary', () => {
  let dir: string
  let file: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'summary-'))
    file = join(dir, 'summary.md')
    writeFileSync(file, '')
    process.env.GITHUB_STEP_SUMMARY = file
    core.summary.emptyBuffer()
  })
  afterEach(() => {
    delete process.env.GITHUB_STEP_SUMMARY
    rmSync(dir, { recursive: true, force: true })
  })

  it('escapes values from inputs and the cluster as HTML', async () => {
    const evil = '<img src=x onerror=alert(1)>'
    const details: SummaryDetails = {
      clusterName: evil,
      region: 'us-east-1',
      result: {
        eniConfigs: [
          {
            name: 'a&b',
            zone: '<z>',
            zoneId: '"id"',
            subnet: 'subnet-1',
            securityGroups: ['sg-<1>']
          }
        ],
        eniConfigLabelDef: 'topology.kubernetes.io/zone',
        cniVersion: 'v1.19.6',
        changed: true,
        kubectlPath: '',
        clusterSecurityGroupId: 'sg-1',
        kubernetesVersion: '1.31<',
        maxPods: {},
        nodesToRecycle: []
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
