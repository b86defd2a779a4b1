import {
  interfacesOf,
  setting,
  streak,
  type AlertRule,
  type RuleContext,
} from '#network_monitoring/alerts/rules/rule'
import { RULE_CATEGORIES, summaryKey } from '#network_monitoring/alerts/rules/categories'

/** 带宽利用率过高: in or out utilisation ≥ X % for K consecutive samples. */
export default class UtilisationRule implements AlertRule {
  readonly key = 'utilisation'
  readonly settings = [
    setting('thresholdPercent', 90, 1, 100, 'percent'),
    setting('samples', 3, 1, 60, 'samples'),
  ]

  evaluate(context: RuleContext) {
    const { record, settings } = context
    for (const row of interfacesOf(record)) {
      if (!row.rates) continue
      const id = context.interfaceId(row.ifIndex)
      if (id === null) continue
      const percent = Math.max(row.rates.inUtilisation ?? 0, row.rates.outUtilisation ?? 0)
      streak(
        context,
        () => `utilisation:iface:${id}`,
        percent >= settings.thresholdPercent,
        settings.samples,
        () => ({
          rule: this.key,
          category: RULE_CATEGORIES.utilisation,
          interfaceId: id,
          summary: {
            key: summaryKey(this.key),
            params: {
              device: record.deviceName,
              interface: row.name ?? row.descr ?? String(row.ifIndex),
              percent: Math.round(percent),
            },
          },
          details: { ifIndex: row.ifIndex, percent, threshold: settings.thresholdPercent },
        })
      )
    }
  }
}
