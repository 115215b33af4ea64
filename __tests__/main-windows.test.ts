/**
 * On Windows the run stops before it reads an input or makes a request: the kubeconfig, which
 * holds a bearer token, cannot be kept private there.
 */
import { jest } from '@jest/globals'

it('fails at once on Windows, before any input is read or request made', async () => {
  const platform = Object.getOwnPropertyDescriptor(process, 'platform') as PropertyDescriptor
  Object.defineProperty(process, 'platform', { value: 'win32' })
  const fetchSpy = jest.spyOn(globalThis, 'fetch')
  const written: string[] = []
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk))
    return true
  })
  // Inputs that would fail validation: the platform check must come first.
  delete process.env['INPUT_CLUSTER-NAME']
  delete process.env.GITHUB_STEP_SUMMARY
  const exitCode = process.exitCode
  try {
    const { run } = await import('../src/main.js')
    await run()
    expect(process.exitCode).toBe(1)
  } finally {
    Object.defineProperty(process, 'platform', platform)
    write.mockRestore()
    process.exitCode = exitCode
  }
  const errors = written.filter((l) => l.startsWith('::error::'))
  expect(errors).toHaveLength(1)
  expect(errors[0]).toMatch(/^::error::This action does not run on Windows runners/)
  expect(written.join('')).not.toMatch(/cluster-name/)
  expect(fetchSpy).not.toHaveBeenCalled()
})
