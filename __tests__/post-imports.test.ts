/**
 * The post step only deletes a folder, so its module graph must stay free of @actions/core (and
 * with it the HTTP client and everything else core loads): a stand-in that throws on import makes
 * any such import fail this test.
 */
import { describe, expect, it, jest } from '@jest/globals'

jest.unstable_mockModule('@actions/core', () => {
  throw new Error('the post step must not import @actions/core')
})

describe('post step imports', () => {
  it('load without @actions/core', async () => {
    const cleanup = await import('../src/cleanup.js')
    expect(typeof cleanup.post).toBe('function')
  })
})
