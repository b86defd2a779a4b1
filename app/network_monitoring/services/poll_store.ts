import { DateTime } from 'luxon'
import mysql from 'mysql2'
import { emitPollWritten } from '#network_monitoring/alerts/contract'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import audit from '#core/audit/audit_service'
import { openSecret } from '#network_monitoring/services/credentials'
import { v3CredentialsOf, type V3CredentialRow } from '#network_monitoring/services/v3_credentials'
import type { CounterSample } from '#network_monitoring/snmp/rates'
import type { PollRecord, PollTarget } from '#network_monitoring/services/poll_records'
import { markRollupDirty } from '#network_monitoring/services/marks'
import { PARKED_IF_INDEX } from '#network_monitoring/models/device_interface'
import logger from '@adonisjs/core/services/logger'

/** Errors that mean "no database right now" (retry later), as opposed to "this data is refused". */
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_ACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_READONLY',
])

export function isUnavailable(error: unknown): boolean {
  const err = error as { code?: string; errno?: number; fatal?: boolean; message?: string }
  if (err?.code && UNAVAILABLE.has(err.code)) return true
  if (err?.fatal) return true
  return /Knex: Timeout acquiring a connection|pool is probably full|Connection lost|connect ECONNREFUSED/i.test(
    err?.message ?? ''
  )
}

/** Poll-write transactions in flight on MySQL/MariaDB (of the pool's 10 connections). */
const MYSQL_WRITE_CONCURRENCY = 5

/**
 * Committed batches waiting for their listeners (rules) before the writer waits too. Large:
 * during an alert storm the poll results still reach the board at polling speed; the records
 * are held by the tick anyway, and the tick ends only once the rules have seen them all.
 */
const LISTENER_BACKLOG = 200

/** Devices per page when loading the targets of a tick. */
const TARGET_PAGE = 1000

/** Rows per multi-row INSERT (well under SQLite's 32 766 bound parameters). */
const INSERT_CHUNK = 400
/** Poll records per transaction (MySQL: one round trip per multi-row statement). */
const RECORDS_PER_TRANSACTION = 100
/**
 * Poll records per transaction on SQLite: better-sqlite3 runs on the main
 * thread, so a transaction is kept to a few milliseconds of work (≈ 500 rows)
 * and the event loop gets a turn between two of them.
 */
const SQLITE_RECORDS_PER_TRANSACTION = 10

export class PollWriteError extends Error {
  constructor(
    public written: number,
    public cause: unknown
  ) {
    super(`writing poll results failed after ${written} record(s): ${(cause as Error)?.message}`)
  }
}

/** 'yyyy-MM-dd HH:mm:ss' in UTC (without luxon: this runs for every record). */
const sqlTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ')

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size))
  return out
}

type Row = Record<string, unknown>

/** The raw better-sqlite3 handle of a transaction (same connection, so same transaction). */
interface SqliteStatement {
  run(...params: unknown[]): unknown
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement
}

function isBetterSqlite(client: { dialect: { name: string } }) {
  return client.dialect.name === 'better-sqlite3'
}

async function sqliteConnectionOf(trx: TransactionClientContract): Promise<SqliteConnection> {
  const knexTrx = trx.knexClient as unknown as {
    client: { acquireConnection(): Promise<SqliteConnection> }
  }
  return knexTrx.client.acquireConnection()
}

/**
 * Prepared single-row upserts, one per shape, kept per connection: a cached
 * statement costs microseconds a row, where building and preparing a
 * 150-row multi-row INSERT each time cost most of the poller's main-thread
 * time (knex's SQL builder plus SQLite's parser, measured with --cpu-prof).
 */
const statements = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>()

function sqliteUpsert(
  connection: SqliteConnection,
  table: string,
  columns: string[],
  conflict: readonly string[],
  merge: readonly string[] | 'ignore'
): SqliteStatement {
  let cache = statements.get(connection)
  if (!cache) {
    cache = new Map()
    statements.set(connection, cache)
  }
  const key = `${table}|${columns.join(',')}|${conflict.join(',')}|${merge === 'ignore' ? '' : merge.join(',')}`
  let statement = cache.get(key)
  if (!statement) {
    const q = (name: string) => `"${name}"`
    const action =
      merge === 'ignore'
        ? 'DO NOTHING'
        : `DO UPDATE SET ${merge.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}`
    statement = connection.prepare(
      `INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ` +
        `ON CONFLICT (${conflict.map(q).join(', ')}) ${action}`
    )
    cache.set(key, statement)
  }
  return statement
}

