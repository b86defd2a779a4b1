import type { AlertSignal } from '#network_monitoring/alerts/contract'
import type { InterfaceRecord, PollRecord } from '#network_monitoring/services/poll_records'
import type { ThreatCounterDef } from '#network_monitoring/alerts/rules/threat_map'

/** A numeric setting of a rule: its default and the range the 告警规则 page accepts. */
export interface SettingSpec {
  key: string
  default: number
  min: number
  max: number
  /** Whole numbers only. */
  integer: boolean
  /** i18n key under alert_rules.units (percent, samples, seconds…). */
  unit: string
}

export type RuleSettings = Record<string, number>

/** What the engine knows about a device beyond the poll record (cached inventory). */
export interface DeviceMeta {
  id: number
  siteId: number | null
  deviceType: string
  parentDeviceId: number | null
}

/**
 * What rules remember about one device between polls (persisted as JSON):
 * streaks of consecutive samples, conditions currently raised (so recovery
 * is signalled once), the last uptime, the last threat counter values.
 */
export interface DeviceRuleState {
  uptime?: { ticks: number; atMs: number }
  streaks: Record<string, number>
  active: string[]
  threats?: Record<string, number>
}

/** The seasonal baseline of one interface (see anomaly_baseline.ts), kept apart: it is large. */
export type BaselineState = { in: number[]; out: number[] }

/** Everything a rule sees and may change while evaluating one record. */
export interface RuleContext {
  record: PollRecord
  device: DeviceMeta
  state: DeviceRuleState
  settings: RuleSettings
  /** Interface row id for an ifIndex (null when the inventory has no row yet). */
  interfaceId(ifIndex: number): number | null
  /** The interface's baseline, created on first use; marks it for saving. */
  baseline(ifIndex: number): BaselineState
  /** Threat counter definitions that apply to this device. */
  threatDefs(): Map<string, ThreatCounterDef>
  raise(signal: Omit<AlertSignal, 'source' | 'occurredAt' | 'deviceId' | 'siteId'>): void
  recover(conditionKey: string): void
  /** The state changed in a way worth saving (streaks, raised conditions, counters). */
  touch(): void
}

/** One alert rule (LibreNMS AlertRules style): a key, typed settings, an evaluation per record. */
export interface AlertRule {
  readonly key: string
  readonly settings: readonly SettingSpec[]
  evaluate(context: RuleContext): void
}

/** A device answered and its interfaces were read this time. */
export function interfacesOf(record: PollRecord): InterfaceRecord[] {
  return record.ok && record.interfacesPolled ? record.interfaces : []
}

/**
 * Counts consecutive samples of a condition and raises it when the streak
 * reaches `needed`; recovers it (once) when the condition clears.
 */
export function streak(
  context: RuleContext,
  key: () => string,
  holds: boolean,
  needed: number,
  signal: () => Omit<AlertSignal, 'source' | 'occurredAt' | 'deviceId' | 'siteId' | 'conditionKey'>
) {
  const { state } = context
  // The common case, nothing going on: no key built, nothing looked up.
  if (!holds && state.active.length === 0 && isEmpty(state.streaks)) return
  const conditionKey = key()
  if (holds) {
    const count = (state.streaks[conditionKey] ?? 0) + 1
    state.streaks[conditionKey] = count
    context.touch()
    // Raised once when the streak reaches `needed`; the open alert stands until recovery.
    if (count >= needed && !state.active.includes(conditionKey)) {
      state.active.push(conditionKey)
      context.raise({ ...signal(), conditionKey })
    }
    return
  }
  if (state.streaks[conditionKey] !== undefined) {
    delete state.streaks[conditionKey]
    context.touch()
  }
  const at = state.active.indexOf(conditionKey)
  if (at >= 0) {
    state.active.splice(at, 1)
    context.touch()
    context.recover(conditionKey)
  }
}

function isEmpty(object: Record<string, unknown>) {
  for (const key in object) return key === undefined
  return true
}

/** Setting spec shorthand. */
export function setting(
  key: string,
  defaultValue: number,
  min: number,
  max: number,
  unit: string,
  integer = true
): SettingSpec {
  return { key, default: defaultValue, min, max, unit, integer }
}
