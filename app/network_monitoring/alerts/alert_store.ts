import { setImmediate as nextTurn } from 'node:timers/promises'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import audit from '#core/audit/audit_service'
import {
  emitAlertChanges,
  type AlertChange,
  type AlertSignal,
  type AlertSink,
  type RaiseOutcome,
} from '#network_monitoring/alerts/contract'
import {
  categoryOf,
  gradeFor,
  isFaultCategory,
  normaliseSubcategory,
  type Criticality,
  type GradeLevel,
} from '#network_monitoring/alerts/classification'
import {
  DEFAULT_FLAP_SETTINGS,
  emptyHistory,
  observe,
  settle,
  type ConditionHistory,
  type FlapSettings,
} from '#network_monitoring/alerts/flapping'
import { transition, type AlertState } from '#network_monitoring/alerts/lifecycle'
import {
  bindable,
  insertSql,
  isSqlite,
  pacer,
  sqliteOf,
  updateByIdSql,
  type Prepare,
} from '#network_monitoring/alerts/sqlite_statements'

/** The rule whose alerts are suppressed behind an unreachable parent device. */
export const UNREACHABLE_RULE = 'unreachable'

const CHUNK = 400
/** Rows per multi-row INSERT of new alerts (well under SQLite's 32,766 bound parameters). */
const INSERT_CHUNK = 200
/** Alert ids per audit row when the system records many events of one kind at once. */
const AUDIT_CHUNK = 500
/** Touched alerts written between two turns of the event loop. */
const UPDATE_CHUNK = 100
const SUMMARY_MAX = 500
/** Durations at which gradeFor changes a grade (classification.ts). */
const DURATION_THRESHOLDS_HOURS = [4, 24]
/** How far back the minute tick looks for alerts that crossed a threshold (missed ticks). */
const REGRADE_LOOKBACK_MS = 60 * 60_000
const RAW_TYPE_MAX = 200

/** An alerts row as the store reads and writes it (snake_case, as in the database). */
interface AlertRow {
  id: number
  condition_key: string
  open_key: string | null
  state: AlertState
  category_group: string
  category: string
  raw_type: string | null
  grade: number
  computed_grade: number
  grade_override_reason: string | null
  device_id: number | null
  site_id: number | null
  unit_id: number | null
  interface_id: number | null
  source: string
  rule: string
  external_id: string | null
  severity: number | null
  summary_key: string | null
  summary_params: string | null
  summary_text: string | null
  details: string | null
  count: number
  sites_affected: number
  first_seen_at: Date | string
  last_seen_at: Date | string
  parent_alert_id: number | null
  is_flapping: boolean | number
  src_ip: string | null
  dst_ip: string | null
}

interface DeviceInfo {
  id: number
  siteId: number
  unitId: number | null
  parentDeviceId: number | null
  criticality: Criticality
}

/** What happened to one alert inside one raise/recover call. */
interface Touch {
  row: AlertRow
  created: boolean
  signals: number
  firstSeen: number
  lastSeen: number
  dirty: boolean
  /** Set when the alert resolved in this call (epoch ms). */
  resolvedAt?: number
  /** The minute tick: the condition lasts until this instant (epoch ms), without a new signal. */
  until?: number
  events: Array<{ type: string; at: Date; details: Record<string, unknown> }>
  changes: AlertChange[]
}

const SYSTEM_ACTOR = { actorId: null, actorName: null, ip: null }

function ms(value: Date | string): number {
  if (value instanceof Date) return value.getTime()
  // SQLite returns 'YYYY-MM-DD HH:MM:SS' (UTC, as Lucid wrote it) or an ISO string.
  const text = value.includes('T') ? value : value.replace(' ', 'T') + 'Z'
  return new Date(text).getTime()
}

