/**
 * GB/T 20986 sub-category codes the poll rules raise (the codes of
 * alerts/classification.ts). Threat counters carry their own, from the map.
 */
export const RULE_CATEGORIES = {
  // 设备设施故障 → 软硬件故障 (§5.2.5): resolved when the condition clears
  unreachable: 'software_hardware_fault',
  rebooted: 'software_hardware_fault',
  if_down: 'software_hardware_fault',
  utilisation: 'software_hardware_fault',
  if_errors: 'software_hardware_fault',
  cpu: 'software_hardware_fault',
  // 网络攻击事件 → 流量异常 (§5.2.2): possible DDoS, worm or scan; a person handles it
  anomaly: 'traffic_anomaly',
} as const

/** The i18n key of a rule signal's summary (lang alert_rules.json). */
export function summaryKey(rule: string) {
  return `alert_rules.summary.${rule}`
}
