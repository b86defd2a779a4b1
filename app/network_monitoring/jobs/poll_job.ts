import SnmpClient from '#network_monitoring/snmp/client'
import DevicePoller from '#network_monitoring/snmp/device_poller'
import PollScheduler from '#network_monitoring/snmp/poll_scheduler'
import { computeRates, sampleFromPoll, type CounterSample } from '#network_monitoring/snmp/rates'
import type { PollResult } from '#network_monitoring/snmp/device_poller'
import type { DeviceOutcome } from '#network_monitoring/snmp/poll_scheduler'
import { PollStore, PollWriteError } from '#network_monitoring/services/poll_store'
import type {
  InterfaceRecord,
  PollRecord,
  PollTarget,
} from '#network_monitoring/services/poll_records'
import type { DeviceStatus } from '#network_monitoring/models/device_state'
import {
  monitoringSettings,
  type MonitoringSettings,
} from '#network_monitoring/services/monitoring_settings'

/** The pino-style slice of the logger the job uses (the app logger fits; tests pass a recorder). */
export interface JobLogger {
  info(data: object, message: string): void
  warn(data: object, message: string): void
  error(data: object, message: string): void
}

export interface PollJobOptions {
  store?: PollStore
  logger?: JobLogger
  settings?: Partial<MonitoringSettings>
  /** Opens the SNMP client (default: SnmpClient.open with the settings' timeout/retries). */
  openClient?: () => Promise<SnmpClient>
  now?: () => number
}

export interface TickOptions {
  /** Poll every selected device now, due or not (`snmp:poll --once`). */
  force?: boolean
  /** Only these devices (`snmp:poll --device`). */
  deviceIds?: number[]
}

export type TickReport =
  | { skipped: true }
  | {
      skipped: false
      startedAtMs: number
      durationMs: number
      due: number
      ok: number
      failed: number
      written: number
      flushed: number
      buffered: number
      dropped: number
      records: PollRecord[]
    }

/** A due device may start this much early, so cron jitter does not push it a whole tick back. */
const DUE_TOLERANCE_MS = 1000

function mean(values: number[]) {
  return values.length === 0 ? null : Math.round(values.reduce((a, b) => a + b, 0) / values.length)
}

/**
 * One poll tick: writes results held back while the database was away,
 * loads the devices that are due, polls them through the SNMP layer's
 * scheduler (bounded concurrency, per-device deadline), turns the answers
 * into records (status, rates against the previous sample) and writes them.
 * A tick never overlaps the previous one; when the database is unavailable
 * the last known device list is polled and the records wait in a bounded
 * in-memory buffer for the next tick.
 */
export default class PollJob {
  readonly settings: MonitoringSettings
  readonly #store: PollStore
  readonly #logger: JobLogger
  readonly #openClient: () => Promise<SnmpClient>
  readonly #now: () => number
  #client: SnmpClient | null = null
  #poller: DevicePoller | null = null
  #scheduler: PollScheduler<PollTarget, PollResult> | null = null
  #running = false
  #targets: PollTarget[] = []
  #buffer: PollRecord[] = []
  #dropped = 0
  /** Cycle start of each device's last poll (more exact than the stored poll time). */
  #lastPolled = new Map<number, number>()
  #status = new Map<number, { status: DeviceStatus; failures: number }>()
  #samples = new Map<number, CounterSample>()

  constructor(options: PollJobOptions = {}) {
    this.settings = { ...monitoringSettings(), ...options.settings }
    this.#store = options.store ?? new PollStore()
    this.#logger = options.logger ?? silentLogger
    this.#now = options.now ?? Date.now
    this.#openClient =
      options.openClient ??
      (() =>
        SnmpClient.open({
          timeoutMs: this.settings.snmpTimeoutMs,
          retries: this.settings.snmpRetries,
        }))
  }

  get isRunning() {
    return this.#running
  }

  /** Poll records waiting for the database. */
  get buffered() {
    return this.#buffer.length
  }

  async tick(options: TickOptions = {}): Promise<TickReport> {
    if (this.#running) {
      this.#logger.warn({ job: 'snmp:poll' }, 'poll tick skipped: the previous run is still going')
      return { skipped: true }
    }
    this.#running = true
    try {
      return await this.#tick(options)
    } finally {
      this.#running = false
    }
  }

  async close() {
    this.#client?.close()
    this.#client = null
    this.#poller = null
    this.#scheduler = null
  }

  async #tick(options: TickOptions): Promise<TickReport> {
    const startedAtMs = this.#now()
    let databaseUp = true
    let flushed = 0