/** What knex's better-sqlite3 client does to bindings. */
function bindable(value: unknown) {
  if (value === undefined) return null
  if (typeof value === 'boolean') return value ? 1 : 0
  if (value instanceof Date) return value.valueOf()
  return value
}

/**
 * INSERT … ON CONFLICT DO UPDATE (merge) / DO NOTHING ('ignore') of rows of
 * one shape: prepared single-row statements on SQLite, multi-row statements
 * through knex on MySQL/MariaDB.
 */
async function upsert(
  trx: TransactionClientContract,
  table: string,
  rows: Row[],
  conflict: readonly string[],
  merge: readonly string[] | 'ignore',
  chunkSize = INSERT_CHUNK
) {
  if (rows.length === 0) return
  if (isBetterSqlite(trx)) {
    const connection = await sqliteConnectionOf(trx)
    const columns = Object.keys(rows[0])
    const statement = sqliteUpsert(connection, table, columns, conflict, merge)
    for (const row of rows) statement.run(columns.map((column) => bindable(row[column])))
    return
  }
  // MySQL/MariaDB: the statement text is built here, one string per chunk. knex's builder and
  // mysql2's placeholder formatting cost more main-thread time than the database's own work
  // (measured with --cpu-prof); the values are escaped the way mysql2 escapes them.
  const columns = Object.keys(rows[0])
  const head =
    `INSERT${merge === 'ignore' ? ' IGNORE' : ''} INTO \`${table}\` (` +
    columns.map((column) => `\`${column}\``).join(', ') +
    ') VALUES '
  const tail =
    merge === 'ignore'
      ? ''
      : ' ON DUPLICATE KEY UPDATE ' +
        merge.map((column) => `\`${column}\` = VALUES(\`${column}\`)`).join(', ')
  for (const slice of chunks(rows, chunkSize)) {
    const values: string[] = []
    for (const row of slice) {
      values.push(`(${columns.map((column) => sqlValue(row[column])).join(',')})`)
    }
    await trx.rawQuery(head + values.join(',') + tail)
  }
}

/** A value as MySQL literal text (what mysql2 would substitute for a placeholder). */
function sqlValue(value: unknown): string {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'bigint') return value.toString()
  return mysql.escape(value as string)
}

/**
 * Interface rows of some devices: one prepared per-device SELECT on SQLite,
 * `WHERE device_id IN (…)` in chunks elsewhere.
 */
