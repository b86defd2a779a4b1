import SnmpClient from '#network_monitoring/snmp/client'
import DevicePoller, { OIDS } from '#network_monitoring/snmp/device_poller'
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
import { PollJournal } from '#network_monitoring/services/poll_journal'
import { publishPollBuffer } from '#network_monitoring/services/poll_buffer_status'

/**
 * Cross-process guard of the poll tick: runs `work` only when no other
 * process (web worker, `snmp:poll`) is in a tick; null when one is.
 */
export interface TickLock {
  run<T>(work: () => Promise<T>): Promise<T | null>
}

/** The tick lock through @adonisjs/lock (database store by default, see config/lock.ts). */
export function adonisTickLock(name = 'snmp:poll:tick'): TickLock {
  return {
    async run(work) {
      const { default: locks } = await import('@adonisjs/lock/services/main')
      // A short TTL kept alive while the tick runs: a crashed process frees it within a minute.
      const lock = locks.createLock(name, '60s')
      if (!(await lock.acquireImmediately())) return null
      const keepAlive = setInterval(() => lock.extend('60s').catch(() => {}), 20_000)
      try {
        return await work()
      } finally {
        clearInterval(keepAlive)
        await lock.release().catch(() => {})
      }
    },
  }
}

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
  /** Clock of the job and its polls (tests advance it instead of sleeping). */
  now?: () => number
  /** Cross-process tick lock (default: adonisTickLock()). */
  lock?: TickLock
  /** Journal of results waiting for the database (default: settings.pollJournalFile; null: none). */
  journal?: PollJournal | null
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
      /** Known-down devices that did not answer their one-GET probe (not fully polled). */
      probedDown: number
      /** In-flight devices left unrecorded because the job was closed mid-tick. */
      interrupted: number
      records: PollRecord[]
      /** Since the start: the last device's outcome, and the last batch committed. */
      pollingMs: number
      writingMs: number
    }

/** A due device may start this much early, so cron jitter does not push it a whole tick back. */
const DUE_TOLERANCE_MS = 1000

function mean(values: number[]) {
  return values.length === 0 ? null : Math.round(values.reduce((a, b) => a + b, 0) / values.length)
}

