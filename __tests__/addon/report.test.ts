import { addonSummaryMarkdown, changeLines, modeOutputs } from '../../src/addon/report.js'

const base = {
  clusterName: 'demo',
  addonVersion: 'v1.19.6-eksbuild.2',
  resolveConflicts: 'OVERWRITE' as const,
  changes: [
    { key: 'env.WARM_IP_TARGET', before: '5', after: '1' },
    { key: 'env.GONE', before: 'x' },
    { key: 'env.ODD', after: 'a|b `c` <img src=x>' }
  ]
}

describe('add-on report', () => {
  it('names the add-on, the version, the update id and every key changed, escaped', () => {
    const md = addonSummaryMarkdown({
      ...base,
      previousVersion: 'v1.19.6-eksbuild.1',
      outcome: { kind: 'updated', updateId: 'c0ffee-1' }
    })
    expect(md).toBe(
      [
        '### EKS add-on `vpc-cni`',
        '',
        'Cluster `demo`, add-on `vpc-cni` `v1.19.6-eksbuild.2` (was `v1.19.6-eksbuild.1`): updated 3 configurationValues keys through UpdateAddon, update `c0ffee-1` (resolve-conflicts `OVERWRITE`).',
        '',
        '| configurationValues key | Before | After |',
        '| --- | --- | --- |',
        '| `env.WARM_IP_TARGET` | `5` | `1` |',
        '| `env.GONE` | `x` | — (removed) |',
        '| `env.ODD` | — (not set) | ``a\\|b `c` <img src=x>`` |',
        ''
      ].join('\n')
    )
  })

  it('says when nothing was sent: no-op and dry run', () => {
    expect(
      addonSummaryMarkdown({ ...base, changes: [], outcome: { kind: 'unchanged' } })
    ).toContain('already hold these settings; no update was made.')
    expect(
      addonSummaryMarkdown({ ...base, outcome: { kind: 'dry-run', wouldChange: true } })
    ).toContain(
      '**dry run**: nothing was sent; a real run would change 3 configurationValues keys through UpdateAddon'
    )
  })

  it("shows a failed update's errors verbatim and a direct ENIConfig apply", () => {
    const conflict =
      'Conflicts found when trying to apply. Will not continue due to resolve conflicts mode. Conflicts: DaemonSet.apps aws-node - .spec.template.spec.containers[name="aws-node"].env[name="ENABLE_PREFIX_DELEGATION"].value'
    const md = addonSummaryMarkdown({
      ...base,
      resolveConflicts: 'NONE',
      eniConfigsApplied: true,
      outcome: { kind: 'failed', updateId: 'u-2', errors: [conflict] }
    })
    expect(md).toContain('update `u-2` **failed** (resolve-conflicts `NONE`)')
    expect(md).toContain(`- \`${conflict}\``)
    expect(md).toContain('has no `eniConfig`, so the ENIConfigs were applied directly')
  })

  it('sets the mode and addon-version outputs', () => {
    expect(modeOutputs({ kind: 'ADDON', addonVersion: 'v1', addonStatus: 'ACTIVE' }, 'v2')).toEqual(
      {
        mode: 'addon',
        addonVersion: 'v2'
      }
    )
    expect(modeOutputs({ kind: 'CREATE_ADDON', replacesSelfManaged: false }, 'v3')).toEqual({
      mode: 'addon',
      addonVersion: 'v3'
    })
    expect(modeOutputs({ kind: 'SETTINGS', takeOverAddonFields: false }, undefined)).toEqual({
      mode: 'self-managed',
      addonVersion: ''
    })
  })
})

describe('changeLines', () => {
  it('prints each key before → after for the dry-run log', () => {
    expect(changeLines(base.changes)).toEqual([
      'configurationValues env.WARM_IP_TARGET: 5 → 1',
      'configurationValues env.GONE: x → (removed)',
      'configurationValues env.ODD: (not set) → a|b `c` <img src=x>'
    ])
    expect(changeLines([])).toEqual(['configurationValues: no change'])
  })
})
