import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import * as core from '@actions/core'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { post, workflowLog, type PostLog } from '../src/cleanup.js'

const STATE_KEYS = ['STATE_kubeconfig-dir', 'STATE_kubeconfig-exported']

let temp: string
let log: { [K in keyof PostLog]: jest.Mock<PostLog[K]> }
beforeEach(() => {
  temp = mkdtempSync(join(tmpdir(), 'runner-temp-'))
  process.env.RUNNER_TEMP = temp
  log = { debug: jest.fn(), info: jest.fn(), warning: jest.fn() }
})
afterEach(() => {
  rmSync(temp, { recursive: true, force: true })
  delete process.env.RUNNER_TEMP
  for (const key of STATE_KEYS) delete process.env[key]
})

/** Main's saved state, as the runner hands it to the post step. */
function stateOf(values: Record<string, string>) {
  for (const key of STATE_KEYS) delete process.env[key]
  for (const [name, value] of Object.entries(values)) process.env[`STATE_${name}`] = value
}

describe('post', () => {
  it('removes the kubeconfig folder main recorded', async () => {
    const dir = join(temp, 'eks-cni-0123')
    mkdirSync(dir)
    writeFileSync(join(dir, 'eks-cni-kubeconfig-1.yaml'), 'token', { mode: 0o600 })
    stateOf({ 'kubeconfig-dir': dir, 'kubeconfig-exported': 'true' })
    await post(log)
    expect(existsSync(dir)).toBe(false)
    expect(log.info).toHaveBeenCalledWith(
      expect.stringContaining('Removed the exported kubeconfig')
    )
  })

  it('says which folder it removed when the kubeconfig was not exported', async () => {
    const dir = join(temp, 'eks-cni-4567')
    mkdirSync(dir)
    stateOf({ 'kubeconfig-dir': dir })
    await post(log)
    expect(existsSync(dir)).toBe(false)
    expect(log.info).toHaveBeenCalledWith(`Removed the kubeconfig folder ${dir}`)
  })

  it('is quiet when main never created one, and harmless twice', async () => {
    stateOf({})
    await post(log)
    stateOf({ 'kubeconfig-dir': join(temp, 'eks-cni-gone') })
    await post(log)
    expect(log.warning).not.toHaveBeenCalled()
    expect(log.info).not.toHaveBeenCalled()
  })

  it('refuses to delete a folder that is not ours', async () => {
    const dir = join(temp, 'precious')
    mkdirSync(dir)
    stateOf({ 'kubeconfig-dir': dir })
    await post(log)
    expect(existsSync(dir)).toBe(true)
    expect(log.warning).toHaveBeenCalledWith(expect.stringContaining('Not removing'))
  })

  it('refuses an eks-cni-* folder outside RUNNER_TEMP', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'elsewhere-'))
    const dir = join(outside, 'eks-cni-0123')
    mkdirSync(dir)
    try {
      stateOf({ 'kubeconfig-dir': dir })
      await post(log)
      expect(existsSync(dir)).toBe(true)
      expect(log.warning).toHaveBeenCalledWith(expect.stringContaining('Not removing'))
    } finally {
      rmSync(outside, { recursive: true, force: true })
    }
  })

  it('reads the state @actions/core saved under the same names', async () => {
    // core.getState is the reader main's saveState pairs with; post reads the same variables.
    stateOf({ 'kubeconfig-dir': join(temp, 'eks-cni-x'), 'kubeconfig-exported': 'true' })
    expect(core.getState('kubeconfig-dir')).toBe(join(temp, 'eks-cni-x'))
    expect(core.getState('kubeconfig-exported')).toBe('true')
  })
})

describe('workflowLog', () => {
  /** What a function writes to stdout. */
  function stdoutOf(fn: () => void): string {
    const chunks: string[] = []
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      chunks.push(String(chunk))
      return true
    })
    try {
      fn()
    } finally {
      spy.mockRestore()
    }
    return chunks.join('')
  }

  const message = 'Could not remove /tmp/eks-cni-1: 100% busy\r\nsecond line'

  it.each(['debug', 'info', 'warning'] as const)(
    'writes %s lines exactly as @actions/core does',
    (level) => {
      const ours = stdoutOf(() => workflowLog[level](message))
      expect(ours).toBe(stdoutOf(() => core[level](message)))
      expect(ours.split('\n').filter(Boolean)).toHaveLength(level === 'info' ? 2 : 1)
    }
  )
})
