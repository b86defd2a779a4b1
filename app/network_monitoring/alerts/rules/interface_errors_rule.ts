import {
  interfacesOf,
  setting,
  streak,
  type AlertRule,
  type RuleContext,
} from '#network_monitoring/alerts/rules/rule'
import { RULE_CATEGORIES, summaryKey } from '#network_monitoring/alerts/rules/categories'

/** 接口错包/丢包: errors or discards per second (in + out) over a threshold for K samples. */
export default class InterfaceErrorsRule implements AlertRule {
  readonly key = 'if_errors'
  readonly settings = [
    setting('errorsPerSecond', 5, 0.01, 100000, 'per_second', false),
    setting('discardsPerSecond', 50, 0.01, 100000, 'per_second', false),
    setting('samples', 3, 1, 60, 'samples'),
  ]

  evaluate(context: RuleContext) {
    const { record, settings } = context
    for (const row of interfacesOf(record)) {
      const rates = row.rates
      if (!rates) continue
      const id = context.interfaceId(row.ifIndex)
      if (id === null) continue
      const errors = (rates.inErrorsPs ?? 0) + (rates.outErrorsPs ?? 0)
      const discards = (rates.inDiscardsPs ?? 0) + (rates.outDiscardsPs ?? 0)
      const holds = errors >= settings.errorsPerSecond || discards >= settings.discardsPerSecond
      streak(
        context,
        () => `if_errors:iface:${id}`,
        holds,
        settings.samples,
        () => ({
          rule: this.key,
          category: RULE_CATEGORIES.if_errors,
          interfaceId: id,
          summary: {
            key: summaryKey(this.key),
            params: {
              device: record.deviceName,
              interface: row.name ?? row.descr ?? String(row.ifIndex),
              errors: Math.round(errors * 100) / 100,
              discards: Math.round(discards * 100) / 100,
            },
          },
          details: { ifIndex: row.ifIndex, errorsPerSecond: errors, discardsPerSecond: discards },
        })
      )
    }
  }
}
