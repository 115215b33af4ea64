/** The record of a run's writes and the error of a run that stopped part-way. */
import { describe, expect, it } from '@jest/globals'
import { WriteProgress, describePartialRun } from '../src/progress.js'

describe('WriteProgress', () => {
  it('lists every planned object, what happened to it, and whether anything changed', () => {
    const p = new WriteProgress()
    p.expect(['ENIConfig/a', 'ENIConfig/b', 'DaemonSet/kube-system/aws-node'])
    expect(p.started).toBe(false)
    p.sending(['ENIConfig/a', 'ENIConfig/b'])
    p.record([{ key: 'ENIConfig/a', change: 'unchanged' }])
    expect(p.started).toBe(true)
    expect(p.changed).toBe(false)
    expect(p.list()).toEqual([
      { key: 'ENIConfig/a', outcome: 'unchanged' },
      { key: 'ENIConfig/b', outcome: 'failed' },
      { key: 'DaemonSet/kube-system/aws-node', outcome: 'not reached' }
    ])
    p.record([{ key: 'ENIConfig/b', change: 'created' }])
    expect(p.changed).toBe(true)
  })

  it('counts a removal as a change', () => {
    const p = new WriteProgress()
    p.removed.push('aws-node WARM_IP_TARGET')
    expect(p.changed).toBe(true)
  })
})

describe('describePartialRun', () => {
  const rows = [
    { key: 'ENIConfig/a', outcome: 'created' as const },
    { key: 'ENIConfig/b', outcome: 'failed' as const },
    { key: 'DaemonSet/kube-system/aws-node', outcome: 'not reached' as const }
  ]

  it('says what changed, what was not reached, the custom networking state and to rerun', () => {
    const m = describePartialRun('boom', rows, { before: false, after: undefined })
    expect(m).toBe(
      [
        'boom',
        '',
        'The run stopped part-way: custom networking on aws-node is as it was (off). Changed: ENIConfig/a.',
        'Sent without an answer: ENIConfig/b.',
        'Not reached: DaemonSet/kube-system/aws-node.',
        'A rerun with the same inputs completes the change; the job summary lists each object.'
      ].join('\n')
    )
  })

  it('says so when nothing changed, and when aws-node was written', () => {
    expect(
      describePartialRun('x', [{ key: 'ENIConfig/a', outcome: 'unchanged' }], {
        before: true,
        after: undefined
      })
    ).toMatch(/The cluster was not changed; custom networking on aws-node is as it was \(on\)\./)
    expect(describePartialRun('x', rows, { before: false, after: true })).toMatch(
      /custom networking on aws-node is now on/
    )
  })
})
