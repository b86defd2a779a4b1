import type { AlertSignal, AlertSink } from '#network_monitoring/alerts/contract'
import type { PollRecord } from '#network_monitoring/services/poll_records'
import type {
  BaselineState,
  DeviceMeta,
  DeviceRuleState,
  RuleContext,
} from '#network_monitoring/alerts/rules/rule'
import {
  RULES,
  defaultConfig,
  type RulesConfig,
} from '#network_monitoring/alerts/rules/rule_registry'
import { emptyProfile } from '#network_monitoring/alerts/rules/anomaly_baseline'
import { definitionsFor, type ThreatCounterDef } from '#network_monitoring/alerts/rules/threat_map'

/** Where the engine loads inventory, settings and state from and saves state to. */
export interface RuleBackend {
  loadDevices(ids: number[]): Promise<DeviceMeta[]>
  /** Interface row ids of these devices: [deviceId, ifIndex, id]. */
  loadInterfaces(deviceIds: number[]): Promise<Array<[number, number, number]>>
  /** Stored state rows (device:<id>, baseline:<id>). */
  loadStates(keys: string[]): Promise<Map<string, string>>
  saveStates(rows: Array<[string, string]>): Promise<void>
  loadConfig(): Promise<RulesConfig>
  loadThreatDefs(): Promise<ThreatCounterDef[]>
}

export interface EngineOptions {
  now?: () => number
  /** Inventory and settings are re-read after this long (default 60 s). */
  refreshMs?: number
  /** Baselines are saved at most this often (default 5 min; they change on every poll). */
  baselineFlushMs?: number
}

export interface EvaluationResult {
  signals: AlertSignal[]
  recoveries: string[]
  /** Synchronous evaluation time of the batch, ms. */
  evaluationMs: number
}

/** Devices serialised and written per step of a flush. */
const FLUSH_SLICE = 100

interface DeviceEntry {
  meta: DeviceMeta | null
  metaAtMs: number
  interfaces: Map<number, number> | null
  interfacesAtMs: number
  state: DeviceRuleState
  baselines: Record<string, BaselineState>
  dirty: boolean
  baselineDirty: boolean
}

/**
 * Runs the alert rules over each committed batch of poll records
 * (subscribed through onPollWritten). Loads what it does not know yet in a
 * few batched queries, evaluates synchronously over memory, hands the
 * signals to the alert sink and saves the state rules keep. Maintenance
 * windows are checked before any rule. Never throws into the poller.
 */
export default class RuleEngine {
  readonly #backend: RuleBackend
  readonly #sink: () => AlertSink | null
  readonly #now: () => number
  readonly #refreshMs: number
  readonly #baselineFlushMs: number
  #devices = new Map<number, DeviceEntry>()
  #config: RulesConfig = defaultConfig()
  #threatDefs: ThreatCounterDef[] = []
  #configAtMs = Number.NEGATIVE_INFINITY
  #baselineSavedAtMs: number
  /** Last batch's evaluation time (ms), for benches and logs. */
  lastEvaluationMs = 0
  /** Running totals since start, for benches and logs. */
  readonly stats = {
    batches: 0,
    records: 0,
    signals: 0,
    recoveries: 0,
    created: 0,
    updated: 0,
    linked: 0,
    /** Synchronous evaluation time (ms). */
    evaluationMs: 0,
    /** Wall time of whole batches: loading, evaluating, raising alerts, saving state (ms). */
    wallMs: 0,
  }

  constructor(backend: RuleBackend, sink: () => AlertSink | null, options: EngineOptions = {}) {
    this.#backend = backend
    this.#sink = sink
    this.#now = options.now ?? Date.now
    this.#refreshMs = options.refreshMs ?? 60_000
    this.#baselineFlushMs = options.baselineFlushMs ?? 300_000
    this.#baselineSavedAtMs = this.#now()
  }

  /** Forgets everything held in memory (tests whose database was rolled back). */
  reset() {
    this.#devices.clear()
    this.invalidateConfig()
  }

  /** Settings changed (告警规则 page): re-read them before the next batch. */
  invalidateConfig() {
    this.#configAtMs = Number.NEGATIVE_INFINITY
  }

  /** The listener for onPollWritten: evaluate, signal, save. */
  async handle(records: readonly PollRecord[]) {
    const sink = this.#sink()
    if (!sink || records.length === 0) return null
    const started = performance.now()
    try {
      return await this.#handle(sink, records)
    } finally {
      this.stats.batches++
      this.stats.records += records.length
      this.stats.wallMs += performance.now() - started
    }
  }

