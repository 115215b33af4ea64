/**
 * What the repository promises its adopters about CI, kept true: every workflow runs on
 * ubuntu-24.04 (tests and the action also on ubuntu-24.04-arm) with the Node of .node-version, the
 * action is run with `uses: ./` for real and as a dry run, a release checks dist/ and moves the
 * major tag, and Dependabot groups npm and GitHub Actions updates.
 */
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import * as yaml from 'js-yaml'

interface Step {
  id?: string
  uses?: string
  run?: string
  with?: Record<string, string>
}
interface Job {
  'runs-on'?: string
  uses?: string
  with?: Record<string, string>
  strategy?: { matrix?: Record<string, unknown> }
  steps?: Step[]
}
interface Workflow {
  on: Record<string, unknown>
  permissions?: Record<string, string>
  jobs: Record<string, Job>
}

const DIR = '.github/workflows'
const workflows = Object.fromEntries(
  readdirSync(DIR)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => [f, yaml.load(readFileSync(`${DIR}/${f}`, 'utf8')) as Workflow])
)
const jobs = Object.entries(workflows).flatMap(([file, wf]) =>
  Object.entries(wf.jobs).map(([name, job]) => ({ id: `${file}:${name}`, job }))
)

describe('workflows', () => {
  it('exist for CI, dist, release, CodeQL and actionlint', () => {
    expect(Object.keys(workflows).sort()).toEqual(
      expect.arrayContaining([
        'actionlint.yml',
        'check-dist.yml',
        'ci.yml',
        'codeql.yml',
        'release.yml'
      ])
    )
  })

  it('run on ubuntu-24.04, or on both ubuntu-24.04 and ubuntu-24.04-arm', () => {
    for (const { id, job } of jobs) {
      if (job.uses) continue // a reusable workflow call has no runner of its own
      const matrix = job['runs-on'] === '${{ matrix.runner }}'
      const runners = matrix ? job.strategy?.matrix?.runner : [job['runs-on']]
      const expected = matrix ? ['ubuntu-24.04', 'ubuntu-24.04-arm'] : ['ubuntu-24.04']
      expect([id, runners]).toEqual([id, expected])
    }
    const ci = workflows['ci.yml'].jobs
    for (const name of ['test', 'action']) {
      expect(ci[name].strategy?.matrix?.runner).toEqual(['ubuntu-24.04', 'ubuntu-24.04-arm'])
    }
  })

  it('take Node from .node-version', () => {
    const setups = jobs.flatMap(({ id, job }) =>
      (job.steps ?? [])
        .filter((s) => s.uses?.startsWith('actions/setup-node@'))
        .map((s) => ({ id, s }))
    )
    expect(setups.length).toBeGreaterThan(0)
    for (const { id, s } of setups) {
      expect([id, s.with?.['node-version-file'], s.with?.['node-version']]).toEqual([
        id,
        '.node-version',
        undefined
      ])
    }
  })

  it('have read-only default permissions', () => {
    for (const [file, wf] of Object.entries(workflows)) {
      expect([file, wf.permissions]).toEqual([file, { contents: 'read' }])
    }
  })

  it('run the action with uses: ./ against the test bed, for real and then as a dry run', () => {
    const steps = workflows['ci.yml'].jobs.action.steps ?? []
    const start = steps.findIndex((s) => /npm run --silent testbed/.test(s.run ?? ''))
    const local = steps.filter((s) => s.uses === './')
    expect(start).toBeGreaterThanOrEqual(0)
    expect(local.map((s) => s.with?.['dry-run'] ?? 'false')).toEqual(['false', 'true'])
    expect(steps.indexOf(local[0])).toBeGreaterThan(start)
    const check = steps.find((s) => /DRY_CHANGED/.test(s.run ?? ''))
    expect(check?.run).toMatch(/test "\$REAL_CHANGED" = true/)
    expect(check?.run).toMatch(/test "\$DRY_CHANGED" = false/)
  })

  it('on a published release, check dist/ at the tag, then move the major tag', () => {
    const release = workflows['release.yml']
    expect(release.on.release).toEqual({ types: ['published'] })
    expect(release.jobs['check-dist'].uses).toBe('./.github/workflows/check-dist.yml')
    const major = release.jobs['major-tag'] as Job & { needs?: string }
    expect(major.needs).toBe('check-dist')
    expect(
      major.steps?.some((s) => /git push --force origin "refs\/tags\/\$MAJOR"/.test(s.run ?? ''))
    ).toBe(true)
  })
})

describe('dependabot', () => {
  it('updates npm and GitHub Actions in groups', () => {
    const config = yaml.load(readFileSync('.github/dependabot.yml', 'utf8')) as {
      updates: { 'package-ecosystem': string; groups?: Record<string, unknown> }[]
    }
    const ecosystems = config.updates.map((u) => u['package-ecosystem']).sort()
    expect(ecosystems).toEqual(['github-actions', 'npm'])
    for (const u of config.updates) expect(Object.keys(u.groups ?? {}).length).toBeGreaterThan(0)
  })
})
