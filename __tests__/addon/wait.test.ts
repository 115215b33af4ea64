import { type Clock, WaitTimeoutError, poll, waitForClusterActive } from '../../src/addon/wait.js'

function fakeClock(start = 1_000_000): Clock & { slept: number[] } {
  let t = start
  const slept: number[] = []
  return { slept, now: () => t, sleep: async (ms) => void (slept.push(ms), (t += ms)) }
}

describe('poll and waitForClusterActive', () => {
  it('waits for a CREATING cluster to turn ACTIVE, logging each status', async () => {
    const clock = fakeClock()
    const statuses = ['CREATING', 'CREATING', 'ACTIVE']
    const lines: string[] = []
    const status = await waitForClusterActive('demo', async () => statuses.shift()!, {
      deadline: clock.now() + 60_000,
      intervalMs: 10_000,
      clock,
      log: (l) => lines.push(l)
    })
    expect(status).toBe('ACTIVE')
    expect(clock.slept).toEqual([10_000, 10_000])
    expect(lines).toEqual([
      "Waiting for EKS cluster 'demo' to be ACTIVE: CREATING (0 s elapsed, 60 s left)",
      "Waiting for EKS cluster 'demo' to be ACTIVE: CREATING (10 s elapsed, 50 s left)"
    ])
  })

  it('sleeps no longer than the time left and times out at the deadline', async () => {
    const clock = fakeClock()
    const wait = waitForClusterActive('demo', async () => 'UPDATING', {
      deadline: clock.now() + 25_000,
      intervalMs: 10_000,
      clock
    })
    await expect(wait).rejects.toThrow(
      "Timed out after 25 s waiting for EKS cluster 'demo' to be ACTIVE; it is still UPDATING"
    )
    await expect(wait).rejects.toBeInstanceOf(WaitTimeoutError)
    expect(clock.slept).toEqual([10_000, 10_000, 5_000])
  })

  it('fails at once when the cluster turns FAILED', async () => {
    const clock = fakeClock()
    const statuses = ['CREATING', 'FAILED']
    await expect(
      waitForClusterActive('demo', async () => statuses.shift()!, {
        deadline: clock.now() + 60_000,
        clock
      })
    ).rejects.toThrow("EKS cluster 'demo' turned FAILED while waiting for it to be ACTIVE")
  })

  it('returns the value that ended the wait', async () => {
    const clock = fakeClock()
    let n = 0
    const value = await poll({
      label: 'n',
      read: async () => ++n,
      judge: (v) => (v >= 3 ? { state: 'done' } : { state: 'pending', status: `n=${v}` }),
      deadline: clock.now() + 1000,
      intervalMs: 100,
      clock
    })
    expect(value).toBe(3)
  })
})
