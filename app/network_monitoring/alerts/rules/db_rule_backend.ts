import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { RuleBackend } from '#network_monitoring/alerts/rules/rule_engine'
import type { DeviceMeta } from '#network_monitoring/alerts/rules/rule'
import { mergeConfig, type RulesConfig } from '#network_monitoring/alerts/rules/rule_registry'
import type { ThreatCounterDef } from '#network_monitoring/alerts/rules/threat_map'

/** Rows per statement: keeps each write short (SQLite writes block the event loop). */
const CHUNK = 200

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Reads settings from alert_rule_settings, with every value checked against its range. Inside a
 * transaction pass its client: on SQLite a read on another connection waits for the writer
 * forever (the settings page froze the whole server).
 */
export async function loadRulesConfig(client?: TransactionClientContract): Promise<RulesConfig> {
  const rows: Array<{ rule: string; is_enabled: unknown; settings: string }> = await (client ?? db)
    .from('alert_rule_settings')
    .select('rule', 'is_enabled', 'settings')
  return mergeConfig(
    rows.map((row) => {
      let values: Record<string, unknown> = {}
      try {
        values = JSON.parse(row.settings) as Record<string, unknown>
      } catch {
        // unreadable: defaults
      }
      return { rule: row.rule, enabled: Boolean(Number(row.is_enabled)), values }
    })
  )
}

export async function loadThreatCounterDefs(enabledOnly = true): Promise<ThreatCounterDef[]> {
  const query = db
    .from('alert_threat_counters')
    .select('vendor_oid', 'counter_oid', 'category', 'label')
    .orderBy('id')
  if (enabledOnly) query.where('is_enabled', true)
  const rows: Array<{ vendor_oid: string; counter_oid: string; category: string; label: string }> =
    await query
  return rows.map((row) => ({
    vendorOid: row.vendor_oid,
    counterOid: row.counter_oid,
    category: row.category,
    label: row.label,
  }))
}

/** The rule engine's backend on the app database. */
export default class DbRuleBackend implements RuleBackend {
  async loadDevices(ids: number[]): Promise<DeviceMeta[]> {
    const out: DeviceMeta[] = []
    for (const part of chunks(ids, 500)) {
      const rows: Array<{
        id: number
        site_id: number | null
        device_type: string
        parent_device_id: number | null
      }> = await db
        .from('network_devices')
        .whereIn('id', part)
        .select('id', 'site_id', 'device_type', 'parent_device_id')
      for (const row of rows) {
        out.push({
          id: Number(row.id),
          siteId: row.site_id === null ? null : Number(row.site_id),
          deviceType: row.device_type,
          parentDeviceId: row.parent_device_id === null ? null : Number(row.parent_device_id),
        })
      }
    }
    return out
  }

  async loadInterfaces(deviceIds: number[]): Promise<Array<[number, number, number]>> {
    const out: Array<[number, number, number]> = []
    for (const part of chunks(deviceIds, 500)) {
      const rows: Array<{ id: number; device_id: number; if_index: number }> = await db
        .from('device_interfaces')
        .whereIn('device_id', part)
        .select('id', 'device_id', 'if_index')
      for (const row of rows)
        out.push([Number(row.device_id), Number(row.if_index), Number(row.id)])
    }
    return out
  }

  async loadStates(keys: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>()
    for (const part of chunks(keys, 500)) {
      const rows: Array<{ state_key: string; value: string }> = await db
        .from('alert_rule_states')
        .whereIn('state_key', part)
        .select('state_key', 'value')
      for (const row of rows) out.set(row.state_key, row.value)
    }
    return out
  }

  async saveStates(rows: Array<[string, string]>) {
    const now = DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')
    for (const [index, part] of chunks(rows, CHUNK).entries()) {
      if (index > 0) await yieldToLoop()
      await db
        .table('alert_rule_states')
        .multiInsert(part.map(([key, value]) => ({ state_key: key, value, updated_at: now })))
        .onConflict('state_key')
        .merge(['value', 'updated_at'])
    }
  }

  loadConfig() {
    return loadRulesConfig()
  }

  loadThreatDefs() {
    return loadThreatCounterDefs()
  }
}
