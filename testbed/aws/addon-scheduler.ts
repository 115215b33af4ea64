/**
 * When the add-on API's asynchronous changes run: each after a delay (what keeps an update
 * InProgress), optionally held by pause() until resume() so a test can observe the in-progress
 * state however slow its clients are. A change that throws is reported to its error handler.
 */
export class ChangeScheduler {
  private readonly timers = new Set<NodeJS.Timeout>()
  private work: Promise<unknown> = Promise.resolve()
  private gate: Promise<void> = Promise.resolve()
  private release: (() => void) | undefined
  private closed = false

  constructor(public delayMs: number) {}

  /** Runs `fn` after the delay (and any pause); an error goes to `onError`. */
  later(fn: () => Promise<void>, onError: (message: string) => void): void {
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        this.gate
          .then(() => (this.closed ? undefined : fn()))
          .catch((e: unknown) => onError(e instanceof Error ? e.message : String(e)))
          .finally(resolve)
      }, this.delayMs)
      this.timers.add(timer)
    })
    this.work = Promise.all([this.work, done])
  }

  pause(): void {
    if (this.release) return
    this.gate = new Promise((r) => (this.release = r))
  }

  resume(): void {
    this.release?.()
    this.release = undefined
    this.gate = Promise.resolve()
  }

  /** Resolves when every change started so far has finished (not while paused). */
  settled(): Promise<void> {
    return this.work.then(() => undefined)
  }

  close(): void {
    this.closed = true
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    this.resume()
  }
}
