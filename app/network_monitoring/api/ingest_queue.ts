/**
 * Pushed batches are stored one at a time per process. SQLite has one writer connection: ten
 * concurrent 500-event transactions would queue every other request's queries behind all of
 * them, so a flood would stall the screens. In line, a page waits for at most one batch.
 * A bounded number of batches may wait; beyond it the sender is told to retry (503).
 */
export class IngestQueue {
  #tail: Promise<unknown> = Promise.resolve()
  #waiting = 0

  constructor(readonly maxWaiting: number) {}

  get waiting() {
    return this.#waiting
  }

  /** Runs `work` after the batches before it; null (nothing run) when too many are waiting. */
  run<T>(work: () => Promise<T>): Promise<T> | null {
    if (this.#waiting >= this.maxWaiting) return null
    this.#waiting++
    const result = this.#tail.then(work)
    this.#tail = result.then(
      () => {},
      () => {}
    )
    return result.finally(() => {
      this.#waiting--
    })
  }
}

/** At most 64 batches (64 MB of bodies at worst) wait in one process. */
export default new IngestQueue(64)
