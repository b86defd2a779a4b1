import { setting, type AlertRule, type RuleContext } from '#network_monitoring/alerts/rules/rule'
import { RULE_CATEGORIES, summaryKey } from '#network_monitoring/alerts/rules/categories'

const WRAP_TICKS = 2 ** 32

/**
 * 设备重启: sysUpTime went back by more than the jitter allowance against
 * what the wall clock since the last answer predicts (a 497-day TimeTicks
 * wrap is not a reboot). Also trusts the poller's own reboot flag. An event:
 * nothing to recover.
 */
export default class RebootedRule implements AlertRule {
  readonly key = 'rebooted'
  readonly settings = [setting('jitterSeconds', 30, 1, 3600, 'seconds')]

  evaluate(context: RuleContext) {
    const { record, state, settings } = context
    const ticks = record.ok ? (record.system?.sysUpTimeTicks ?? null) : null
    if (ticks === null) return
    const before = state.uptime
    state.uptime = { ticks, atMs: record.takenAtMs }
    let rebooted = record.reboot
    if (before && record.takenAtMs > before.atMs) {
      const elapsedTicks = (record.takenAtMs - before.atMs) / 10
      const expected = before.ticks + elapsedTicks
      const wrapped =
        expected >= WRAP_TICKS && ticks < expected - WRAP_TICKS + 100 * settings.jitterSeconds
      if (!wrapped && ticks < before.ticks - 100 * settings.jitterSeconds) rebooted = true
    }
    if (!rebooted) return
    context.raise({
      rule: this.key,
      conditionKey: `rebooted:device:${record.deviceId}`,
      category: RULE_CATEGORIES.rebooted,
      summary: {
        key: summaryKey(this.key),
        params: { device: record.deviceName, uptime: Math.round(ticks / 100) },
      },
      details: {
        uptimeSeconds: Math.round(ticks / 100),
        previousUptimeSeconds: before ? Math.round(before.ticks / 100) : null,
      },
    })
  }
}
