import type { AlertRule, RuleContext } from '#network_monitoring/alerts/rules/rule'
import { summaryKey } from '#network_monitoring/alerts/rules/categories'

/** A counter jumping by millions (a vendor bug, a reset misread) still costs little. */
const MAX_SIGNALS_PER_POLL = 1000

/**
 * 威胁计数: a security appliance's threat counter went up → one threat
 * alert per device and threat type (one condition key), its count raised
 * by the increase. The first
 * reading only sets the baseline; a counter going down (reboot, reset)
 * resets it. Threats are not recovered: a person handles them.
 */
export default class ThreatCounterRule implements AlertRule {
  readonly key = 'threat_counter'
  readonly settings = []

  evaluate(context: RuleContext) {
    const { record, state } = context
    const counters = record.ok ? record.threatCounters : undefined
    if (!counters) return
    const last = state.threats ?? {}
    const next: Record<string, number> = {}
    let changed = state.threats === undefined
    for (const [oid, value] of Object.entries(counters)) {
      next[oid] = value
      const before = last[oid]
      if (before !== value) changed = true
      const def = context.threatDefs().get(oid)
      if (before === undefined || value <= before || !def) continue
      const increase = value - before
      // The sink counts one per signal: one signal per detection, under one condition key.
      const signal = {
        rule: this.key,
        conditionKey: `threat_counter:${def.category}:device:${record.deviceId}`,
        category: def.category,
        rawType: def.label,
        summary: {
          key: summaryKey(this.key),
          params: {
            device: record.deviceName,
            threat: def.category,
            label: def.label,
            count: increase,
          },
        },
        details: { count: increase, counterOid: oid, counter: value },
      }
      for (let n = Math.min(increase, MAX_SIGNALS_PER_POLL); n > 0; n--) context.raise(signal)
    }
    if (!changed) return
    state.threats = next
    context.touch()
  }
}
