import {
  interfacesOf,
  setting,
  streak,
  type AlertRule,
  type RuleContext,
} from '#network_monitoring/alerts/rules/rule'
import { RULE_CATEGORIES, summaryKey } from '#network_monitoring/alerts/rules/categories'

const UP = 1
const DOWN = 2

/** 接口中断: administratively up but operationally down for K polls; up again recovers it. */
export default class InterfaceDownRule implements AlertRule {
  readonly key = 'if_down'
  readonly settings = [setting('samples', 1, 1, 30, 'samples')]

  evaluate(context: RuleContext) {
    const { record, settings } = context
    for (const row of interfacesOf(record)) {
      const id = context.interfaceId(row.ifIndex)
      if (id === null || row.operStatus === null) continue
      const holds = row.adminStatus === UP && row.operStatus === DOWN
      streak(
        context,
        () => `if_down:iface:${id}`,
        holds,
        settings.samples,
        () => ({
          rule: this.key,
          category: RULE_CATEGORIES.if_down,
          interfaceId: id,
          summary: {
            key: summaryKey(this.key),
            params: {
              device: record.deviceName,
              interface: row.name ?? row.descr ?? String(row.ifIndex),
            },
          },
          details: { ifIndex: row.ifIndex, alias: row.alias },
        })
      )
    }
  }
}