/**
 * One poll tick: writes results held back while the database was away,
 * loads the devices that are due, polls them through the SNMP layer's
 * scheduler (bounded concurrency, a deadline that counts progress), turns
 * the answers into records (status, rates against the previous sample) and
 * writes them in batches as they arrive. Devices known to be down get one
 * cheap GET first and a full poll only when they answer. A tick never
 * overlaps another one, in this process or any other (tick lock); when the
 * database is unavailable the last known device list is polled and the
 * records wait in a bounded buffer mirrored to a journal file, replayed in
 * order — after a restart too.
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
  readonly #lock: TickLock
  readonly #journal: PollJournal | null
  #journalLoaded = false
  #running = false
  #closing = false
  #targets: PollTarget[] = []
  #buffer: PollRecord[] = []
  #dropped = 0
  /** Cycle start of each device's last poll (more exact than the stored poll time). */
  #lastPolled = new Map<number, number>()
  #status = new Map<number, { status: DeviceStatus; failures: number }>()
  #samples = new Map<number, CounterSample>()
  #samplesRestored = new Set<number>()

  constructor(options: PollJobOptions = {}) {
    this.settings = { ...monitoringSettings(), ...options.settings }
    this.#store = options.store ?? new PollStore()
    this.#logger = options.logger ?? silentLogger
    this.#now = options.now ?? Date.now
    this.#lock = options.lock ?? adonisTickLock()
    this.#journal =
      options.journal === undefined
        ? new PollJournal(this.settings.pollJournalFile)
        : options.journal
    this.#openClient =
      options.openClient ??
      (() =>
        SnmpClient.open({
          timeoutMs: this.settings.snmpTimeoutMs,
          retries: this.settings.snmpRetries,
          bindAddress: this.settings.snmpSourceAddress,
        }))
  }

  /** Results dropped because the buffer was full (since start). */
  get dropped() {
    return this.#dropped
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
      const report = await this.#lock.run(() => this.#tick(options))
      if (report === null) {
        this.#logger.warn(
          { job: 'snmp:poll' },
          'poll tick skipped: another process holds the tick lock'
        )
        return { skipped: true }
      }
      return report
    } finally {
      this.#running = false
    }
  }

  /**
   * Stops polling: requests in flight fail as "closed" and those devices
   * are left unrecorded (not down), to be polled again after a restart.
   */
  async close() {
    this.#closing = true
    this.#client?.close()
    this.#client = null
    this.#poller = null
    this.#scheduler = null
  }

  async #tick(options: TickOptions): Promise<TickReport> {
    const startedAtMs = this.#now()
    let databaseUp = true
    let flushed = 0
    this.#closing = false
    await this.#loadJournal()

    if (this.#buffer.length > 0) {
      const pending = this.#buffer
      try {
        flushed = await this.#store.write(pending, { late: true })
        this.#buffer = []
        await this.#journal?.clear()
        this.#logger.info(
          { job: 'snmp:poll', flushed },
          `database available again: wrote ${flushed} buffered poll result(s)`
        )
        if (this.#dropped > 0) await this.#reportDropped()
        await this.#publishBuffer()
      } catch (error) {
        databaseUp = false
        flushed = error instanceof PollWriteError ? error.written : 0
        this.#buffer = pending.slice(flushed)
        if (flushed > 0) await this.#journal?.rewrite(this.#buffer)
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
      probedDown: 0,
      interrupted: 0,
      records: [] as PollRecord[],
      pollingMs: 0,
      writingMs: 0,
    }
    if (due.length === 0) {
      await this.#store.settle()
      report.durationMs = this.#now() - startedAtMs
      return report
    }

    if (databaseUp) await this.#restoreSamples(due)
    const scheduler = await this.#ensureScheduler()

    // Results are written in batches while the cycle runs: no stall at its end.
    // SQLite writes one batch at a time (one writer, on this thread); MySQL keeps a
    // few transactions in flight so round trips overlap (batches hold distinct devices).
    let batch: PollRecord[] = []
    let canWrite = databaseUp && this.#buffer.length === 0
    const parallel = this.#store.writeConcurrency()
    let running = 0
    const waiting: Array<() => void> = []
    const pending = new Set<Promise<void>>()
    const writeRecords = async (records: PollRecord[]) => {
      if (!canWrite) {
        await this.#hold(records)
        return
      }
      try {
        report.written += await this.#store.write(records)
      } catch (error) {
        const written = error instanceof PollWriteError ? error.written : 0
        report.written += written
        canWrite = false
        await this.#hold(records.slice(written))
        this.#logger.warn(
          { job: 'snmp:poll', buffered: this.#buffer.length, err: rootCause(error) },
          'database unavailable: poll results buffered in memory and in the journal file, retried on the next tick'
        )
      }
    }
    const flush = () => {
      if (batch.length === 0) return
      const records = batch
      batch = []
      const task = (async () => {
        // a slot is handed over by the task that frees it, in arrival order
        if (running >= parallel) await new Promise<void>((resolve) => waiting.push(resolve))
        else running++
        try {
          await writeRecords(records)
        } finally {
          const next = waiting.shift()
          if (next) next()
          else running--
        }
      })()
      pending.add(task)
      void task.finally(() => pending.delete(task))
    }
    const cycle = await scheduler.runCycle(due, (outcome) => {
      if (this.#closing || isShutdown(outcome)) {
        report.interrupted++
        return
      }
      this.#lastPolled.set(outcome.device.deviceId, startedAtMs)
      const record = this.#record(outcome)
      if (outcome.result?.error?.message.startsWith('probe:')) report.probedDown++
      report.records.push(record)
      batch.push(record)
      if (batch.length >= this.settings.pollWriteBatch) flush()
    })
    if (cycle.skipped) return { skipped: true }
    report.pollingMs = this.#now() - startedAtMs
    flush()
    await Promise.all([...pending])
    report.writingMs = this.#now() - startedAtMs
    // the tick ends once the rules have seen its results (they run beside the writes)
    await this.#store.settle()
    if (!databaseUp && report.records.length > 0) {
      this.#logger.warn(
        { job: 'snmp:poll', buffered: this.#buffer.length },
        'database unavailable: poll results buffered in memory and in the journal file, retried on the next tick'
      )
    }
    await this.#publishBuffer()
    report.ok = report.records.filter((record) => record.ok).length
    report.failed = report.records.length - report.ok
    report.buffered = this.#buffer.length
    report.dropped = this.#dropped
    report.durationMs = this.#now() - startedAtMs
    this.#logger.info(
      {
        job: 'snmp:poll',
        due: report.due,
        ok: report.ok,
        failed: report.failed,
        probedDown: report.probedDown,
        written: report.written,
        buffered: report.buffered,
        interrupted: report.interrupted,
        durationMs: Math.round(report.durationMs),
      },
      'poll cycle finished'
    )
    return report
  }

  /** The journal of a previous run (results that never reached the database) comes first. */
  async #loadJournal() {
    if (this.#journalLoaded || !this.#journal) return
    this.#journalLoaded = true
    try {
      const records = await this.#journal.load()
      if (records.length > 0) {
        this.#buffer = [...records, ...this.#buffer]
        this.#logger.info(
          { job: 'snmp:poll', journal: records.length },
          `replaying ${records.length} poll result(s) from the journal`
        )
      }
    } catch (error) {
      this.#logger.error(
        { job: 'snmp:poll', err: rootCause(error) },
        'cannot read the poll journal: its results are skipped'
      )
    }
  }

  /** What the board shows while results are held back (nothing once they are written). */
  async #publishBuffer() {
    const held = this.#buffer.length > 0 || this.#dropped > 0
    await publishPollBuffer(
      held
        ? {
            buffered: this.#buffer.length,
            dropped: this.#dropped,
            max: this.settings.pollBufferMax,
            updatedAt: new Date(this.#now()).toISOString(),
          }
        : null,
      this.#journal?.path
    )
  }

  /** Tells the audit trail (and so the board) how many results the full buffer cost. */
  async #reportDropped() {
    try {
      await this.#store.recordBufferOverflow(this.#dropped, this.settings.pollBufferMax)
      this.#dropped = 0
    } catch {
      // stays counted; reported after the next successful write
    }
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

  /** Keeps records for later (memory + journal), dropping the oldest beyond the bound (and saying so). */
  async #hold(records: PollRecord[]) {
    this.#buffer.push(...records)
    const excess = this.#buffer.length - this.settings.pollBufferMax
    try {
      if (excess > 0) {
        this.#buffer.splice(0, excess)
        this.#dropped += excess
        this.#logger.error(
          { job: 'snmp:poll', dropped: excess, max: this.settings.pollBufferMax },
          'poll buffer full: the oldest buffered results were dropped'
        )
        await this.#journal?.rewrite(this.#buffer)
      } else {
        await this.#journal?.append(records)
      }
    } catch (error) {
      this.#logger.error(
        { job: 'snmp:poll', err: rootCause(error) },
        'cannot write the poll journal: buffered results live in memory only'
      )
    }
  }

  /** After a restart the previous counters come from the database. */
  async #restoreSamples(targets: PollTarget[]) {
    // once per device and process: a device with nothing stored (dead since) is not asked again
    const missing = targets
      .map((target) => target.deviceId)
      .filter((id) => !this.#samples.has(id) && !this.#samplesRestored.has(id))
    if (missing.length === 0) return
    for (const id of missing) this.#samplesRestored.add(id)
    try {
      const stored = await this.#store.loadSamples(missing)
      for (const [id, sample] of stored) this.#samples.set(id, sample)
    } catch (error) {
      for (const id of missing) this.#samplesRestored.delete(id)
      this.#logger.warn(
        { job: 'snmp:poll', err: rootCause(error) },
        'cannot load previous counters'
      )
    }
  }

  async #ensureScheduler() {
    if (this.#scheduler) return this.#scheduler
    this.#client = await this.#openClient()
    this.#poller = new DevicePoller(this.#client, { now: this.#now })
    const attempts = this.settings.snmpRetries + 1
    this.#scheduler = new PollScheduler<PollTarget, PollResult>({
      concurrency: this.settings.snmpConcurrency,
      // a deadline without progress: every reply restarts it (big chassis, slow agents)
      deviceTimeoutMs: this.settings.snmpTimeoutMs * attempts + 1000,
      poll: (target, signal, progress) => this.#pollTarget(target, signal, progress),
    })
    return this.#scheduler
  }

  async #pollTarget(
    target: PollTarget,
    signal: AbortSignal,
    progress: () => void
  ): Promise<PollResult> {
    if (target.community === null) return unreadableCredentials(this.#now())
    const snmpTarget = {
      host: target.host,
      port: target.port,
      community: target.community,
      version: target.version,
      v3: target.v3,
      timeoutMs: this.settings.snmpTimeoutMs,
      retries: this.settings.snmpRetries,
    }
    // Known down: one GET with a short timeout first (what fping is to LibreNMS).
    const known = this.#status.get(target.deviceId)?.status ?? target.status
    if (known === 'down') {
      const takenAtMs = this.#now()
      try {
        await this.#client!.get(
          { ...snmpTarget, timeoutMs: this.settings.snmpProbeTimeoutMs, retries: 0 },
          [`${OIDS.sysUpTime}.0`],
          { signal }
        )
        progress()
      } catch (error) {
        const code = (error as { code?: string }).code
        if (code === 'E_SNMP_CLOSED') throw error
        return probeFailed(takenAtMs, code, (error as Error).message)
      }
    }
    return this.#poller!.poll(snmpTarget, {
      signal,
      expectedInterfaces: target.interfaceCount || undefined,
      onResponse: progress,
    })
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
    const interfacesPolled = ok && result?.modules.interfaces === 'ok'
    if (ok && result && interfacesPolled) {
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
      interfacesPolled,
      moduleErrors: ok ? (result?.moduleErrors ?? []) : [],
      ...(ok && result?.threats ? { threatCounters: result.threats } : {}),
    }
  }
}