    if (this.#buffer.length > 0) {
      const pending = this.#buffer
      try {
        flushed = await this.#store.write(pending, { late: true })
        this.#buffer = []
        this.#logger.info(
          { job: 'snmp:poll', flushed },
          `database available again: wrote ${flushed} buffered poll result(s)`
        )
      } catch (error) {
        databaseUp = false
        flushed = error instanceof PollWriteError ? error.written : 0
        this.#buffer = pending.slice(flushed)
        this.#logger.warn(
          { job: 'snmp:poll', buffered: this.#buffer.length, err: rootCause(error) },
          'database still unavailable: keeping poll results buffered'
        )
      }
    }

    if (databaseUp) {
      try {
        this.#targets = await this.#store.loadTargets(startedAtMs)
      } catch (error) {
        databaseUp = false
        this.#logger.warn(
          { job: 'snmp:poll', devices: this.#targets.length, err: rootCause(error) },
          'cannot load devices (database unavailable?): polling the last known list'
        )
      }
    }

    const selected = options.deviceIds
      ? this.#targets.filter((target) => options.deviceIds!.includes(target.deviceId))
      : this.#targets
    const due = options.force
      ? selected
      : selected.filter((target) => this.#isDue(target, startedAtMs))
    const report = {
      skipped: false as const,
      startedAtMs,
      durationMs: 0,
      due: due.length,
      ok: 0,
      failed: 0,
      written: 0,
      flushed,
      buffered: this.#buffer.length,
      dropped: 0,
      records: [] as PollRecord[],
    }
    if (due.length === 0) {
      report.durationMs = this.#now() - startedAtMs
      return report
    }

    if (databaseUp) await this.#restoreSamples(due)
    const scheduler = await this.#ensureScheduler()
    const cycle = await scheduler.runCycle(due)
    if (cycle.skipped) return { skipped: true }
    for (const target of due) this.#lastPolled.set(target.deviceId, startedAtMs)

    const records = cycle.outcomes.map((outcome) => this.#record(outcome))
    report.records = records
    report.ok = cycle.ok
    report.failed = cycle.failed

    if (databaseUp && this.#buffer.length === 0) {
      try {
        report.written = await this.#store.write(records)
      } catch (error) {
        const written = error instanceof PollWriteError ? error.written : 0
        report.written = written
        this.#hold(records.slice(written))
        this.#logger.warn(
          { job: 'snmp:poll', buffered: this.#buffer.length, err: rootCause(error) },
          'database unavailable: poll results buffered in memory, retried on the next tick'
        )
      }
    } else {
      this.#hold(records)
      this.#logger.warn(
        { job: 'snmp:poll', buffered: this.#buffer.length },
        'database unavailable: poll results buffered in memory, retried on the next tick'
      )
    }
    report.buffered = this.#buffer.length
    report.dropped = this.#dropped
    report.durationMs = this.#now() - startedAtMs
    this.#logger.info(
      {
        job: 'snmp:poll',
        due: report.due,
        ok: report.ok,
        failed: report.failed,
        written: report.written,
        buffered: report.buffered,
        durationMs: Math.round(report.durationMs),
      },
      'poll cycle finished'
    )
    return report
  }

  /**
   * Due once its interval has passed since the cycle that last polled it
   * (memory: cycle start; after a restart the stored poll time, a little later).
   */
  #isDue(target: PollTarget, nowMs: number) {
    const last = this.#lastPolled.get(target.deviceId) ?? target.lastPollMs
    if (last === null) return true
    return nowMs - last >= target.intervalSeconds * 1000 - DUE_TOLERANCE_MS
  }

  /** Keeps records for later, dropping the oldest beyond the bound (and saying so). */
  #hold(records: PollRecord[]) {
    this.#buffer.push(...records)
    const excess = this.#buffer.length - this.settings.pollBufferMax
    if (excess > 0) {
      this.#buffer.splice(0, excess)
      this.#dropped += excess
      this.#logger.error(
        { job: 'snmp:poll', dropped: excess, max: this.settings.pollBufferMax },
        'poll buffer full: the oldest buffered results were dropped'
      )
    }
  }

  /** After a restart the previous counters come from the database. */
  async #restoreSamples(targets: PollTarget[]) {
    const missing = targets.map((target) => target.deviceId).filter((id) => !this.#samples.has(id))
    if (missing.length === 0) return
    try {
      const stored = await this.#store.loadSamples(missing)
      for (const [id, sample] of stored) this.#samples.set(id, sample)
    } catch (error) {
      this.#logger.warn(
        { job: 'snmp:poll', err: rootCause(error) },
        'cannot load previous counters'
      )
    }
  }

  async #ensureScheduler() {
    if (this.#scheduler) return this.#scheduler
    this.#client = await this.#openClient()
    this.#poller = new DevicePoller(this.#client)
    const attempts = this.settings.snmpRetries + 1
    this.#scheduler = new PollScheduler<PollTarget, PollResult>({
      concurrency: this.settings.snmpConcurrency,
      deviceTimeoutMs: this.settings.snmpTimeoutMs * attempts * 4 + 1000,
      poll: (target, signal) => {
        if (target.community === null) return Promise.resolve(unreadableCredentials())
        return this.#poller!.poll(
          {
            host: target.host,
            port: target.port,
            community: target.community,
            version: target.version,
            timeoutMs: this.settings.snmpTimeoutMs,
            retries: this.settings.snmpRetries,
          },
          { signal, expectedInterfaces: target.interfaceCount || undefined }
        )
      },
    })
    return this.#scheduler
  }

  /** Status, rates and the row shapes for one device's outcome. */
  #record(outcome: DeviceOutcome<PollTarget, PollResult>): PollRecord {
    const target = outcome.device
    const result = outcome.result
    const takenAtMs = result?.takenAtMs ?? this.#now()
    const previous = this.#status.get(target.deviceId) ?? {
      status: target.status,
      failures: target.consecutiveFailures,
    }
    const ok = outcome.ok && Boolean(result?.ok)
    const status: DeviceStatus = ok ? 'up' : 'down'
    const failures = ok ? 0 : previous.failures + 1
    this.#status.set(target.deviceId, { status, failures })

    let interfaces: InterfaceRecord[] = []
    let reboot = false
    if (ok && result) {
      const sample = sampleFromPoll(result)
      const before = this.#samples.get(target.deviceId)
      const rates = sample && before ? computeRates(before, sample) : null
      reboot = rates?.reboot ?? false
      const byIndex = new Map((rates?.interfaces ?? []).map((row) => [row.ifIndex, row]))
      interfaces = result.interfaces.map((row) => {
        const rate = byIndex.get(row.ifIndex)
        return {
          ifIndex: row.ifIndex,
          name: row.name,
          descr: row.descr,
          alias: row.alias,
          type: row.type,
          speedBps: row.speedBps,
          adminStatus: row.adminStatus,
          operStatus: row.operStatus,
          counterBits: row.octetsCounterBits,
          inOctets: row.inOctets === null ? null : row.inOctets.toString(),
          outOctets: row.outOctets === null ? null : row.outOctets.toString(),
          inErrors: row.inErrors,
          outErrors: row.outErrors,
          inDiscards: row.inDiscards,
          outDiscards: row.outDiscards,
          rates: rate
            ? {
                inBps: rate.inBps,
                outBps: rate.outBps,
                inUtilisation: rate.inUtilisation,
                outUtilisation: rate.outUtilisation,
                inErrorsPs: rate.inErrorsPerSec,
                outErrorsPs: rate.outErrorsPerSec,
                inDiscardsPs: rate.inDiscardsPerSec,
                outDiscardsPs: rate.outDiscardsPerSec,
              }
            : null,
        }
      })
      if (sample) this.#samples.set(target.deviceId, sample)
    }

    const error = outcome.error ?? result?.error
    return {
      deviceId: target.deviceId,
      deviceName: target.name,
      takenAtMs,
      durationMs: outcome.durationMs,
      ok,
      errorCode: ok ? null : (error?.code ?? 'E_POLL_FAILED'),
      errorMessage: ok ? null : (error?.message ?? null),
      inMaintenance: target.maintenance.some(
        ([start, end]) => start <= takenAtMs && takenAtMs < end
      ),
      status,
      previousStatus: previous.status,
      consecutiveFailures: failures,
      system: ok ? (result?.system ?? null) : null,
      cpuLoad: ok ? mean(result?.cpuLoads ?? []) : null,
      reboot,
      interfaces,
    }
  }
}

function unreadableCredentials(): PollResult {
  return {
    ok: false,
    takenAtMs: Date.now(),
    durationMs: 0,
    requests: 0,
    error: {
      code: 'E_CREDENTIALS_UNREADABLE',
      message: 'the stored community cannot be decrypted with the current APP_KEY',
    },
    system: null,
    interfaces: [],
    cpuLoads: [],
  }
}

/** The message of an error and of what caused it (PollWriteError wraps the driver's error). */
function rootCause(error: unknown) {
  const cause = error instanceof PollWriteError ? error.cause : error
  const err = cause as { code?: string; message?: string }
  return { code: err?.code, message: err?.message ?? String(cause) }
}

const silentLogger: JobLogger = { info() {}, warn() {}, error() {} }