async function interfaceRowsOf<T>(
  trx: TransactionClientContract,
  deviceIds: number[],
  columns: string[]
): Promise<T[]> {
  const out: T[] = []
  if (isBetterSqlite(trx)) {
    const connection = await sqliteConnectionOf(trx)
    const key = `select|${columns.join(',')}`
    let cache = statements.get(connection)
    if (!cache) {
      cache = new Map()
      statements.set(connection, cache)
    }
    let statement = cache.get(key) as (SqliteStatement & { all(id: number): T[] }) | undefined
    if (!statement) {
      statement = connection.prepare(
        `SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM "device_interfaces" WHERE "device_id" = ?`
      ) as SqliteStatement & { all(id: number): T[] }
      cache.set(key, statement)
    }
    for (const id of deviceIds) out.push(...statement.all(id))
    return out
  }
  for (const slice of chunks(deviceIds, INSERT_CHUNK)) {
    out.push(
      ...(await trx
        .from('device_interfaces')
        .whereIn('device_id', slice)
        .select(...columns))
    )
  }
  return out
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

function truncate(text: string | null | undefined, max: number) {
  if (text === null || text === undefined) return null
  return text.length > max ? text.slice(0, max) : text
}

/**
 * Reads what the poller needs and writes what it found: the poll row, the
 * latest device and interface state, raw samples, and an audit event when a
 * device goes down or comes back. Each chunk of records is one transaction.
 */
export class PollStore {
  /** The listeners' queue of committed batches (see #afterCommit). */
  #listeners: Promise<void> = Promise.resolve()
  #backlog = 0
  #backlogWaiters: Array<() => void> = []

  /** Batches the poll job may write at once: SQLite has one writer; MySQL overlaps round trips. */
  writeConcurrency() {
    return isBetterSqlite(db.connection()) ? 1 : MYSQL_WRITE_CONCURRENCY
  }

  /** Enabled v1/v2c devices with their state and current maintenance windows. */
  async loadTargets(nowMs = Date.now()): Promise<PollTarget[]> {
    // In pages by id, so 10,000 devices are not one synchronous SQLite read of the event loop.
    const rows: any[] = []
    for (;;) {
      const page = await this.#targetPage(rows.length > 0 ? Number(rows.at(-1).id) : 0)
      rows.push(...page)
      if (page.length < TARGET_PAGE) break
      await nextTurn()
    }
    const windows = await db
      .from('maintenance_windows')
      .where('ends_at', '>', sqlTime(nowMs))
      .select('device_id', 'starts_at', 'ends_at')
    return this.#targetsOf(rows, windows)
  }

  #targetPage(afterId: number) {
    return db
      .from('network_devices as d')
      .leftJoin('device_states as s', 's.device_id', 'd.id')
      .where('d.is_enabled', true)
      .whereIn('d.snmp_version', ['v1', 'v2c', 'v3'])
      .select(
        'd.id',
        'd.name',
        'd.management_ip',
        'd.snmp_port',
        'd.snmp_version',
        'd.community_encrypted',
        'd.v3_username',
        'd.v3_security_level',
        'd.v3_auth_protocol',
        'd.v3_auth_key_encrypted',
        'd.v3_priv_protocol',
        'd.v3_priv_key_encrypted',
        'd.poll_interval_seconds',
        's.last_poll_at',
        's.status',
        's.consecutive_failures',
        's.interface_count'
      )
      .where('d.id', '>', afterId)
      .orderBy('d.id')
      .limit(TARGET_PAGE)
  }

  #targetsOf(rows: any[], windows: any[]): PollTarget[] {
    const maintenance = new Map<number, Array<[number, number]>>()
    for (const window of windows) {
      const list = maintenance.get(Number(window.device_id)) ?? []
      list.push([toMs(window.starts_at), toMs(window.ends_at)])
      maintenance.set(Number(window.device_id), list)
    }
    return rows.map((row) => ({
      deviceId: Number(row.id),
      name: row.name,
      host: row.management_ip,
      port: Number(row.snmp_port),
      ...credentialsOf(row),
      intervalSeconds: Number(row.poll_interval_seconds),
      lastPollMs: row.last_poll_at ? toMs(row.last_poll_at) : null,
      status: row.status ?? 'unknown',
      consecutiveFailures: Number(row.consecutive_failures ?? 0),
      interfaceCount: Number(row.interface_count ?? 0),
      maintenance: maintenance.get(Number(row.id)) ?? [],
    }))
  }

  /** The last stored counters of devices, so rates continue across a restart. */
  async loadSamples(deviceIds: number[]): Promise<Map<number, CounterSample>> {
    const samples = new Map<number, CounterSample>()
    for (const ids of chunks(deviceIds, INSERT_CHUNK)) {
      const states = await db
        .from('device_states')
        .whereIn('device_id', ids)
        .whereNotNull('last_sample_ms')
        .select('device_id', 'sys_uptime_ticks', 'last_sample_ms')
      for (const state of states) {
        samples.set(Number(state.device_id), {
          takenAtMs: Number(state.last_sample_ms),
          sysUpTimeTicks: state.sys_uptime_ticks === null ? null : Number(state.sys_uptime_ticks),
          interfaces: [],
        })
      }
      const interfaces = await db
        .from('device_interfaces')
        .whereIn('device_id', ids)
        .select(
          'device_id',
          'if_index',
          'name',
          'descr',
          'gone_at',
          'speed_bps',
          'counter_bits',
          'last_in_octets',
          'last_out_octets',
          'last_in_errors',
          'last_out_errors',
          'last_in_discards',
          'last_out_discards',
          'last_sample_ms'
        )
      for (const row of interfaces) {
        const sample = samples.get(Number(row.device_id))
        if (!sample || Number(row.last_sample_ms) !== sample.takenAtMs || row.gone_at) continue
        const num = (value: unknown) => (value === null ? null : Number(value))
        sample.interfaces.push({
          ifIndex: Number(row.if_index),
          name: row.name ?? null,
          descr: row.descr ?? null,
          speedBps: num(row.speed_bps),
          inOctets: row.last_in_octets === null ? null : BigInt(row.last_in_octets),
          outOctets: row.last_out_octets === null ? null : BigInt(row.last_out_octets),
          octetsCounterBits:
            row.counter_bits === null ? null : (Number(row.counter_bits) as 64 | 32),
          inErrors: num(row.last_in_errors),
          outErrors: num(row.last_out_errors),
          inDiscards: num(row.last_in_discards),
          outDiscards: num(row.last_out_discards),
        })
      }
    }
    return samples
  }

  /**
   * Writes records oldest first, RECORDS_PER_TRANSACTION at a time. `late`
   * records (from the in-memory buffer) also mark their period for re-rollup.
   * Throws PollWriteError telling how many records were committed.
   */
  async write(records: PollRecord[], options: { late?: boolean } = {}) {
    let written = 0
    const perTransaction = isBetterSqlite(db.connection())
      ? SQLITE_RECORDS_PER_TRANSACTION
      : RECORDS_PER_TRANSACTION
    for (const batch of chunks(records, perTransaction)) {
      // better-sqlite3 answers synchronously: without this the whole write is one turn of the loop
      if (written > 0) await nextTurn()
      try {
        await this.#transaction(batch, options)
      } catch (error) {
        if (isUnavailable(error)) throw new PollWriteError(written, error)
        // The database answered but refused something: find the device(s) at fault.
        await this.#writeOneByOne(batch, options, error)
      }
      written += batch.length
      // Rules and other listeners run after the commit, never inside the write.
      await this.#afterCommit(batch)
    }
    return written
  }

  /**
   * Hands a committed batch to the listeners (alert rules) in commit order,
   * one batch at a time, without holding the write: the next batch is
   * written while the rules of this one run (and raise alerts). Beyond
   * LISTENER_BACKLOG batches waiting, the writer waits for them.
   */
  async #afterCommit(batch: PollRecord[]) {
    this.#backlog++
    this.#listeners = this.#listeners
      .then(() => emitPollWritten(batch))
      .finally(() => {
        this.#backlog--
        this.#backlogWaiters.shift()?.()
      })
    while (this.#backlog > LISTENER_BACKLOG) {
      await new Promise<void>((resolve) => this.#backlogWaiters.push(resolve))
    }
  }

  /** Resolves once the listeners have seen every batch committed so far (the end of a tick). */
  async settle() {
    await this.#listeners
  }

  /** One bad device's data must not stop everyone's writes (nor be retried forever). */
  async #writeOneByOne(batch: PollRecord[], options: { late?: boolean }, batchError: unknown) {
    for (const record of batch) {
      try {
        await this.#transaction([record], options)
      } catch (error) {
        if (isUnavailable(error)) throw new PollWriteError(0, error)
        logger.warn(
          {
            job: 'snmp:poll',
            deviceId: record.deviceId,
            err: { code: (error as { code?: string }).code, message: (error as Error).message },
          },
          `poll data of device ${record.deviceName} refused by the database: stored without it`
        )
        const stripped: PollRecord = {
          ...record,
          system: null,
          interfaces: [],
          interfacesPolled: false,
          cpuLoad: null,
          moduleErrors: [
            ...record.moduleErrors,
            { module: 'store', code: 'E_POLL_STORE_DATA', message: (error as Error).message },
          ],
        }
        try {
          await this.#transaction([stripped], options)
        } catch (again) {
          if (isUnavailable(again)) throw new PollWriteError(0, again)
          logger.error(
            { job: 'snmp:poll', deviceId: record.deviceId, err: (again as Error).message },
            'poll result dropped: the database refuses it'
          )
        }
      }
    }
    void batchError
  }

  async #transaction(batch: PollRecord[], options: { late?: boolean }) {
    await db.transaction(async (trx) => {
      await this.#writeBatch(trx, batch, options.late ?? false)
      if (options.late) {
        const oldest = Math.min(...batch.map((record) => record.takenAtMs))
        await markRollupDirty(trx, Math.floor(oldest / 1000))
      }
    })
  }

  /**
   * Keeps each interface row (and its history) with its port across a
   * renumbering: a row whose ifName/ifDescr now answers at another ifIndex
   * moves there; rows of ports that vanished are marked gone (parked at an
   * ifIndex no agent uses, so the number is free for the port that has it now).
   */
  async #followRenumbering(
    trx: TransactionClientContract,
    answered: PollRecord[],
    now: string
  ): Promise<Map<string, number> | null> {
    if (answered.length === 0) return null
    const ids = answered.map((record) => record.deviceId)
    const existing: Array<{
      id: number
      device_id: number
      if_index: number
      name: string | null
      descr: string | null
      gone_at: unknown
    }> = await interfaceRowsOf(trx, ids, [
      'id',
      'device_id',
      'if_index',
      'name',
      'descr',
      'gone_at',
    ])
    const byDevice = new Map<number, typeof existing>()
    for (const row of existing) {
      const list = byDevice.get(Number(row.device_id)) ?? []
      list.push(row)
      byDevice.set(Number(row.device_id), list)
    }
    const moves: Array<{ id: number; to: number }> = []
    const gone: number[] = []
    for (const record of answered) {
      const rows = byDevice.get(record.deviceId) ?? []
      if (rows.length === 0) continue
      const key = (row: { name: string | null; descr: string | null }) =>
        row.name || row.descr || null
      const fresh = new Map<number, string | null>(
        record.interfaces.map((i) => [i.ifIndex, key(i)])
      )
      const freshByKey = new Map<string, number>()
      for (const [ifIndex, k] of fresh)
        if (k !== null && !freshByKey.has(k)) freshByKey.set(k, ifIndex)
      for (const row of rows) {
        const index = Number(row.if_index)
        const k = key(row)
        const nowAt = k === null ? undefined : freshByKey.get(k)
        if (
          fresh.has(index) &&
          (k === null || fresh.get(index) === null || fresh.get(index) === k)
        ) {
          continue // same port, same number
        }
        if (nowAt !== undefined && nowAt !== index) moves.push({ id: Number(row.id), to: nowAt })
        else if (!row.gone_at || index < PARKED_IF_INDEX) gone.push(Number(row.id))
      }
    }
    if (moves.length === 0 && gone.length === 0) {
      // nothing moved: the rows' ids as they are (device:ifIndex → id), for the samples
      const idOf = new Map<string, number>()
      for (const row of existing) idOf.set(`${row.device_id}:${row.if_index}`, Number(row.id))
      return idOf
    }
    const parked = [...moves.map((move) => move.id), ...gone]
    // two steps, so swapped numbers never collide on (device_id, if_index)
    for (const id of parked) {
      await trx
        .from('device_interfaces')
        .where('id', id)
        .update({ if_index: PARKED_IF_INDEX + id })
    }
    for (const move of moves) {
      await trx
        .from('device_interfaces')
        .where('id', move.id)
        .update({ if_index: move.to, gone_at: null })
    }
    for (const slice of chunks(gone, INSERT_CHUNK)) {
      await trx.from('device_interfaces').whereIn('id', slice).whereNull('gone_at').update({
        gone_at: now,
        oper_status: null,
        in_bps: null,
        out_bps: null,
        in_utilisation: null,
        out_utilisation: null,
      })
    }
    return null
  }

  /** An audit event: this many results were lost while the database was away (the board shows it). */
  async recordBufferOverflow(dropped: number, max: number) {
    await audit.record({
      actorId: null,
      actorName: null,
      ip: null,
      action: 'monitoring.poll_buffer_overflow',
      targetType: null,
      targetId: null,
      outcome: 'failure',
      details: { dropped, max },
    })
  }

  async #writeBatch(trx: TransactionClientContract, batch: PollRecord[], late = false) {
    const now = sqlTime(Date.now())
    await upsert(
      trx,
      'device_polls',
      batch.map((record) => ({
        device_id: record.deviceId,
        ts: Math.floor(record.takenAtMs / 1000),
        duration_ms: Math.min(Math.round(record.durationMs), 2_000_000_000),
        ok: record.ok,
        in_maintenance: record.inMaintenance,
        error_code: truncate(record.errorCode, 40),
      })),
      ['device_id', 'ts'],
      'ignore'
    )

    // Latest state: the newest record of each device in this batch.
    const latest = new Map<number, PollRecord>()
    for (const record of batch) {
      const current = latest.get(record.deviceId)
      if (!current || current.takenAtMs <= record.takenAtMs) latest.set(record.deviceId, record)
    }
    const stateRows = [...latest.values()].map((record) => ({
      device_id: record.deviceId,
      status: record.status,
      status_changed_at: record.status !== record.previousStatus ? sqlTime(record.takenAtMs) : null,
      last_poll_at: sqlTime(record.takenAtMs),
      last_ok_at: record.ok ? sqlTime(record.takenAtMs) : null,
      last_duration_ms: Math.round(record.durationMs),
      consecutive_failures: record.consecutiveFailures,
      last_error_code: truncate(record.errorCode, 40),
      last_error_message: truncate(record.errorMessage, 255),
      sys_name: truncate(record.system?.sysName, 255),
      sys_descr: record.system?.sysDescr ?? null,
      sys_object_id: truncate(record.system?.sysObjectId, 128),
      sys_uptime_ticks: record.system?.sysUpTimeTicks ?? null,
      last_sample_ms: record.ok ? record.takenAtMs : null,
      cpu_load: record.cpuLoad,
      interface_count: record.interfaces.length,
      module_errors:
        record.ok && record.moduleErrors.length > 0
          ? JSON.stringify(record.moduleErrors.slice(0, 20)).slice(0, 8000)
          : null,
      updated_at: now,
    }))
    const withInterfaces = new Set(
      [...latest.values()].filter((r) => r.interfacesPolled).map((r) => r.deviceId)
    )
    const okRows = stateRows.filter(
      (row) => row.last_ok_at !== null && withInterfaces.has(row.device_id)
    )
    // answered, but the interfaces module failed: keep the stored interfaces and their count
    const partialRows = stateRows.filter(
      (row) => row.last_ok_at !== null && !withInterfaces.has(row.device_id)
    )
    const failedRows = stateRows.filter((row) => row.last_ok_at === null)
    const always = [
      'status',
      'last_poll_at',
      'last_duration_ms',
      'consecutive_failures',
      'last_error_code',
      'last_error_message',
      'updated_at',
    ]
    for (const [rows, merge] of [
      [
        okRows,
        [
          ...always,
          'last_ok_at',
          'sys_name',
          'sys_descr',
          'sys_object_id',
          'sys_uptime_ticks',
          'last_sample_ms',
          'cpu_load',
          'interface_count',
          'module_errors',
        ],
      ],
      [
        partialRows,
        [
          ...always,
          'last_ok_at',
          'sys_name',
          'sys_descr',
          'sys_object_id',
          'sys_uptime_ticks',
          'cpu_load',
          'module_errors',
        ],
      ],
      [failedRows, always],
    ] as const) {
      for (const group of [true, false]) {
        // status_changed_at only moves when the status changed
        const part = rows.filter((row) => (row.status_changed_at !== null) === group)
        await upsert(
          trx,
          'device_states',
          part,
          ['device_id'],
          group ? [...merge, 'status_changed_at'] : merge
        )
      }
    }

    // Latest interface state of devices that answered (and whose interfaces module worked).
    const answered = [...latest.values()].filter((record) => record.ok && record.interfacesPolled)
    const interfaceRows = answered.flatMap((record) =>
      record.interfaces.map((row) => ({
        device_id: record.deviceId,
        if_index: row.ifIndex,
        name: truncate(row.name, 64),
        descr: truncate(row.descr, 255),
        alias: truncate(row.alias, 255),
        if_type: row.type,
        speed_bps: row.speedBps,
        admin_status: row.adminStatus,
        oper_status: row.operStatus,
        in_bps: row.rates?.inBps ?? null,
        out_bps: row.rates?.outBps ?? null,
        in_utilisation: row.rates?.inUtilisation ?? null,
        out_utilisation: row.rates?.outUtilisation ?? null,
        in_errors_ps: row.rates?.inErrorsPs ?? null,
        out_errors_ps: row.rates?.outErrorsPs ?? null,
        in_discards_ps: row.rates?.inDiscardsPs ?? null,
        out_discards_ps: row.rates?.outDiscardsPs ?? null,
        counter_bits: row.counterBits,
        gone_at: null,
        last_in_octets: row.inOctets,
        last_out_octets: row.outOctets,
        last_in_errors: row.inErrors,
        last_out_errors: row.outErrors,
        last_in_discards: row.inDiscards,
        last_out_discards: row.outDiscards,
        last_sample_ms: record.takenAtMs,
        updated_at: now,
      }))
    )
    const knownIds = await this.#followRenumbering(trx, answered, now)
    const interfaceColumns = interfaceRows.length > 0 ? Object.keys(interfaceRows[0]) : []
    await upsert(
      trx,
      'device_interfaces',
      interfaceRows,
      ['device_id', 'if_index'],
      interfaceColumns.filter((column) => column !== 'device_id' && column !== 'if_index'),
      600
    )

    // Raw samples of every answered poll (late ones too) that has rates.
    const withRates = batch.filter(
      (record) => record.ok && record.interfaces.some((row) => row.rates !== null)
    )
    if (withRates.length > 0) {
      // The ids read before the upsert serve when every row had one (the steady state);
      // a new port or a renumbering reads them again.
      const complete =
        knownIds !== null &&
        withRates.every((record) =>
          record.interfaces.every(
            (row) => row.rates === null || knownIds.has(`${record.deviceId}:${row.ifIndex}`)
          )
        )
      const idOf = complete ? knownIds : new Map<string, number>()
      if (!complete) {
        const deviceIds = [...new Set(withRates.map((record) => record.deviceId))]
        const rows = await interfaceRowsOf<{ id: number; device_id: number; if_index: number }>(
          trx,
          deviceIds,
          ['id', 'device_id', 'if_index']
        )
        for (const row of rows) idOf.set(`${row.device_id}:${row.if_index}`, Number(row.id))
      }
      const sampleRows = withRates.flatMap((record) =>
        record.interfaces
          .filter((row) => row.rates !== null && idOf.has(`${record.deviceId}:${row.ifIndex}`))
          .map((row) => ({
            interface_id: idOf.get(`${record.deviceId}:${row.ifIndex}`)!,
            ts: Math.floor(record.takenAtMs / 1000),
            in_bps: row.rates!.inBps,
            out_bps: row.rates!.outBps,
            in_errors_ps: row.rates!.inErrorsPs,
            out_errors_ps: row.rates!.outErrorsPs,
            in_discards_ps: row.rates!.inDiscardsPs,
            out_discards_ps: row.rates!.outDiscardsPs,
            oper_up: row.operStatus === 1,
          }))
      )
      await upsert(trx, 'interface_samples', sampleRows, ['interface_id', 'ts'], 'ignore', 1200)
    }

    // Going down and coming back are events of the audit trail. The row's own time is
    // its write time (the hash chain's order); `at` is when it happened, which a
    // result written late (after a database outage) shows beside it.
    for (const record of batch) {
      const wentDown = record.status === 'down' && record.previousStatus !== 'down'
      const cameBack = record.status === 'up' && record.previousStatus === 'down'
      if (!wentDown && !cameBack) continue
      await audit.record(
        {
          actorId: null,
          actorName: null,
          ip: null,
          action: wentDown ? 'device.down' : 'device.up',
          targetType: 'network_device',
          targetId: record.deviceId,
          outcome: wentDown ? 'failure' : 'success',
          details: {
            name: record.deviceName,
            at: new Date(record.takenAtMs).toISOString(),
            previous: record.previousStatus,
            errorCode: record.errorCode,
            inMaintenance: record.inMaintenance,
            ...(late ? { writtenLate: true } : {}),
          },
        },
        trx
      )
    }
  }
}

/** A timestamp column as returned by SQLite (text, UTC) or mysql2 (Date). */
export function toMs(value: unknown): number {
  if (value instanceof Date) return value.getTime()
  if (typeof value === 'string') {
    return DateTime.fromSQL(value, { zone: 'utc' }).toMillis()
  }
  return Number(value)
}

/** Version and secrets of a device row (v3: USM credentials, community unused). */
function credentialsOf(
  row: V3CredentialRow & { snmp_version: string; community_encrypted: string | null }
): Pick<PollTarget, 'version' | 'community' | 'v3'> {
  if (row.snmp_version === 'v3') {
    const v3 = v3CredentialsOf(row)
    return { version: '3', community: v3 ? '' : null, v3: v3 ?? undefined }
  }
  return {
    version: row.snmp_version === 'v1' ? '1' : '2c',
    community: openSecret(row.community_encrypted),
  }
}
