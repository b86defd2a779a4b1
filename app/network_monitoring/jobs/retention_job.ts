import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { JobLogger } from '#network_monitoring/jobs/poll_job'
import {
  ROLLUP_DIRTY_MARK,
  ROLLUP_DONE_MARK,
  readMark,
  writeMark,
} from '#network_monitoring/services/marks'
import {
  monitoringSettings,
  type MonitoringSettings,
} from '#network_monitoring/services/monitoring_settings'

const FIVE_MINUTES = 300
const HOUR = 3600
/** Most raw data one rollup run works through (a run each minute catches up the rest). */
const MAX_HOURS_PER_RUN = 48
/** Raw rows are deleted this many seconds of data per statement (keeps locks short). */
const PURGE_SLICE_SECONDS = 600

export interface RollupReport {
  fromTs: number | null
  toTs: number
  hours: number
}

export interface PurgeReport {
  interfaceSamples: number
  devicePolls: number
  rollups5m: number
  rollups1h: number
}

const count = (result: unknown) => (Array.isArray(result) ? result.length : Number(result ?? 0))
const silent: JobLogger = { info() {}, warn() {}, error() {} }

/**
 * 5-minute and hourly rollups (avg/max in/out rate, availability) and the
 * retention purge. Rollups are recomputed, not appended: each run redoes
 * the buckets from the last final one (and from wherever late, buffered
 * samples landed) up to now, so the current partial bucket is always there
 * and reruns are harmless. Raw data is only purged once rolled up.
 */
export default class RetentionJob {
  readonly settings: MonitoringSettings
  readonly #logger: JobLogger
  #running = false

  constructor(options: { logger?: JobLogger; settings?: Partial<MonitoringSettings> } = {}) {
    this.settings = { ...monitoringSettings(), ...options.settings }
    this.#logger = options.logger ?? silent
  }

  async rollup(nowMs = Date.now()): Promise<RollupReport | { skipped: true }> {
    if (this.#running) return { skipped: true }
    this.#running = true
    try {
      return await this.#rollup(Math.floor(nowMs / 1000))
    } finally {
      this.#running = false
    }
  }

  async #rollup(nowTs: number): Promise<RollupReport> {
    const done = await readMark(db.connection(), ROLLUP_DONE_MARK)
    const dirty = await readMark(db.connection(), ROLLUP_DIRTY_MARK)
    let fromTs = done
    if (fromTs === null) {
      const [polls] = await db.from('device_polls').min('ts as ts')
      const [samples] = await db.from('interface_samples').min('ts as ts')
      const oldest = [polls?.ts, samples?.ts]
        .filter((v) => v !== null && v !== undefined)
        .map(Number)
      if (oldest.length === 0) return { fromTs: null, toTs: nowTs, hours: 0 }
      fromTs = Math.min(...oldest)
    }
    if (dirty !== null) fromTs = Math.min(fromTs, dirty)
    fromTs = Math.floor(fromTs / FIVE_MINUTES) * FIVE_MINUTES
    const endTs = Math.min(nowTs + 1, Math.floor(fromTs / HOUR) * HOUR + MAX_HOURS_PER_RUN * HOUR)

    let hours = 0
    for (let hour = Math.floor(fromTs / HOUR) * HOUR; hour < endTs; hour += HOUR) {
      const sliceFrom = Math.max(hour, fromTs)
      const sliceTo = Math.min(hour + HOUR, endTs)
      await db.transaction((trx) => this.#rollHour(trx, hour, sliceFrom, sliceTo))
      hours++
    }
    const finalUpTo = Math.min(Math.floor(nowTs / FIVE_MINUTES) * FIVE_MINUTES, endTs)
    await db.transaction(async (trx) => {
      await writeMark(trx, ROLLUP_DONE_MARK, finalUpTo)
      // a poll flush may have marked an older period meanwhile: only clear what we handled
      const query = trx.from('monitoring_marks').where('name', ROLLUP_DIRTY_MARK)
      if (dirty === null) query.whereNull('value')
      else query.where('value', dirty)
      await query.update({ value: null })
    })
    if (hours > 1) {
      this.#logger.info({ job: 'snmp:rollup', fromTs, toTs: endTs, hours }, 'rollups recomputed')
    }
    return { fromTs, toTs: endTs, hours }
  }

  /** Recomputes the 5-minute buckets in [from, to) and the whole hour from them. */
  async #rollHour(trx: TransactionClientContract, hour: number, from: number, to: number) {
    await trx
      .from('device_rollups')
      .where('resolution', FIVE_MINUTES)
      .where('bucket_ts', '>=', from)
      .where('bucket_ts', '<', to)
      .delete()
    await trx.rawQuery(
      `insert into device_rollups
         (device_id, resolution, bucket_ts, polls, ok_polls, counted_polls, counted_ok_polls, avg_duration_ms, max_duration_ms)
       select device_id, ${FIVE_MINUTES}, ts - (ts % ${FIVE_MINUTES}), count(*),
         sum(case when ok = 1 then 1 else 0 end),
         sum(case when in_maintenance = 0 then 1 else 0 end),
         sum(case when in_maintenance = 0 and ok = 1 then 1 else 0 end),
         avg(duration_ms), max(duration_ms)
       from device_polls where ts >= ? and ts < ?
       group by device_id, ts - (ts % ${FIVE_MINUTES})`,
      [from, to]
    )
    await trx
      .from('interface_rollups')
      .where('resolution', FIVE_MINUTES)
      .where('bucket_ts', '>=', from)
      .where('bucket_ts', '<', to)
      .delete()
    await trx.rawQuery(
      `insert into interface_rollups
         (interface_id, resolution, bucket_ts, samples, up_samples, avg_in_bps, max_in_bps, avg_out_bps, max_out_bps)
       select interface_id, ${FIVE_MINUTES}, ts - (ts % ${FIVE_MINUTES}), count(*),
         sum(case when oper_up = 1 then 1 else 0 end),
         avg(in_bps), max(in_bps), avg(out_bps), max(out_bps)
       from interface_samples where ts >= ? and ts < ?
       group by interface_id, ts - (ts % ${FIVE_MINUTES})`,
      [from, to]
    )

    await trx.from('device_rollups').where('resolution', HOUR).where('bucket_ts', hour).delete()
    await trx.rawQuery(
      `insert into device_rollups
         (device_id, resolution, bucket_ts, polls, ok_polls, counted_polls, counted_ok_polls, avg_duration_ms, max_duration_ms)
       select device_id, ${HOUR}, ?, sum(polls), sum(ok_polls), sum(counted_polls), sum(counted_ok_polls),
         sum(avg_duration_ms * polls) / sum(polls), max(max_duration_ms)
       from device_rollups where resolution = ${FIVE_MINUTES} and bucket_ts >= ? and bucket_ts < ?
       group by device_id`,
      [hour, hour, hour + HOUR]
    )
    await trx.from('interface_rollups').where('resolution', HOUR).where('bucket_ts', hour).delete()
    await trx.rawQuery(
      `insert into interface_rollups
         (interface_id, resolution, bucket_ts, samples, up_samples, avg_in_bps, max_in_bps, avg_out_bps, max_out_bps)
       select interface_id, ${HOUR}, ?, sum(samples), sum(up_samples),
         sum(avg_in_bps * samples) / sum(samples), max(max_in_bps),
         sum(avg_out_bps * samples) / sum(samples), max(max_out_bps)
       from interface_rollups where resolution = ${FIVE_MINUTES} and bucket_ts >= ? and bucket_ts < ?
       group by interface_id`,
      [hour, hour, hour + HOUR]
    )
  }

