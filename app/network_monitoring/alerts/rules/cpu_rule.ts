import {
  setting,
  streak,
  type AlertRule,
  type RuleContext,
} from '#network_monitoring/alerts/rules/rule'
import { RULE_CATEGORIES, summaryKey } from '#network_monitoring/alerts/rules/categories'

/** CPU 负载过高: mean processor load ≥ X % for K consecutive polls. */
export default class CpuRule implements AlertRule {
  readonly key = 'cpu'
  readonly settings = [
    setting('thresholdPercent', 90, 1, 100, 'percent'),
    setting('samples', 3, 1, 60, 'samples'),
  ]

  evaluate(context: RuleContext) {
    const { record, settings } = context
    if (!record.ok || record.cpuLoad === null) return
    const load = record.cpuLoad
    streak(
      context,
      () => `cpu:device:${record.deviceId}`,
      load >= settings.thresholdPercent,
      settings.samples,
      () => ({
        rule: this.key,
        category: RULE_CATEGORIES.cpu,
        summary: {
          key: summaryKey(this.key),
          params: { device: record.deviceName, percent: load },
        },
        details: { load, threshold: settings.thresholdPercent },
      })
    )
  }
}
