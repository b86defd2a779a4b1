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
  /** Polls one device; should honour the signal (the scheduler stops waiting either way). */
  poll: (device: TDevice, signal: AbortSignal) => Promise<TResult>
  /**
   * Hard ceiling per device, above timeout × (retries + 1) × requests: a
   * device that trickles answers cannot hold a worker for the whole cycle.
   */
  deviceTimeoutMs?: number
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

  async runCycle(devices: Iterable<TDevice>): Promise<CycleResult<TDevice, TResult>> {
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
          if (this.#options.onOutcome) {
            try {
              await this.#options.onOutcome(outcomes[position])
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
    let timer: NodeJS.Timeout | undefined
    try {
      const polling = this.#options.poll(device, controller.signal)
      const limit = this.#options.deviceTimeoutMs
      const result =
        limit === undefined
          ? await polling
          : await Promise.race([
              polling,
              new Promise<never>((_, reject) => {
                timer = setTimeout(() => {
                  controller.abort()
                  reject(new DeadlineError(`device poll exceeded ${limit} ms`))
                }, limit)
              }),
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
      if (timer) clearTimeout(timer)
    }
  }
}
