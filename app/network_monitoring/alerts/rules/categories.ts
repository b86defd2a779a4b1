/**
 * GB/T 20986 sub-category codes the poll rules raise (the codes of
 * alerts/classification.ts). Threat counters carry their own, from the map.
 */
export const RULE_CATEGORIES = {
  unreachable: 'device_failure',
  rebooted: 'device_failure',
  if_down: 'device_failure',
  utilisation: 'device_failure',
  if_errors: 'device_failure',
  cpu: 'device_failure',
  anomaly: 'dos',
} as const

/** The i18n key of a rule signal's summary (lang alert_rules.json). */
export function summaryKey(rule: string) {
  return `alert_rules.summary.${rule}`
}
