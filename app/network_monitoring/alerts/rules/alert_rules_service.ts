import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import audit, { type AuditActor } from '#core/audit/audit_service'
import { ruleByKey, type RulesConfig } from '#network_monitoring/alerts/rules/rule_registry'
import { loadRulesConfig } from '#network_monitoring/alerts/rules/db_rule_backend'
import { ruleEngine } from '#network_monitoring/alerts/rules/rules_service'
import { refreshSecurityTargets } from '#network_monitoring/snmp/modules/threats'

const now = () => DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')

export interface ThreatCounterRow {
  id: number
  vendorOid: string
  counterOid: string
  category: string
  label: string
  isEnabled: boolean
}

export interface ThreatCounterInput {
  vendorOid?: string
  counterOid: string
  category: string
  label: string
}

/** A threat counter with this vendor prefix and OID exists already. */
export class DuplicateCounterError extends Error {}

/** Reading and changing the rules' settings and the threat map; every change is audited. */
export class AlertRulesService {
  config(): Promise<RulesConfig> {
    return loadRulesConfig()
  }

  async threatCounters(): Promise<ThreatCounterRow[]> {
    const rows = await db.from('alert_threat_counters').orderBy('counter_oid').orderBy('vendor_oid')
    return rows.map((row) => ({
      id: Number(row.id),
      vendorOid: row.vendor_oid,
      counterOid: row.counter_oid,
      category: row.category,
      label: row.label,
      isEnabled: Boolean(Number(row.is_enabled)),
    }))
  }

  /** Stores one rule's settings (already validated against their ranges) with the audit row. */
  async updateRule(
    key: string,
    next: { enabled: boolean; values: Record<string, number> },
    actor: AuditActor
  ) {
    const rule = ruleByKey(key)
    if (!rule) throw new RangeError(`no rule ${key}`)
    const values = Object.fromEntries(
      rule.settings.map((spec) => [spec.key, next.values[spec.key]])
    )
    await db.transaction(async (trx) => {
      const stored = await loadRulesConfig(trx)
      const before = stored[key]
      const row = { is_enabled: next.enabled, settings: JSON.stringify(values), updated_at: now() }
      const updated = await trx.from('alert_rule_settings').where('rule', key).update(row)
      if (Number(Array.isArray(updated) ? updated[0] : updated) === 0) {
        await trx.table('alert_rule_settings').insert({ rule: key, ...row })
      }
      await audit.record(
        {
          ...actor,
          action: 'alert_rules.update',
          targetType: 'alert_rule',
          targetId: null,
          details: { rule: key, before, after: { enabled: next.enabled, values } },
        },
        trx
      )
    })
    ruleEngine().invalidateConfig()
  }

  async addThreatCounter(input: ThreatCounterInput, actor: AuditActor) {
    const vendorOid = input.vendorOid ?? ''
    await db.transaction(async (trx) => {
      const existing = await trx
        .from('alert_threat_counters')
        .where('vendor_oid', vendorOid)
        .where('counter_oid', input.counterOid)
        .first()
      if (existing) throw new DuplicateCounterError()
      const [id] = await trx.table('alert_threat_counters').insert({
        vendor_oid: vendorOid,
        counter_oid: input.counterOid,
        category: input.category,
        label: input.label,
        is_enabled: true,
        created_at: now(),
        updated_at: now(),
      })
      await audit.record(
        {
          ...actor,
          action: 'alert_rules.counter_create',
          targetType: 'alert_threat_counter',
          targetId: typeof id === 'object' ? null : Number(id),
          details: { ...input, vendorOid },
        },
        trx
      )
    })
    await this.#changed()
  }

  /** Turns a counter on or off; false when it does not exist. */
  async toggleThreatCounter(id: number, actor: AuditActor) {
    const found = await db.transaction(async (trx) => {
      const row = await trx.from('alert_threat_counters').where('id', id).first()
      if (!row) return false
      const enabled = !Number(row.is_enabled)
      await trx
        .from('alert_threat_counters')
        .where('id', id)
        .update({ is_enabled: enabled, updated_at: now() })
      await audit.record(
        {
          ...actor,
          action: enabled ? 'alert_rules.counter_enable' : 'alert_rules.counter_disable',
          targetType: 'alert_threat_counter',
          targetId: id,
          details: {
            counterOid: row.counter_oid,
            vendorOid: row.vendor_oid,
            category: row.category,
          },
        },
        trx
      )
      return true
    })
    if (found) await this.#changed()
    return found
  }

  async #changed() {
    ruleEngine().invalidateConfig()
    await refreshSecurityTargets(true)
  }
}

export default new AlertRulesService()