  /**
   * Deletes raw polls and samples older than RAW_RETENTION_HOURS (never
   * anything not yet rolled up) and rollups older than their windows.
   */
  async purge(nowMs = Date.now()): Promise<PurgeReport> {
    const nowTs = Math.floor(nowMs / 1000)
    const rolledUpTo = (await readMark(db.connection(), ROLLUP_DONE_MARK)) ?? 0
    const rawCutoff = Math.min(nowTs - this.settings.rawRetentionHours * HOUR, rolledUpTo)
    const report: PurgeReport = {
      interfaceSamples: await this.#purgeRaw('interface_samples', rawCutoff),
      devicePolls: await this.#purgeRaw('device_polls', rawCutoff),
      rollups5m: 0,
      rollups1h: 0,
    }
    for (const [resolution, days, key] of [
      [FIVE_MINUTES, this.settings.rollup5mRetentionDays, 'rollups5m'],
      [HOUR, this.settings.rollupRetentionDays, 'rollups1h'],
    ] as const) {
      const cutoff = nowTs - days * 86400
      for (const table of ['device_rollups', 'interface_rollups']) {
        report[key] += count(
          await db
            .from(table)
            .where('resolution', resolution)
            .where('bucket_ts', '<', cutoff)
            .delete()
        )
      }
    }
    this.#logger.info({ job: 'snmp:retention', ...report }, 'retention purge finished')
    return report
  }

  /** Deletes rows with ts < cutoff, a slice of time per statement. */
  async #purgeRaw(table: 'interface_samples' | 'device_polls', cutoff: number) {
    const [row] = await db.from(table).min('ts as ts')
    if (row?.ts === null || row?.ts === undefined) return 0
    let deleted = 0
    for (let slice = Number(row.ts) + PURGE_SLICE_SECONDS; ; slice += PURGE_SLICE_SECONDS) {
      const end = Math.min(slice, cutoff)
      deleted += count(await db.from(table).where('ts', '<', end).delete())
      if (end >= cutoff) break
    }
    return deleted
  }
}
