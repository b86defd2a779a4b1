import { ModuleFailure, type PollModule } from '#network_monitoring/snmp/poll_module'
import { counter64Of, isBad } from '#network_monitoring/snmp/modules/values'
import type { SnmpTarget } from '#network_monitoring/snmp/transport'
import {
  DEFAULT_THREAT_COUNTERS,
  SECURITY_DEVICE_TYPES,
} from '#network_monitoring/alerts/rules/threat_map'

/**
 * What the threats module polls: the counter OIDs of the threat map and the
 * addresses (host:port) of security devices (防火墙, IPS/IDS, 防病毒网关).
 * Refreshed from the database by the alert rules at most once a minute.
 */
const config = {
  columns: DEFAULT_THREAT_COUNTERS.map((def) => def.counterOid),
  targets: new Set<string>(),
  loadedAtMs: Number.NEGATIVE_INFINITY,
}

const REFRESH_MS = 60_000

const addressOf = (target: Pick<SnmpTarget, 'host' | 'port'>) =>
  `${target.host}:${target.port ?? 161}`

/** Sets what the module polls (tests; the rules' refresh below in the app). */
export function configureThreatPolling(
  columns: string[],
  targets: Array<Pick<SnmpTarget, 'host' | 'port'>>
) {
  config.columns = [...new Set(columns)]
  config.targets = new Set(targets.map(addressOf))
}

/** Re-reads the security devices and the enabled counter OIDs (cheap; once a minute at most). */
export async function refreshSecurityTargets(force = false, nowMs = Date.now()) {
  if (!force && nowMs - config.loadedAtMs < REFRESH_MS) return
  config.loadedAtMs = nowMs
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const devices: Array<{ management_ip: string; snmp_port: number }> = await db
    .from('network_devices')
    .whereIn('device_type', [...SECURITY_DEVICE_TYPES])
    .select('management_ip', 'snmp_port')
  const counters: Array<{ counter_oid: string }> = await db
    .from('alert_threat_counters')
    .where('is_enabled', true)
    .distinct('counter_oid')
  configureThreatPolling(
    counters.map((row) => row.counter_oid),
    devices.map((row) => ({ host: row.management_ip, port: Number(row.snmp_port) }))
  )
}

/**
 * Threat counters of security appliances (the alert rules' threat map):
 * each configured counter OID walked as a column in the device's one
 * GETBULK stream (a scalar answers as its single .0 row; a table's rows are
 * summed). Only for security devices; a device without the vendor's MIB has
 * no rows and no error.
 */
export const threatsModule: PollModule<Record<string, number>> = {
  name: 'threats',
  scalars: [],
  get columns() {
    return config.columns
  },
  shouldPoll: (target) => config.columns.length > 0 && config.targets.has(addressOf(target)),
  async parse(view, _context, warn) {
    const columns = this.columns
    const error = view.errorOf(columns)
    if (error) throw new ModuleFailure(error.code, error.message)
    const counters: Record<string, number> = {}
    let bad = 0
    for (const oid of columns) {
      const column = view.column(oid)
      if (!column || column.length === 0) continue
      let sum = 0n
      let any = false
      for (let k = 0; k < column.length; k++) {
        const value = counter64Of(column.types[k], column.values[k])
        if (value === null) {
          if (isBad(column.types[k], value)) bad++
          continue
        }
        sum += value
        any = true
      }
      if (any) counters[oid] = Number(sum)
    }
    if (bad > 0) warn('E_SNMP_BAD_VALUE', `${bad} threat counter value(s) are not counters`)
    return counters
  },
}
