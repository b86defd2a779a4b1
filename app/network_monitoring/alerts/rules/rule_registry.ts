import type { AlertRule, RuleSettings } from '#network_monitoring/alerts/rules/rule'
import UnreachableRule from '#network_monitoring/alerts/rules/unreachable_rule'
import RebootedRule from '#network_monitoring/alerts/rules/rebooted_rule'
import InterfaceDownRule from '#network_monitoring/alerts/rules/interface_down_rule'
import UtilisationRule from '#network_monitoring/alerts/rules/utilisation_rule'
import InterfaceErrorsRule from '#network_monitoring/alerts/rules/interface_errors_rule'
import CpuRule from '#network_monitoring/alerts/rules/cpu_rule'
import AnomalyRule from '#network_monitoring/alerts/rules/anomaly_rule'
import ThreatCounterRule from '#network_monitoring/alerts/rules/threat_counter_rule'

/** Every rule, in evaluation (and page) order. */
export const RULES: readonly AlertRule[] = [
  new UnreachableRule(),
  new RebootedRule(),
  new InterfaceDownRule(),
  new UtilisationRule(),
  new InterfaceErrorsRule(),
  new CpuRule(),
  new AnomalyRule(),
  new ThreatCounterRule(),
]

export const RULE_KEYS = RULES.map((rule) => rule.key)

export function ruleByKey(key: string): AlertRule | undefined {
  return RULES.find((rule) => rule.key === key)
}

/** One rule's effective configuration. */
export interface RuleConfig {
  enabled: boolean
  values: RuleSettings
}

export type RulesConfig = Record<string, RuleConfig>

/** Defaults of every rule (enabled, each setting at its default). */
export function defaultConfig(): RulesConfig {
  const config: RulesConfig = {}
  for (const rule of RULES) {
    config[rule.key] = {
      enabled: true,
      values: Object.fromEntries(rule.settings.map((spec) => [spec.key, spec.default])),
    }
  }
  return config
}

/** Stored values over the defaults; anything out of range or unknown keeps the default. */
export function mergeConfig(
  stored: Array<{ rule: string; enabled: boolean; values: Record<string, unknown> }>
): RulesConfig {
  const config = defaultConfig()
  for (const row of stored) {
    const rule = ruleByKey(row.rule)
    if (!rule) continue
    config[row.rule].enabled = row.enabled
    for (const spec of rule.settings) {
      const value = row.values[spec.key]
      if (typeof value !== 'number' || !Number.isFinite(value)) continue
      if (value < spec.min || value > spec.max) continue
      if (spec.integer && !Number.isInteger(value)) continue
      config[row.rule].values[spec.key] = value
    }
  }
  return config
}
