import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as core from '../__fixtures__/core.js'

jest.unstable_mockModule('@actions/core', () => core)
const { post } = await import('../src/cleanup.js')

let temp: string
beforeEach(() => {
  temp = mkdtempSync(join(tmpdir(), 'runner-temp-'))
  process.env.RUNNER_TEMP = temp
  jest.clearAllMocks()
})
afterEach(() => {
  rmSync(temp, { recursive: true, force: true })
  delete process.env.RUNNER_TEMP
})

function stateOf(values: Record<string, string>) {
  core.getState.mockImplementation((name: string) => values[name] ?? '')
}

describe('post', () => {
  it('removes the kubeconfig folder main recorded', async () => {
    const dir = join(temp, 'eks-cni-0123')
    mkdirSync(dir)
    writeFileSync(join(dir, 'eks-cni-kubeconfig-1.yaml'), 'token', { mode: 0o600 })
    stateOf({ 'kubeconfig-dir': dir, 'kubeconfig-exported': 'true' })
    await post()
    expect(existsSync(dir)).toBe(false)
    expect(core.info).toHaveBeenCalledWith(
      expect.stringContaining('Removed the exported kubeconfig')
    )
  })

  it('is quiet when main never created one, and harmless twice', async () => {
    stateOf({})
    await post()
    stateOf({ 'kubeconfig-dir': join(temp, 'eks-cni-gone') })
    await post()
    expect(core.warning).not.toHaveBeenCalled()
  })

  it('refuses to delete a folder that is not ours', async () => {
    const dir = join(temp, 'precious')
    mkdirSync(dir)
    stateOf({ 'kubeconfig-dir': dir })
    await post()
    expect(existsSync(dir)).toBe(true)
    expect(core.warning).toHaveBeenCalledWith(expect.stringContaining('Not removing'))
    expect(core.setFailed).not.toHaveBeenCalled()
  })
})
