import { retry } from '../src/retry.js'

const noSleep = async (): Promise<void> => undefined

describe('retry', () => {
  it('returns the first success without waiting', async () => {
    const waits: number[] = []
    const result = await retry(async () => 'ok', {
      label: 'x',
      retryable: () => true,
      sleep: async (ms) => void waits.push(ms)
    })
    expect(result).toBe('ok')
    expect(waits).toEqual([])
  })

  it('retries retryable errors with growing jittered backoff and then succeeds', async () => {
    const waits: number[] = []
    let calls = 0
    const result = await retry(
      async (attempt) => {
        calls++
        if (attempt < 4) throw new Error(`boom ${attempt}`)
        return attempt
      },
      {
        label: 'x',
        baseMs: 100,
        retryable: () => true,
        random: () => 1,
        sleep: async (ms) => void waits.push(ms)
      }
    )
    expect(result).toBe(4)
    expect(calls).toBe(4)
    expect(waits).toEqual([100, 200, 400])
  })

  it('waits exactly what the classifier asks for, such as a Retry-After', async () => {
    const waits: number[] = []
    let n = 0
    await retry(
      async () => {
        if (n++ === 0) throw new Error('429')
      },
      { label: 'x', retryable: () => 3000, sleep: async (ms) => void waits.push(ms) }
    )
    expect(waits).toEqual([3000])
  })

  it('stops at once on a non-retryable error', async () => {
    let calls = 0
    await expect(
      retry(
        async () => {
          calls++
          throw new Error('403')
        },
        { label: 'x', retryable: () => false, sleep: noSleep }
      )
    ).rejects.toThrow('403')
    expect(calls).toBe(1)
  })

  it('gives up after the last attempt with the last error', async () => {
    let calls = 0
    await expect(
      retry(
        async (attempt) => {
          calls++
          throw new Error(`fail ${attempt}`)
        },
        { label: 'x', attempts: 3, retryable: () => true, sleep: noSleep }
      )
    ).rejects.toThrow('fail 3')
    expect(calls).toBe(3)
  })

  it('does not sleep past the deadline', async () => {
    const waits: number[] = []
    await expect(
      retry(
        async () => {
          throw new Error('slow')
        },
        {
          label: 'x',
          retryable: () => 60_000,
          deadline: Date.now() + 1000,
          sleep: async (ms) => void waits.push(ms)
        }
      )
    ).rejects.toThrow('slow')
    expect(waits).toEqual([])
  })

  it('reports each retry with the label and attempt', async () => {
    const messages: string[] = []
    let n = 0
    await retry(
      async () => {
        if (n++ < 1) throw new Error('throttled\nmore detail')
      },
      { label: 'sts:X', retryable: () => 5, sleep: noSleep, onRetry: (m) => messages.push(m) }
    )
    expect(messages).toEqual(['Retry sts:X: attempt 2 of 5 in 5 ms (throttled)'])
  })

  it('reads the deadline against the injected clock, whose time the sleeps advance', async () => {
    let clock = 0
    const waits: number[] = []
    let calls = 0
    await expect(
      retry(
        async () => {
          calls++
          throw new Error('busy')
        },
        {
          label: 'x',
          attempts: 10,
          retryable: () => 400,
          deadline: 1000,
          now: () => clock,
          sleep: async (ms) => {
            waits.push(ms)
            clock += ms
          }
        }
      )
    ).rejects.toThrow('busy')
    // 0 → 400 → 800; a third wait would end at 1200, past the deadline, so it never starts.
    expect(waits).toEqual([400, 400])
    expect(calls).toBe(3)
  })
})