function failedResult(takenAtMs: number, code: string, message: string): PollResult {
  return {
    ok: false,
    takenAtMs,
    durationMs: 0,
    requests: 0,
    responses: 0,
    error: { code, message },
    moduleErrors: [],
    modules: {},
    system: null,
    interfaces: [],
    cpuLoads: [],
  }
}

function unreadableCredentials(takenAtMs: number): PollResult {
  return failedResult(
    takenAtMs,
    'E_CREDENTIALS_UNREADABLE',
    'the stored community or SNMPv3 keys cannot be decrypted with the current APP_KEY'
  )
}

/** A known-down device that did not answer its probe: still down, with the probe's reason. */
function probeFailed(takenAtMs: number, code: string | undefined, message: string): PollResult {
  return failedResult(takenAtMs, code ?? 'E_SNMP_TIMEOUT', `probe: ${message}`)
}

/** An outcome cut short by close(): not a fact about the device. */
function isShutdown(outcome: DeviceOutcome<PollTarget, PollResult>) {
  const code = outcome.error?.code ?? outcome.result?.error?.code
  return code === 'E_SNMP_CLOSED'
}

/** The message of an error and of what caused it (PollWriteError wraps the driver's error). */
function rootCause(error: unknown) {
  const cause = error instanceof PollWriteError ? error.cause : error
  const err = cause as { code?: string; message?: string }
  return { code: err?.code, message: err?.message ?? String(cause) }
}

const silentLogger: JobLogger = { info() {}, warn() {}, error() {} }
