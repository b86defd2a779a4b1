import {
  interfacesOf,
  setting,
  streak,
  type AlertRule,
  type RuleContext,
} from '#network_monitoring/alerts/rules/rule'
import { RULE_CATEGORIES, summaryKey } from '#network_monitoring/alerts/rules/categories'
import {
  hourOf,
  observe,
  type BaselineSettings,
} from '#network_monitoring/alerts/rules/anomaly_baseline'

/**
 * 流量异常 (possible DDoS, worm, scan): an interface's traffic far above its
 * own seasonal baseline (anomaly_baseline.ts) for K consecutive samples.
 */
export default class AnomalyRule implements AlertRule {
  readonly key = 'anomaly'
  readonly settings = [
    setting('deviations', 4, 2, 20, 'deviations', false),
    setting('minRatio', 2, 1.2, 50, 'times', false),
    setting('minExcessMbps', 1, 0, 100000, 'mbps', false),
    setting('samples', 3, 1, 30, 'samples'),
    setting('learningSamples', 30, 5, 10000, 'samples'),
  ]

  evaluate(context: RuleContext) {
    const { record, settings } = context
    const baseline: BaselineSettings = {
      deviations: settings.deviations,
      minRatio: settings.minRatio,
      minExcessBps: settings.minExcessMbps * 1e6,
      learningSamples: settings.learningSamples,
      alpha: 0.05,
    }
    const hour = hourOf(record.takenAtMs)
    for (const row of interfacesOf(record)) {
      const rates = row.rates
      if (!rates || rates.inBps === null || rates.outBps === null) continue
      if (row.adminStatus !== 1) continue
      const id = context.interfaceId(row.ifIndex)
      if (id === null) continue
      const profile = context.baseline(row.ifIndex)
      const inbound = observe(profile.in, hour, rates.inBps, baseline)
      const outbound = observe(profile.out, hour, rates.outBps, baseline)
      const worse = inbound.anomalous || !outbound.anomalous ? inbound : outbound
      const direction = worse === inbound ? 'in' : 'out'
      const bps = direction === 'in' ? rates.inBps : rates.outBps
      streak(
        context,
        () => `anomaly:iface:${id}`,
        inbound.anomalous || outbound.anomalous,
        settings.samples,
        () => ({
          rule: this.key,
          category: RULE_CATEGORIES.anomaly,
          rawType: 'traffic_anomaly',
          interfaceId: id,
          summary: {
            key: summaryKey(this.key),
            params: {
              device: record.deviceName,
              interface: row.name ?? row.descr ?? String(row.ifIndex),
              mbps: Math.round(bps / 1e4) / 100,
              expectedMbps: Math.round(worse.expected / 1e4) / 100,
            },
          },
          details: {
            ifIndex: row.ifIndex,
            direction,
            bps,
            expectedBps: worse.expected,
            thresholdBps: worse.threshold,
          },
        })
      )
    }
  }
}