/** The SQL datetime Lucid writes for a UTC instant (both dialects accept it). */
function sqlTime(epochMs: number) {
  // 'YYYY-MM-DDTHH:MM:SS.mmmZ' → 'YYYY-MM-DD HH:MM:SS' (a hot path: no luxon here).
  const iso = new Date(epochMs).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`
}

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * Lets the event loop take a turn inside a long transaction. better-sqlite3 runs every
 * statement synchronously and a knex transaction chains them on microtasks only, so a
 * 500-event batch would otherwise hold the loop for its whole length. The transaction stays
 * one (all or nothing); other requests' queries wait for the pool's connection meanwhile.
 */
function breathe() {
  return nextTurn()
}

function isDuplicateKey(error: unknown) {
  const e = error as { code?: string; errno?: number; message?: string }
  return (
    e?.code === 'ER_DUP_ENTRY' ||
    e?.errno === 1062 ||
    (typeof e?.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT'))
  )
}

/** The timeline entry of a new alert. */
function raisedEvent(row: AlertRow) {
  return {
    type: 'raised',
    at: new Date(ms(row.first_seen_at)),
    details: { category: row.category, grade: row.grade } as Record<string, unknown>,
  }
}

/**
 * Repeats of a known condition are summarised, not written one by one: the timeline and the
 * audit trail get an 'updated' entry when the count reaches 2, 10, 100, 1,000 … (the row itself
 * keeps the exact count and last time; resolve/close entries carry the final count).
 */
export function repeatMilestone(before: number, after: number) {
  if (before < 2 && after >= 2) return true
  for (let mark = 10; mark <= after; mark *= 10) if (before < mark) return true
  return false
}

function gradeOf(value: number): GradeLevel {
  return (value >= 1 && value <= 4 ? value : 4) as GradeLevel
}

/**
 * The alert store behind the AlertSink seam: dedupe onto the open alert of a condition,
 * idempotency on the sender's event id, maintenance windows first, parent suppression
 * (one alert for one cause), flap damping, auto-resolution of faults. Each call is one
 * transaction; listeners hear about the changes after it committed.
 */
export class AlertStore implements AlertSink {
  readonly flap: FlapSettings

  constructor(options: { flap?: Partial<FlapSettings> } = {}) {
    this.flap = { ...DEFAULT_FLAP_SETTINGS, ...options.flap }
  }

  async raise(signals: AlertSignal[]): Promise<RaiseOutcome> {
    if (signals.length === 0) return { created: 0, updated: 0, duplicates: 0, suppressed: 0 }
    const { outcome, changes } = await this.#withRetry((trx) => this.#raise(signals, trx))
    await emitAlertChanges(changes)
    return outcome
  }

  async recover(conditionKeys: string[], at: Date): Promise<number> {
    const keys = [...new Set(conditionKeys)]
    if (keys.length === 0) return 0
    const { resolved, changes } = await this.#withRetry((trx) => this.#recover(keys, at, trx))
    await emitAlertChanges(changes)
    return resolved
  }

  /**
   * Re-evaluates flapping conditions as the window moves on (the schedule calls it every
   * minute): one that calmed down while OK resolves its alert; one that stays a problem
   * becomes a plain open alert again.
   */
  async settleFlapping(now: Date = new Date()): Promise<number> {
    const { count, changes } = await this.#withRetry(async (trx) => {
      const rows = await trx.from('alert_conditions').where('is_flapping', true).limit(5000)
      const touches = new Map<number, Touch>()
      let settled = 0
      for (const row of rows) {
        const history = this.#readHistory(row)
        const result = settle(history, now.getTime(), this.flap)
        if (!result.stoppedFlapping) continue
        settled++
        await this.#writeHistory(trx, row.condition_key, result.history, now)
        const alert = await trx.from('alerts').where('open_key', row.condition_key).first()
        if (!alert) continue
        const touch = this.#touch(touches, alert as AlertRow)
        touch.row.is_flapping = false
        touch.dirty = true
        if (!result.history.isProblem) {
          await this.#autoResolve(trx, touch, now, touches)
        } else {
          touch.events.push({ type: 'flapping', at: now, details: { flapping: false } })
        }
      }
      return { count: settled, changes: await this.#flush(trx, touches) }
    })
    await emitAlertChanges(changes)
    return count
  }

  /**
   * The minute tick's regrade (gradeFor: criticality, scope, duration): a fault alert still live
   * whose duration just crossed a grade threshold (4 h, 24 h) gets its new grade, timeline entry,
   * audit row and 'reclassified' change, without counting as a signal. Only the alerts whose
   * first sighting lies within REGRADE_LOOKBACK before a threshold are read (index on state,
   * first_seen_at), so the tick stays small with hundreds of thousands of live alerts.
   */
  async regradeLive(now: Date = new Date()): Promise<number> {
    const { count, changes } = await this.#withRetry(async (trx) => {
      const touches = new Map<number, Touch>()
      for (const hours of DURATION_THRESHOLDS_HOURS) {
        const crossing = now.getTime() - hours * 3_600_000
        const rows = (await trx
          .from('alerts')
          .whereIn('state', ['open', 'acknowledged'])
          .where('first_seen_at', '<=', sqlTime(crossing))
          .where('first_seen_at', '>', sqlTime(crossing - REGRADE_LOOKBACK_MS))
          .whereNull('grade_override_reason')
          .limit(5000)) as AlertRow[]
        for (const row of rows) {
          if (!isFaultCategory(row.category)) continue
          this.#touch(touches, row).until = now.getTime()
        }
      }
      const flushed = await this.#flush(trx, touches)
      return { count: flushed.filter((c) => c.type === 'reclassified').length, changes: flushed }
    })
    await emitAlertChanges(changes)
    return count
  }

  async #withRetry<T>(work: (trx: TransactionClientContract) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await db.transaction(work)
      } catch (error) {
        // Another writer opened the same condition first (MySQL): read its alert and dedupe.
        if (attempt >= 3 || !isDuplicateKey(error)) throw error
      }
    }
  }

  /** The live alert and the flap history of each condition key. */
  async #liveAndHistories(
    trx: TransactionClientContract,
    sql: Prepare | null,
    keys: string[],
    live: Map<string, AlertRow>,
    histories: Map<string, ConditionHistory>
  ) {
    if (sql) {
      const alert = sql('SELECT * FROM "alerts" WHERE "open_key" = ?')
      const condition = sql('SELECT * FROM "alert_conditions" WHERE "condition_key" = ?')
      const pace = pacer()
      for (const key of keys) {
        const row = alert.get(key)
        if (row) live.set(key, row as unknown as AlertRow)
        const history = condition.get(key)
        if (history) histories.set(key, this.#readHistory(history as never))
        await pace()
      }
      return
    }
    for (const group of chunks(keys)) {
      for (const row of await trx.from('alerts').whereIn('open_key', group)) {
        live.set(row.condition_key, row as AlertRow)
      }
      for (const row of await trx.from('alert_conditions').whereIn('condition_key', group)) {
        histories.set(row.condition_key, this.#readHistory(row))
      }
      await breathe()
    }
  }

  async #raise(signals: AlertSignal[], trx: TransactionClientContract) {
    const outcome: RaiseOutcome = { created: 0, updated: 0, duplicates: 0, suppressed: 0 }
    const touches = new Map<number, Touch>()

    // 1. Idempotency: sender event ids already stored, or repeated inside this batch.
    const seenIds = new Set<string>()
    const idKey = (s: AlertSignal) => `${s.source}\u0000${s.externalId}`
    const withIds = signals.filter((s) => s.externalId)
    const sql = isSqlite(trx) ? await sqliteOf(trx) : null
    const pace = pacer()
    if (sql) {
      const known = sql(
        'SELECT 1 AS "known" FROM "alert_signal_ids" WHERE "source" = ? AND "external_id" = ?'
      )
      for (const signal of withIds) {
        if (known.get(signal.source, signal.externalId)) seenIds.add(idKey(signal))
        await pace()
      }
    }
    for (const group of sql ? [] : chunks(withIds)) {
      const rows = await trx
        .from('alert_signal_ids')
        .whereIn(
          'external_id',
          group.map((s) => s.externalId!)
        )
        .select('source', 'external_id')
      for (const row of rows) seenIds.add(`${row.source}\u0000${row.external_id}`)
      await breathe()
    }

    // 2. Devices and their maintenance windows.
    const devices = await this.#devices(
      trx,
      signals.map((s) => s.deviceId ?? null)
    )
    let earliest = Number.POSITIVE_INFINITY
    let latest = Number.NEGATIVE_INFINITY
    for (const signal of signals) {
      const at = signal.occurredAt.getTime()
      if (at < earliest) earliest = at
      if (at > latest) latest = at
    }
    const windows = await this.#maintenance(trx, [...devices.keys()], earliest, latest)

    // 3. The live alert of every condition, and the conditions' flap histories.
    const keys = [...new Set(signals.map((s) => s.conditionKey))]
    const live = new Map<string, AlertRow>()
    const histories = new Map<string, ConditionHistory>()
    await this.#liveAndHistories(trx, sql, keys, live, histories)
    const dirtyHistories = new Set<string>()
    const newIds: Array<{ source: string; external_id: string; alertKey: string }> = []
    const pendingByKey = new Map<string, AlertRow>()

    for (const signal of signals) {
      await pace()
      const at = signal.occurredAt.getTime()
      if (signal.externalId) {
        const key = idKey(signal)
        if (seenIds.has(key)) {
          outcome.duplicates++
          continue
        }
        seenIds.add(key)
      }
      const deviceWindows = signal.deviceId ? windows.get(signal.deviceId) : undefined
      if (deviceWindows?.some(([from, to]) => from <= at && at < to)) {
        outcome.suppressed++
        continue
      }

      const category = normaliseSubcategory(signal.category)
      const fault = isFaultCategory(category)
      if (fault) {
        const result = observe(
          histories.get(signal.conditionKey) ?? emptyHistory(),
          true,
          at,
          this.flap
        )
        histories.set(signal.conditionKey, result.history)
        if (result.changed || result.startedFlapping || result.stoppedFlapping) {
          dirtyHistories.add(signal.conditionKey)
        }
      }
      const flapping = fault && histories.get(signal.conditionKey)!.isFlapping

      const pending = pendingByKey.get(signal.conditionKey)
      let row = live.get(signal.conditionKey)
      if (pending) {
        pending.count = Number(pending.count) + 1
        if (at < ms(pending.first_seen_at)) pending.first_seen_at = sqlTime(at)
        if (at > ms(pending.last_seen_at)) pending.last_seen_at = sqlTime(at)
      } else if (row) {
        const touch = this.#touch(touches, row)
        touch.signals++
        touch.firstSeen = Math.min(touch.firstSeen, at)
        touch.lastSeen = Math.max(touch.lastSeen, at)
        if (Boolean(row.is_flapping) !== flapping && fault) {
          row.is_flapping = flapping
          touch.events.push({ type: 'flapping', at: signal.occurredAt, details: { flapping } })
          touch.dirty = true
        }
      } else {
        row = this.#newRow(signal, category, devices.get(signal.deviceId ?? -1) ?? null)
        row.is_flapping = flapping
        pendingByKey.set(signal.conditionKey, row)
        outcome.created++
      }
      if (signal.externalId) {
        newIds.push({
          source: signal.source,
          external_id: signal.externalId,
          alertKey: signal.conditionKey,
        })
      }
    }

    // 4. New alerts: insert, then link children behind an unreachable parent.
    // Many rows per INSERT; their ids are read back by open_key (unique while live).
    const stamp = sqlTime(Date.now())
    if (sql) {
      for (const row of pendingByKey.values()) {
        const values: Record<string, unknown> = { ...row, created_at: stamp, updated_at: stamp }
        delete values.id
        const columns = Object.keys(values)
        const result = sql(insertSql('alerts', columns)).run(
          columns.map((c) => bindable(values[c]))
        )
        row.id = Number(result.lastInsertRowid)
        live.set(row.condition_key, row)
        this.#touch(touches, row, true).events.push(raisedEvent(row))
        await pace()
      }
    }
    for (const group of sql ? [] : chunks([...pendingByKey.values()], INSERT_CHUNK)) {
      await trx.table('alerts').multiInsert(
        group.map((row) => {
          const values: Partial<AlertRow> = { ...row }
          delete values.id
          return { ...values, created_at: stamp, updated_at: stamp }
        })
      )
      const ids = await trx
        .from('alerts')
        .whereIn(
          'open_key',
          group.map((row) => row.condition_key)
        )
        .select('id', 'open_key')
      const idByKey = new Map(ids.map((r) => [r.open_key as string, Number(r.id)]))
      for (const row of group) {
        row.id = idByKey.get(row.condition_key)!
        live.set(row.condition_key, row)
        this.#touch(touches, row, true).events.push(raisedEvent(row))
      }
      await breathe()
    }
    const linked = await this.#suppressBehindParents(trx, [...pendingByKey.values()], touches)
    outcome.linked = linked

    for (const touch of touches.values()) {
      if (!touch.created && touch.signals > 0) outcome.updated++
    }

    // 5. Sender event ids, flap histories, timeline, audit.
    if (sql) {
      const insert = sql(insertSql('alert_signal_ids', ['source', 'external_id', 'alert_id']))
      for (const item of newIds) {
        insert.run(item.source, item.external_id, live.get(item.alertKey)!.id)
        await pace()
      }
    }
    for (const group of sql ? [] : chunks(newIds)) {
      await trx.table('alert_signal_ids').multiInsert(
        group.map((item) => ({
          source: item.source,
          external_id: item.external_id,
          alert_id: live.get(item.alertKey)!.id,
        }))
      )
      await breathe()
    }
    const now = new Date()
    for (const key of dirtyHistories) await this.#writeHistory(trx, key, histories.get(key)!, now)
    const changes = await this.#flush(trx, touches)
    return { outcome, changes }
  }

  async #recover(keys: string[], at: Date, trx: TransactionClientContract) {
    const touches = new Map<number, Touch>()
    const live = new Map<string, AlertRow>()
    const histories = new Map<string, ConditionHistory>()
    const sql = isSqlite(trx) ? await sqliteOf(trx) : null
    await this.#liveAndHistories(trx, sql, keys, live, histories)
    let resolved = 0
    for (const key of keys) {
      const row = live.get(key)
      // Threats need a human: their conditions never clear on their own.
      if (row && !isFaultCategory(row.category)) continue
      const history = histories.get(key)
      if (!history && !row) continue
      const result = observe(
        history ?? { ...emptyHistory(), isProblem: true },
        false,
        at.getTime(),
        this.flap
      )
      if (result.changed || result.startedFlapping || result.stoppedFlapping || !history) {
        await this.#writeHistory(trx, key, result.history, at)
      }
      if (!row) continue
      // Already resolved above, with its parent (a parent's key may come first).
      if (touches.get(row.id)?.row.open_key === null) continue
      const touch = this.#touch(touches, row)
      if (result.history.isFlapping) {
        if (!row.is_flapping) {
          row.is_flapping = true
          touch.dirty = true
          touch.events.push({ type: 'flapping', at, details: { flapping: true } })
        }
        continue
      }
      if (row.is_flapping) row.is_flapping = false
      resolved += await this.#autoResolve(trx, touch, at, touches)
    }
    const changes = await this.#flush(trx, touches)
    return { resolved, changes }
  }

  /**
   * Resolves a fault alert whose condition cleared. A parent's suppressed children are
   * re-evaluated: a child whose device is still down becomes an alert of its own, the others
   * resolve with their parent.
   */
  async #autoResolve(
    trx: TransactionClientContract,
    touch: Touch,
    at: Date,
    touches: Map<number, Touch>
  ): Promise<number> {
    const row = touch.row
    row.state = transition(row.state, 'auto_resolve')
    row.open_key = null
    touch.resolvedAt = Math.max(at.getTime(), ms(row.first_seen_at))
    touch.dirty = true
    touch.events.push({ type: 'resolved', at, details: { auto: true } })
    touch.changes.push({ type: 'resolved', alertId: row.id, grade: gradeOf(row.grade), at })
    let count = 1

    const children = (await trx
      .from('alerts')
      .where('parent_alert_id', row.id)
      .where('state', 'suppressed')) as AlertRow[]
    if (children.length === 0) return count
    const deviceIds = children.map((c) => c.device_id).filter((id): id is number => id !== null)
    const down = new Set<number>()
    for (const group of chunks(deviceIds)) {
      const states = await trx
        .from('device_states')
        .whereIn('device_id', group)
        .where('status', 'down')
        .select('device_id')
      for (const state of states) down.add(Number(state.device_id))
    }
    for (const child of children) {
      // Resolved on its own key earlier in this transaction (not flushed yet).
      if (touches.get(child.id)?.row.open_key === null) continue
      const childTouch = this.#touch(touches, child)
      childTouch.dirty = true
      if (child.device_id !== null && down.has(Number(child.device_id))) {
        child.state = transition(child.state, 'promote')
        childTouch.events.push({ type: 'raised', at, details: { parentRecovered: row.id } })
        childTouch.changes.push({
          type: 'raised',
          alertId: child.id,
          grade: gradeOf(child.grade),
          at,
        })
      } else {
        child.state = transition(child.state, 'auto_resolve')
        child.open_key = null
        childTouch.resolvedAt = Math.max(at.getTime(), ms(child.first_seen_at))
        childTouch.events.push({ type: 'resolved', at, details: { auto: true, parent: row.id } })
        count++
      }
    }
    return count
  }

  /**
   * One alert for one cause: a new unreachable alert whose parent device (transitively) has a
   * live unreachable alert is suppressed and linked to the root one; a new parent alert takes
   * over its children's open unreachable alerts. Returns how many alerts were linked.
   */
  async #suppressBehindParents(
    trx: TransactionClientContract,
    created: AlertRow[],
    touches: Map<number, Touch>
  ) {
    const unreachable = created.filter((r) => r.rule === UNREACHABLE_RULE && r.device_id !== null)
    if (unreachable.length === 0) return 0

    // The device tree above the new alerts' devices (a few levels: county → town → village).
    const parentOf = new Map<number, number | null>()
    let frontier = unreachable.map((r) => Number(r.device_id))
    for (let depth = 0; depth < 6 && frontier.length > 0; depth++) {
      const next: number[] = []
      for (const group of chunks(frontier.filter((id) => !parentOf.has(id)))) {
        const rows = await trx
          .from('network_devices')
          .whereIn('id', group)
          .select('id', 'parent_device_id')
        for (const row of rows) {
          const parent = row.parent_device_id === null ? null : Number(row.parent_device_id)
          parentOf.set(Number(row.id), parent)
          if (parent !== null && !parentOf.has(parent)) next.push(parent)
        }
      }
      frontier = next
    }
    const ancestors = [...new Set([...parentOf.values()].filter((id): id is number => id !== null))]
    const liveByDevice = new Map<number, AlertRow>()
    for (const group of chunks(ancestors)) {
      const rows = await trx
        .from('alerts')
        .where('rule', UNREACHABLE_RULE)
        .whereNotNull('open_key')
        .whereIn('device_id', group)
      for (const row of rows) liveByDevice.set(Number(row.device_id), row as AlertRow)
    }
    for (const row of unreachable) liveByDevice.set(Number(row.device_id), row)

    /** The live alert highest up the chain of a device's ancestors (the root cause). */
    const rootFor = (deviceId: number): AlertRow | null => {
      let root: AlertRow | null = null
      let current = parentOf.get(deviceId) ?? null
      for (let depth = 0; current !== null && depth < 6; depth++) {
        const alert = liveByDevice.get(current)
        if (alert && alert.state !== 'suppressed') root = alert
        else if (alert?.parent_alert_id) root = null
        current = parentOf.get(current) ?? null
      }
      return root
    }

    let linked = 0
    const parents = new Set<AlertRow>()
    const link = (child: AlertRow, parent: AlertRow, at: Date) => {
      const touch = this.#touch(touches, child)
      child.state = transition(child.state, 'suppress')
      child.parent_alert_id = parent.id
      touch.dirty = true
      touch.events.push({ type: 'suppressed', at, details: { parent: parent.id } })
      // A suppressed child is nobody's news: drop its 'raised' change.
      touch.changes = touch.changes.filter((c) => c.type !== 'raised')
      parents.add(parent)
      linked++
    }
    for (const row of unreachable) {
      const root = rootFor(Number(row.device_id))
      if (root && row.state === 'open') link(row, root, new Date(ms(row.first_seen_at)))
    }
    // Children already open before their parent's alert: the parent takes them over.
    const newParents = unreachable.filter((r) => r.state !== 'suppressed')
    for (const group of chunks(newParents)) {
      const childDevices = await trx
        .from('network_devices')
        .whereIn(
          'parent_device_id',
          group.map((r) => Number(r.device_id))
        )
        .select('id', 'parent_device_id')
      if (childDevices.length === 0) continue
      const byDevice = new Map(group.map((r) => [Number(r.device_id), r]))
      const parentOfChild = new Map(
        childDevices.map((d) => [Number(d.id), byDevice.get(Number(d.parent_device_id))!])
      )
      for (const idGroup of chunks([...parentOfChild.keys()])) {
        const openChildren = (await trx
          .from('alerts')
          .where('rule', UNREACHABLE_RULE)
          .where('state', 'open')
          .whereIn('device_id', idGroup)) as AlertRow[]
        for (const fromDb of openChildren) {
          // Rows linked a moment ago in this call are not written yet: trust memory first.
          const child = touches.get(fromDb.id)?.row ?? fromDb
          if (child.state !== 'open') continue
          const parent = parentOfChild.get(Number(child.device_id))!
          link(child, parent, new Date(ms(parent.first_seen_at)))
          const grandChildren = await trx
            .from('alerts')
            .where('parent_alert_id', child.id)
            .where('state', 'suppressed')
          for (const grandChild of grandChildren) {
            const touch = this.#touch(touches, grandChild as AlertRow)
            touch.row.parent_alert_id = parent.id
            touch.dirty = true
          }
        }
      }
    }

    // The parents' scope grew: count the sites behind them and regrade.
    for (const parent of parents) {
      // Linked before (in the table) and linked in this call (not written yet): their union.
      const stored = await trx
        .from('alerts')
        .where('parent_alert_id', parent.id)
        .where('state', 'suppressed')
        .whereNotNull('site_id')
        .distinct('site_id')
      const behind = new Set(stored.map((r) => Number(r.site_id)))
      for (const t of touches.values()) {
        if (t.row.parent_alert_id !== parent.id || t.row.site_id === null) continue
        if (t.row.state === 'suppressed') behind.add(Number(t.row.site_id))
      }
      behind.delete(Number(parent.site_id))
      const sites = behind.size
      const touch = this.#touch(touches, parent)
      touch.row.sites_affected = 1 + sites
      touch.dirty = true
    }
    return linked
  }

  #newRow(signal: AlertSignal, category: string, device: DeviceInfo | null): AlertRow {
    const at = signal.occurredAt.getTime()
    const raw =
      signal.rawType ??
      (normaliseSubcategory(signal.category) === signal.category ? null : signal.category)
    const grade = gradeFor({
      subcategory: category,
      criticality: device?.criticality ?? null,
      sites: 1,
      durationMinutes: 0,
    })
    const summary = signal.summary
    return {
      id: 0,
      condition_key: signal.conditionKey,
      open_key: signal.conditionKey,
      state: 'open',
      category_group: categoryOf(category).code,
      category,
      raw_type: raw ? raw.slice(0, RAW_TYPE_MAX) : null,
      grade,
      computed_grade: grade,
      grade_override_reason: null,
      device_id: signal.deviceId ?? null,
      site_id: signal.siteId ?? device?.siteId ?? null,
      unit_id: device?.unitId ?? null,
      interface_id: signal.interfaceId ?? null,
      source: signal.source,
      rule: signal.rule,
      external_id: signal.externalId ?? null,
      severity: signal.severity ?? null,
      summary_key: 'key' in summary ? summary.key : null,
      summary_params: 'key' in summary && summary.params ? JSON.stringify(summary.params) : null,
      summary_text: 'text' in summary ? summary.text.slice(0, SUMMARY_MAX) : null,
      details: signal.details ? JSON.stringify(signal.details) : null,
      count: 1,
      sites_affected: 1,
      first_seen_at: sqlTime(at),
      last_seen_at: sqlTime(at),
      parent_alert_id: null,
      is_flapping: false,
      src_ip: signal.srcIp ?? null,
      dst_ip: signal.dstIp ?? null,
    }
  }

  #touch(touches: Map<number, Touch>, row: AlertRow, created = false): Touch {
    let touch = touches.get(row.id)
    if (!touch) {
      touch = {
        row,
        created,
        signals: 0,
        firstSeen: ms(row.first_seen_at),
        lastSeen: ms(row.last_seen_at),
        // A created row is written as it is; only a later change (link, scope) rewrites it.
        dirty: false,
        events: [],
        changes: created
          ? [
              {
                type: 'raised',
                alertId: row.id,
                grade: gradeOf(row.grade),
                at: new Date(ms(row.first_seen_at)),
              },
            ]
          : [],
      }
      touches.set(row.id, touch)
    }
    return touch
  }

  /** Writes every touched alert, its timeline entries and audit events; returns the changes. */
  async #flush(trx: TransactionClientContract, touches: Map<number, Touch>) {
    const changes: AlertChange[] = []
    const timeline: Array<Record<string, unknown>> = []
    const audited = new Map<string, Array<{ id: number; details: Record<string, unknown> }>>()
    const updates: Array<{ id: number; values: Record<string, unknown> }> = []
    const device = new Map<number, DeviceInfo>()
    const deviceIds = [...touches.values()]
      .map((t) => t.row.device_id)
      .filter((id): id is number => id !== null)
    for (const [id, info] of await this.#devices(trx, deviceIds)) device.set(id, info)

    const pace = pacer()
    for (const touch of touches.values()) {
      await pace()
      const tickOnly =
        touch.until !== undefined && !touch.dirty && touch.events.length === 0 && !touch.signals
      if (!touch.dirty && touch.events.length === 0 && touch.signals === 0 && !tickOnly) continue
      const row = touch.row
      const oldGrade = row.grade
      const oldComputed = row.computed_grade
      const oldFirstSeen = ms(row.first_seen_at)
      if (!touch.created && touch.signals > 0) {
        const before = Number(row.count)
        row.count = before + touch.signals
        if (repeatMilestone(before, row.count)) {
          touch.events.push({
            type: 'updated',
            at: new Date(touch.lastSeen),
            details: { signals: touch.signals, count: row.count },
          })
        }
      }
      const firstSeen = touch.firstSeen
      const lastSeen = Math.max(touch.lastSeen, firstSeen)
      const lasting = Math.max(lastSeen, touch.until ?? 0)
      const computed = gradeFor({
        subcategory: row.category,
        criticality:
          row.device_id !== null ? (device.get(row.device_id)?.criticality ?? null) : null,
        sites: Number(row.sites_affected),
        durationMinutes: (lasting - firstSeen) / 60_000,
      })
      if (tickOnly && computed === Number(oldComputed)) continue
      row.computed_grade = computed
      if (row.grade_override_reason === null) row.grade = computed
      // A mere repeat writes the count and the times only (no indexed column is rewritten).
      const repeatOnly =
        !touch.created &&
        !touch.dirty &&
        touch.resolvedAt === undefined &&
        row.grade === oldGrade &&
        computed === Number(oldComputed) &&
        firstSeen === oldFirstSeen
      const update: Record<string, unknown> = repeatOnly
        ? { count: row.count, last_seen_at: sqlTime(lastSeen), updated_at: sqlTime(Date.now()) }
        : {
            state: row.state,
            open_key: row.open_key,
            count: row.count,
            first_seen_at: sqlTime(firstSeen),
            last_seen_at: sqlTime(lastSeen),
            grade: row.grade,
            computed_grade: row.computed_grade,
            sites_affected: row.sites_affected,
            parent_alert_id: row.parent_alert_id,
            is_flapping: Boolean(row.is_flapping),
            updated_at: sqlTime(Date.now()),
          }
      if (touch.resolvedAt !== undefined) {
        update.resolved_at = sqlTime(touch.resolvedAt)
        update.resolved_by_id = null
      }
      const changedGrade = row.grade !== oldGrade
      if (
        !touch.created ||
        touch.dirty ||
        changedGrade ||
        touch.resolvedAt !== undefined ||
        touch.signals > 0
      ) {
        updates.push({ id: row.id, values: update })
      }

      if (!touch.created && touch.signals > 0) {
        touch.changes.push({
          type: 'updated',
          alertId: row.id,
          grade: gradeOf(row.grade),
          at: new Date(lastSeen),
        })
      }
      if (oldGrade !== row.grade && !touch.created) {
        touch.events.push({
          type: 'reclassified',
          at: new Date(lasting),
          details: { from: oldGrade, to: row.grade, auto: true },
        })
        touch.changes.push({
          type: 'reclassified',
          alertId: row.id,
          grade: gradeOf(row.grade),
          at: new Date(lasting),
        })
      }
      for (const event of touch.events) {
        timeline.push({
          alert_id: row.id,
          type: event.type,
          at: sqlTime(event.at.getTime()),
          actor_id: null,
          actor_name: null,
          details: JSON.stringify(event.details),
        })
        const action = auditActionFor(event.type)
        const list = audited.get(action) ?? []
        const summary = event.type === 'resolved' ? { count: Number(row.count) } : {}
        list.push({
          id: row.id,
          details: { ...event.details, ...summary, condition: row.condition_key },
        })
        audited.set(action, list)
      }
      for (const change of touch.changes) changes.push({ ...change, grade: gradeOf(row.grade) })
    }
    await this.#writeAlerts(trx, updates)
    if (isSqlite(trx)) {
      const sql = await sqliteOf(trx)
      const columns = ['alert_id', 'type', 'at', 'actor_id', 'actor_name', 'details']
      const insert = sql(insertSql('alert_events', columns))
      for (const entry of timeline) {
        insert.run(columns.map((c) => bindable(entry[c])))
        await pace()
      }
    } else {
      for (const group of chunks(timeline)) {
        await trx.table('alert_events').multiInsert(group)
        await breathe()
      }
    }
    await this.#audit(trx, audited)
    return changes
  }

  /**
   * Writes the touched alerts, one UPDATE by primary key each (measured faster on SQLite than
   * one UPDATE … CASE id … per 100 alerts), letting the event loop in every UPDATE_CHUNK.
   */
  async #writeAlerts(
    trx: TransactionClientContract,
    updates: Array<{ id: number; values: Record<string, unknown> }>
  ) {
    if (isSqlite(trx)) {
      const sql = await sqliteOf(trx)
      const pace = pacer()
      for (const { id, values } of updates) {
        const columns = Object.keys(values)
        sql(updateByIdSql('alerts', columns)).run(...columns.map((c) => bindable(values[c])), id)
        await pace()
      }
      return
    }
    for (const group of chunks(updates, UPDATE_CHUNK)) {
      for (const { id, values } of group) await trx.from('alerts').where('id', id).update(values)
      await breathe()
    }
  }

  /**
   * The system's alert events into the audit trail: one row for a lone event (with its
   * details), one row per AUDIT_CHUNK alerts of a storm (their ids), so a burst of 10,000
   * signals costs a few chained rows instead of 10,000 while every alert stays traceable.
   */
  async #audit(
    trx: TransactionClientContract,
    audited: Map<string, Array<{ id: number; details: Record<string, unknown> }>>
  ) {
    for (const [action, events] of audited) {
      if (events.length === 1) {
        await audit.record(
          {
            ...SYSTEM_ACTOR,
            action,
            targetType: 'alert',
            targetId: events[0].id,
            details: events[0].details,
          },
          trx
        )
        continue
      }
      for (const group of chunks(events, AUDIT_CHUNK)) {
        await audit.record(
          {
            ...SYSTEM_ACTOR,
            action,
            targetType: 'alert',
            details: { alerts: group.map((e) => e.id), count: group.length },
          },
          trx
        )
      }
    }
  }

  async #devices(trx: TransactionClientContract, ids: Array<number | null>) {
    const unique = [...new Set(ids.filter((id): id is number => id !== null && id !== undefined))]
    const result = new Map<number, DeviceInfo>()
    for (const group of chunks(unique)) {
      const rows = await trx
        .from('network_devices')
        .whereIn('id', group)
        .select('id', 'site_id', 'unit_id', 'parent_device_id', 'criticality')
      for (const row of rows) {
        result.set(Number(row.id), {
          id: Number(row.id),
          siteId: Number(row.site_id),
          unitId: row.unit_id === null ? null : Number(row.unit_id),
          parentDeviceId: row.parent_device_id === null ? null : Number(row.parent_device_id),
          criticality: row.criticality,
        })
      }
    }
    return result
  }

  /** Maintenance windows of the devices overlapping [from, to] as [start, end) epoch ms. */
  async #maintenance(
    trx: TransactionClientContract,
    deviceIds: number[],
    from: number,
    to: number
  ) {
    const result = new Map<number, Array<[number, number]>>()
    for (const group of chunks(deviceIds)) {
      const rows = await trx
        .from('maintenance_windows')
        .whereIn('device_id', group)
        .where('starts_at', '<=', sqlTime(to))
        .where('ends_at', '>', sqlTime(from))
        .select('device_id', 'starts_at', 'ends_at')
      for (const row of rows) {
        const id = Number(row.device_id)
        const list = result.get(id) ?? []
        list.push([ms(row.starts_at), ms(row.ends_at)])
        result.set(id, list)
      }
    }
    return result
  }

  #readHistory(row: { is_problem: unknown; is_flapping: unknown; changes: string }) {
    let changes: number[] = []
    try {
      const parsed = JSON.parse(row.changes)
      if (Array.isArray(parsed)) changes = parsed.filter((n) => typeof n === 'number')
    } catch {
      changes = []
    }
    return {
      isProblem: Boolean(row.is_problem),
      isFlapping: Boolean(row.is_flapping),
      changes,
    } satisfies ConditionHistory
  }

  async #writeHistory(
    trx: TransactionClientContract,
    key: string,
    history: ConditionHistory,
    at: Date
  ) {
    await trx
      .table('alert_conditions')
      .insert({
        condition_key: key,
        is_problem: history.isProblem,
        is_flapping: history.isFlapping,
        changes: JSON.stringify(history.changes),
        updated_at: sqlTime(at.getTime()),
      })
      .onConflict('condition_key')
      .merge()
  }
}

/** Timeline type → audit action name (audit.json: actions.alert.*). */
const AUDIT_ACTION: Record<string, string> = {
  raised: 'raise',
  updated: 'update',
  suppressed: 'suppress',
  flapping: 'flapping',
  acknowledged: 'acknowledge',
  assigned: 'assign',
  resolved: 'resolve',
  closed: 'close',
  reopened: 'reopen',
  reclassified: 'reclassify',
  note: 'note',
}

export function auditActionFor(eventType: string) {
  return `alert.${AUDIT_ACTION[eventType] ?? eventType}`
}

const store = new AlertStore()
export default store
