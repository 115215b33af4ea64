import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  nodeForRuntime,
  parseFileCommand,
  parseWorkflowCommands,
  runAction
} from '../../testbed/runner.js'

// A tiny action, written as the runner would see it, so the harness is tested apart from ours.
const MAIN = `
import { appendFileSync } from 'node:fs'
const input = (n) => process.env['INPUT_' + n.toUpperCase()] ?? ''
const d = 'ghadelimiter_x'
const put = (file, k, v) => appendFileSync(process.env[file], k + '<<' + d + '\\n' + v + '\\n' + d + '\\n')
console.log('::add-mask::s3cret')
if (!input('who')) { console.log('::error title=Input::Input required: who'); process.exit(1) }
put('GITHUB_OUTPUT', 'greeting', 'hello ' + input('who') + '\\non two lines')
put('GITHUB_STATE', 'file', '/tmp/x')
put('GITHUB_ENV', 'EXPORTED', 'yes')
appendFileSync(process.env.GITHUB_PATH, '/opt/tool\\n')
appendFileSync(process.env.GITHUB_STEP_SUMMARY, '# Summary\\n')
console.log('node', process.versions.node.split('.')[0], 'temp', process.env.RUNNER_TEMP ? 'set' : 'unset')
if (input('hang') === 'true') setTimeout(() => {}, 60000)
`
const POST = `console.log('post sees', process.env.STATE_file, process.env['INPUT_WHO'])`
const ACTION = `name: t
inputs:
  who: { description: d }
  greeting-style: { description: d, default: plain }
  hang: { description: d, default: 'false' }
runs: { using: node24, main: main.mjs, post: post.mjs, post-if: always() }
`

describe('runner harness', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'action-'))
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'action.yml'), ACTION)
    writeFileSync(join(dir, 'main.mjs'), MAIN)
    writeFileSync(join(dir, 'post.mjs'), POST)
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('runs main then post on Node 24 with inputs, file commands and state', async () => {
    const r = await runAction({ actionDir: dir, inputs: { who: 'eks' } })
    try {
      expect(r.main.exitCode).toBe(0)
      expect(r.main.stdout).toContain('node 24 temp set')
      expect(r.outputs).toEqual({ greeting: 'hello eks\non two lines' })
      expect(r.state).toEqual({ file: '/tmp/x' })
      expect(r.exportedEnv).toEqual({ EXPORTED: 'yes' })
      expect(r.path).toEqual(['/opt/tool'])
      expect(r.summary).toBe('# Summary\n')
      expect(r.masks).toEqual(['s3cret'])
      expect(r.post?.stdout).toContain('post sees /tmp/x eks')
    } finally {
      r.cleanup()
    }
  })

  it('reports a failing main with its error annotation and still runs post', async () => {
    const r = await runAction({ actionDir: dir })
    r.cleanup()
    expect(r.main.exitCode).toBe(1)
    expect(r.annotations).toEqual([
      { level: 'error', message: 'Input required: who', properties: { title: 'Input' } }
    ])
    expect(r.post?.exitCode).toBe(0)
  })

  it('can kill main, as a cancelled job would, and run post after it', async () => {
    const r = await runAction({
      actionDir: dir,
      inputs: { who: 'x', hang: 'true' },
      killMainAfterMs: 1500
    })
    r.cleanup()
    expect(r.main.signal).toBe('SIGKILL')
    expect(r.post?.stdout).toContain('post sees /tmp/x')
  })

  it('refuses inputs that action.yml does not declare', async () => {
    await expect(runAction({ actionDir: dir, inputs: { nope: '1' } })).rejects.toThrow(
      "input 'nope' is not in action.yml"
    )
  })

  it('parses both file-command forms', () => {
    expect(parseFileCommand('a=1\nb<<EOF\nx\ny\nEOF\nc=\n')).toEqual({ a: '1', b: 'x\ny', c: '' })
  })

  it('finds a Node binary for the declared runtime and rejects others', () => {
    expect(nodeForRuntime('node24')).toMatch(/node/)
    expect(() => nodeForRuntime('composite')).toThrow("'composite' is not a node runtime")
  })

  it('reads workflow commands after leading whitespace, as the runner trims it', () => {
    const stdout = [
      '   ::add-mask::indented-secret',
      '\t::error file=a.ts,line=3,title=T%3A1::broken%0Aon two lines',
      '::warning::plain\r',
      '  ::set-output name=answer::42',
      ' ::save-state name=pid::7',
      'text ::error::not a command: it does not start the line',
      '::debug::ignored'
    ].join('\n')
    expect(parseWorkflowCommands(stdout)).toEqual({
      masks: ['indented-secret'],
      annotations: [
        {
          level: 'error',
          message: 'broken\non two lines',
          properties: { file: 'a.ts', line: '3', title: 'T:1' }
        },
        { level: 'warning', message: 'plain', properties: {} },
        {
          level: 'warning',
          message: expect.stringMatching(/^The `set-output` command is deprecated/),
          properties: {}
        },
        {
          level: 'warning',
          message: expect.stringMatching(/^The `save-state` command is deprecated/),
          properties: {}
        }
      ],
      outputs: { answer: '42' },
      state: { pid: '7' }
    })
  })

  it('takes an indented ::set-output and ::error from a real step', async () => {
    const d = mkdtempSync(join(tmpdir(), 'action-indent-'))
    try {
      writeFileSync(join(d, 'action.yml'), 'name: t\nruns: { using: node24, main: main.mjs }\n')
      writeFileSync(
        join(d, 'main.mjs'),
        "console.log('  ::set-output name=greeting::hi')\nconsole.log('\\t::error::indented')\n"
      )
      const r = await runAction({ actionDir: d })
      r.cleanup()
      expect(r.outputs).toEqual({ greeting: 'hi' })
      expect(r.annotations).toEqual([
        {
          level: 'warning',
          message: expect.stringContaining('`set-output` command is deprecated'),
          properties: {}
        },
        { level: 'error', message: 'indented', properties: {} }
      ])
    } finally {
      rmSync(d, { recursive: true, force: true })
    }
  })
})
