import { setting, type AlertRule, type RuleContext } from '#network_monitoring/alerts/rules/rule'
import { RULE_CATEGORIES, summaryKey } from '#network_monitoring/alerts/rules/categories'

/**
 * 设备不可达: N consecutive failed polls (default 2 — a device is not "down"
 * on its first miss). The count is the poller's own consecutive_failures,
 * so it survives restarts. The device answering again recovers it.
 */
export default class UnreachableRule implements AlertRule {
  readonly key = 'unreachable'
  readonly settings = [setting('failures', 2, 1, 20, 'polls')]

  evaluate(context: RuleContext) {
    const { record, state, settings } = context
    const conditionKey = `unreachable:device:${record.deviceId}`
    const active = state.active.indexOf(conditionKey)
    if (record.ok) {
      // previousStatus 'down' also covers an alert raised before a restart lost `active`.
      if (active >= 0 || record.previousStatus === 'down') {
        if (active >= 0) state.active.splice(active, 1)
        context.touch()
        context.recover(conditionKey)
      }
      return
    }
    if (record.consecutiveFailures < settings.failures || active >= 0) return
    state.active.push(conditionKey)
    context.touch()
    context.raise({
      rule: this.key,
      conditionKey,
      category: RULE_CATEGORIES.unreachable,
      summary: {
        key: summaryKey(this.key),
        params: { device: record.deviceName, failures: record.consecutiveFailures },
      },
      details: {
        failures: record.consecutiveFailures,
        errorCode: record.errorCode,
        parentDeviceId: context.device.parentDeviceId,
      },
    })
  }
}
