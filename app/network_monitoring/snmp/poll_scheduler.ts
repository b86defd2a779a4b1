export interface DeviceOutcome<TDevice, TResult> {
  device: TDevice
  ok: boolean
  /** Milliseconds from this device's start to its outcome (queueing time excluded). */
  durationMs: number
  result?: TResult
  error?: { code: string; message: string }
}

export interface CycleReport<TDevice, TResult> {
  skipped: false
  startedAt: Date
  durationMs: number
  total: number
  ok: number
  failed: number
  outcomes: DeviceOutcome<TDevice, TResult>[]
}

export type CycleResult<TDevice, TResult> = { skipped: true } | CycleReport<TDevice, TResult>

export interface PollSchedulerOptions<TDevice, TResult> {
  /** Devices polled at the same time (workers of the pool). */
  concurrency: number
  /**
   * Polls one device; should honour the signal (the scheduler stops waiting
   * either way) and call `progress` on every reply it gets.
   */
  poll: (device: TDevice, signal: AbortSignal, progress: () => void) => Promise<TResult>
  /**
   * Deadline per device *without progress*: every reply starts it again, so
   * a big chassis (thousands of rows) or a slow agent answering every
   * request is never cut off, while a device that stops answering holds a
   * worker for this long at most. Above timeout × (retries + 1).
   */
  deviceTimeoutMs?: number
  /** Absolute ceiling per device however much it answers (default 10 minutes). */
  deviceMaxMs?: number
  /** After a deadline, how long the poll may take to return what it got (default 2 s). */
  deadlineGraceMs?: number
  /** Whether a resolved result counts as success (default: `result.ok` when present). */
  isOk?: (result: TResult) => boolean
  /** Errors a resolved-but-failed result carries (default: `result.error`). */
  errorOf?: (result: TResult) => { code: string; message: string } | undefined
  /** Called as each device finishes, e.g. to store results while the cycle goes on. */
  onOutcome?: (outcome: DeviceOutcome<TDevice, TResult>) => void | Promise<void>
}

function defaultIsOk(result: unknown): boolean {
  if (result && typeof result === 'object' && 'ok' in result) return Boolean(result.ok)
  return true
}

function defaultErrorOf(result: unknown) {
  if (result && typeof result === 'object' && 'error' in result) {
    return result.error as { code: string; message: string } | undefined
  }
  return undefined
}

/** A device that overran the scheduler's per-device ceiling. */
class DeadlineError extends Error {
  readonly code = 'E_POLL_DEADLINE'
}

/**
 * Runs poll cycles over many devices with a fixed-size worker pool. A cycle
 * still running makes the next `runCycle()` return `{ skipped: true }`
 * instead of piling up (node-cron fires regardless), and a dead device only
 * ever occupies one worker for its bounded timeout.
 */
export default class PollScheduler<TDevice, TResult> {
  readonly #options: PollSchedulerOptions<TDevice, TResult>
  #running = false

  constructor(options: PollSchedulerOptions<TDevice, TResult>) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError('concurrency must be a positive integer')
    }
    this.#options = options
  }

  get isRunning(): boolean {
    return this.#running
  }

  /** Polls every device once; `onOutcome` (besides the option's) sees each result as it lands. */
  async runCycle(
    devices: Iterable<TDevice>,
    onOutcome?: (outcome: DeviceOutcome<TDevice, TResult>) => void | Promise<void>
  ): Promise<CycleResult<TDevice, TResult>> {
    if (this.#running) return { skipped: true }
    this.#running = true
    try {
      const list = [...devices]
      const startedAt = new Date()
      const started = performance.now()
      const outcomes: DeviceOutcome<TDevice, TResult>[] = new Array(list.length)
      let next = 0
      const worker = async () => {
        while (next < list.length) {
          const position = next++
          outcomes[position] = await this.#pollOne(list[position])
          for (const consumer of [this.#options.onOutcome, onOutcome]) {
            if (!consumer) continue
            try {
              await consumer(outcomes[position])
            } catch {
              // a failing consumer must not stop the remaining devices
            }
          }
        }
      }
      const workers = Math.min(this.#options.concurrency, list.length)
      await Promise.all(Array.from({ length: workers }, worker))
      const ok = outcomes.filter((outcome) => outcome.ok).length
      return {
        skipped: false,
        startedAt,
        durationMs: performance.now() - started,
        total: list.length,
        ok,
        failed: list.length - ok,
        outcomes,
      }
    } finally {
      this.#running = false
    }
  }

  async #pollOne(device: TDevice): Promise<DeviceOutcome<TDevice, TResult>> {
    const isOk = this.#options.isOk ?? defaultIsOk
    const errorOf = this.#options.errorOf ?? defaultErrorOf
    const controller = new AbortController()
    const started = performance.now()
    const limit = this.#options.deviceTimeoutMs
    const ceiling = this.#options.deviceMaxMs ?? 600_000
    const grace = this.#options.deadlineGraceMs ?? Math.min(2000, limit ?? 2000)
    let idle: NodeJS.Timeout | undefined
    let hard: NodeJS.Timeout | undefined
    let graceTimer: NodeJS.Timeout | undefined
    try {
      let expired: DeadlineError | null = null
      let onDeadline: () => void = () => {}
      const deadline = new Promise<void>((resolve) => (onDeadline = resolve))
      const expire = (message: string) => {
        if (expired) return
        expired = new DeadlineError(message)
        // the poll gets the abort and returns what it has (a device that answered stays up)
        controller.abort(expired)
        onDeadline()
      }
      const progress = () => idle?.refresh()
      const polling = this.#options.poll(device, controller.signal, progress)
      if (limit !== undefined) {
        idle = setTimeout(() => expire(`device poll made no progress for ${limit} ms`), limit)
        hard = setTimeout(() => expire(`device poll exceeded ${ceiling} ms`), ceiling)
      }
      const result =
        limit === undefined
          ? await polling
          : await Promise.race([
              polling,
              deadline.then(
                () =>
                  new Promise<never>((_, reject) => {
                    graceTimer = setTimeout(() => reject(expired), grace)
                  })
              ),
            ])
      const ok = isOk(result)
      return {
        device,
        ok,
        durationMs: performance.now() - started,
        result,
        error: ok ? undefined : errorOf(result),
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code
      return {
        device,
        ok: false,
        durationMs: performance.now() - started,
        error: {
          code: typeof code === 'string' ? code : 'E_POLL_FAILED',
          message: (error as Error).message ?? String(error),
        },
      }
    } finally {
      if (idle) clearTimeout(idle)
      if (hard) clearTimeout(hard)
      if (graceTimer) clearTimeout(graceTimer)
    }
  }
}