  async #handle(sink: AlertSink, records: readonly PollRecord[]) {
    await this.prepare(records)
    const result = this.evaluate(records)
    this.stats.evaluationMs += result.evaluationMs
    this.stats.signals += result.signals.length
    this.stats.recoveries += result.recoveries.length
    if (result.signals.length > 0) {
      try {
        const outcome = await sink.raise(result.signals)
        this.stats.created += outcome.created
        this.stats.updated += outcome.updated
        this.stats.linked += outcome.linked ?? 0
      } catch (error) {
        // Not raised: forget they are active so the next poll raises them again.
        this.#forgetActive(result.signals)
        throw error
      } finally {
        await this.flush()
      }
    }
    if (result.recoveries.length > 0) {
      const at = new Date(Math.max(...records.map((record) => record.takenAtMs)))
      await sink.recover(result.recoveries, at)
    }
    if (result.signals.length === 0) await this.flush()
    return result
  }

  /** Loads settings, inventory and state the batch needs that are not in memory (or stale). */
  async prepare(records: readonly PollRecord[]) {
    const now = this.#now()
    if (now - this.#configAtMs >= this.#refreshMs) {
      this.#config = await this.#backend.loadConfig()
      this.#threatDefs = await this.#backend.loadThreatDefs()
      this.#configAtMs = now
    }
    const unknown: number[] = []
    const staleMeta: number[] = []
    const needInterfaces: number[] = []
    for (const record of records) {
      const entry = this.#devices.get(record.deviceId)
      if (!entry) {
        unknown.push(record.deviceId)
        continue
      }
      if (now - entry.metaAtMs >= this.#refreshMs) staleMeta.push(record.deviceId)
      if (record.interfaces.length > 0 && this.#missingInterface(entry, record, now)) {
        needInterfaces.push(record.deviceId)
      }
    }
    if (unknown.length > 0) {
      const keys = unknown.flatMap((id) => [`device:${id}`, `baseline:${id}`])
      const stored = await this.#backend.loadStates(keys)
      for (const id of new Set(unknown)) {
        this.#devices.set(id, {
          meta: null,
          metaAtMs: Number.NEGATIVE_INFINITY,
          interfaces: null,
          interfacesAtMs: Number.NEGATIVE_INFINITY,
          state: parseState(stored.get(`device:${id}`)),
          baselines: parseBaselines(stored.get(`baseline:${id}`)),
          dirty: false,
          baselineDirty: false,
        })
        staleMeta.push(id)
        needInterfaces.push(id)
      }
    }
    if (staleMeta.length > 0) {
      const loaded = await this.#backend.loadDevices([...new Set(staleMeta)])
      const metas = new Map(loaded.map((meta) => [meta.id, meta]))
      for (const id of new Set(staleMeta)) {
        const entry = this.#devices.get(id)!
        entry.meta = metas.get(id) ?? null
        entry.metaAtMs = now
      }
    }
    if (needInterfaces.length > 0) {
      const ids = [...new Set(needInterfaces)]
      const rows = await this.#backend.loadInterfaces(ids)
      for (const id of ids) {
        const entry = this.#devices.get(id)!
        entry.interfaces = new Map()
        entry.interfacesAtMs = now
      }
      for (const [deviceId, ifIndex, rowId] of rows) {
        this.#devices.get(deviceId)?.interfaces?.set(ifIndex, rowId)
      }
    }
  }

  /** Runs every enabled rule over the records (synchronous, memory only). */
  evaluate(records: readonly PollRecord[]): EvaluationResult {
    const started = performance.now()
    const signals: AlertSignal[] = []
    const recoveries: string[] = []
    const config = this.#config
    const threatDefs = this.#threatDefs
    const enabled = RULES.filter((rule) => config[rule.key]?.enabled !== false)
    for (const record of records) {
      const entry = this.#devices.get(record.deviceId)
      // Unknown to the inventory (deleted meanwhile): nothing to alert on.
      if (!entry?.meta) continue
      const meta = entry.meta
      if (record.inMaintenance) {
        // Checked before any rule: no signals; keep the uptime so a reboot inside the window is not news later.
        const ticks = record.ok ? (record.system?.sysUpTimeTicks ?? null) : null
        if (ticks !== null) entry.state.uptime = { ticks, atMs: record.takenAtMs }
        continue
      }
      const occurredAt = new Date(record.takenAtMs)
      let defs: Map<string, ThreatCounterDef> | null = null
      const context: RuleContext = {
        record,
        device: meta,
        state: entry.state,
        settings: {},
        interfaceId: (ifIndex) => entry.interfaces?.get(ifIndex) ?? null,
        baseline: (ifIndex) => {
          entry.baselineDirty = true
          const key = String(ifIndex)
          let baseline = entry.baselines[key]
          if (!baseline) {
            baseline = { in: emptyProfile(), out: emptyProfile() }
            entry.baselines[key] = baseline
          }
          return baseline
        },
        threatDefs: () => (defs ??= definitionsFor(threatDefs, record.system?.sysObjectId ?? null)),
        raise: (signal) =>
          signals.push({
            ...signal,
            source: signal.rule === 'threat_counter' ? 'counter' : 'rule',
            occurredAt,
            deviceId: record.deviceId,
            siteId: meta.siteId,
          }),
        recover: (conditionKey) => recoveries.push(conditionKey),
        touch: () => (entry.dirty = true),
      }
      for (const rule of enabled) {
        context.settings = config[rule.key].values
        rule.evaluate(context)
      }
    }
    const evaluationMs = performance.now() - started
    this.lastEvaluationMs = evaluationMs
    return { signals, recoveries, evaluationMs }
  }

  /**
   * Saves changed device states (every batch) and baselines (every few
   * minutes: they change on every poll), serialising and writing a slice at
   * a time with the event loop free in between.
   */
  async flush(force = false) {
    const now = this.#now()
    const saveBaselines = force || now - this.#baselineSavedAtMs >= this.#baselineFlushMs
    if (saveBaselines) this.#baselineSavedAtMs = now
    const due: Array<[number, DeviceEntry, 'device' | 'baseline']> = []
    for (const [id, entry] of this.#devices) {
      if (entry.dirty) {
        entry.dirty = false
        due.push([id, entry, 'device'])
      }
      if (saveBaselines && entry.baselineDirty) {
        entry.baselineDirty = false
        due.push([id, entry, 'baseline'])
      }
    }
    for (let start = 0; start < due.length; start += FLUSH_SLICE) {
      if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve))
      const rows = due
        .slice(start, start + FLUSH_SLICE)
        .map(([id, entry, kind]): [string, string] =>
          kind === 'device'
            ? [`device:${id}`, JSON.stringify(entry.state)]
            : [`baseline:${id}`, JSON.stringify(entry.baselines)]
        )
      await this.#backend.saveStates(rows)
    }
  }

  /** The in-memory state of a device (tests and the settings page). */
  stateOf(deviceId: number): DeviceRuleState | null {
    return this.#devices.get(deviceId)?.state ?? null
  }

  #missingInterface(entry: DeviceEntry, record: PollRecord, now: number) {
    if (!entry.interfaces) return true
    if (now - entry.interfacesAtMs < this.#refreshMs) return false
    return record.interfaces.some((row) => !entry.interfaces!.has(row.ifIndex))
  }

  #forgetActive(signals: AlertSignal[]) {
    for (const signal of signals) {
      const entry = signal.deviceId ? this.#devices.get(signal.deviceId) : undefined
      if (!entry) continue
      const at = entry.state.active.indexOf(signal.conditionKey)
      if (at >= 0) entry.state.active.splice(at, 1)
    }
  }
}

function parseState(text: string | undefined): DeviceRuleState {
  const empty: DeviceRuleState = { streaks: {}, active: [] }
  if (!text) return empty
  try {
    const parsed = JSON.parse(text) as Partial<DeviceRuleState>
    return {
      uptime: parsed.uptime,
      streaks: parsed.streaks && typeof parsed.streaks === 'object' ? parsed.streaks : {},
      active: Array.isArray(parsed.active)
        ? parsed.active.filter((k) => typeof k === 'string')
        : [],
      threats: parsed.threats && typeof parsed.threats === 'object' ? parsed.threats : undefined,
    }
  } catch {
    return empty
  }
}

function parseBaselines(text: string | undefined): Record<string, BaselineState> {
  if (!text) return {}
  try {
    const parsed = JSON.parse(text) as Record<string, BaselineState>
    return parsed && typeof parsed === 'object' ? parsed : {}
  } catch {
    return {}
  }
}
