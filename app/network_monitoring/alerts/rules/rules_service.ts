import { alertSink, hasAlertSink, onPollWritten } from '#network_monitoring/alerts/contract'
import RuleEngine from '#network_monitoring/alerts/rules/rule_engine'
import DbRuleBackend from '#network_monitoring/alerts/rules/db_rule_backend'
import { refreshSecurityTargets } from '#network_monitoring/snmp/modules/threats'

let engine: RuleEngine | null = null
let unsubscribe: (() => void) | null = null

/** The process's rule engine (created on first use). */
export function ruleEngine(): RuleEngine {
  engine ??= new RuleEngine(new DbRuleBackend(), () => (hasAlertSink() ? alertSink() : null))
  return engine
}

/**
 * Subscribes the rule engine to committed poll batches (start/alert_rules.ts)
 * and keeps the threat module's list of security devices current. Idempotent.
 */
export function startAlertRules() {
  if (unsubscribe) return
  const rules = ruleEngine()
  const off = onPollWritten(async (records) => {
    await refreshSecurityTargets()
    await rules.handle(records)
  })
  unsubscribe = () => {
    off()
    unsubscribe = null
  }
}

export function stopAlertRules() {
  unsubscribe?.()
}
