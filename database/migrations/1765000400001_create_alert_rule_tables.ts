import { DateTime } from 'luxon'
import { BaseSchema } from '@adonisjs/lucid/schema'
import { DEFAULT_THREAT_COUNTERS } from '#network_monitoring/alerts/rules/threat_map'

/**
 * Alert rules (issue #11): each rule's settings (enabled + JSON values),
 * the state rules keep between polls (streaks, last counters, traffic
 * baselines) so a restart does not forget them, and the map from threat
 * counter OIDs (per vendor) to GB/T 20986 categories.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('alert_rule_settings', (table) => {
      table.string('rule', 32).primary()
      table.boolean('is_enabled').notNullable().defaultTo(true)
      table.text('settings').notNullable()
      table.timestamp('updated_at').notNullable()
    })

    this.schema.createTable('alert_rule_states', (table) => {
      table.string('state_key', 96).primary()
      table.text('value', 'mediumtext').notNullable()
      table.timestamp('updated_at').notNullable()
    })

    this.schema.createTable('alert_threat_counters', (table) => {
      table.increments('id')
      // sysObjectID prefix of the vendor/model ('' = every security device)
      table.string('vendor_oid', 128).notNullable().defaultTo('')
      table.string('counter_oid', 128).notNullable()
      table.string('category', 32).notNullable()
      table.string('label', 64).notNullable()
      table.boolean('is_enabled').notNullable().defaultTo(true)
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.unique(['vendor_oid', 'counter_oid'])
    })

    this.defer(async (db) => {
      const now = DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')
      await db.table('alert_threat_counters').multiInsert(
        DEFAULT_THREAT_COUNTERS.map((row) => ({
          vendor_oid: row.vendorOid,
          counter_oid: row.counterOid,
          category: row.category,
          label: row.label,
          is_enabled: true,
          created_at: now,
          updated_at: now,
        }))
      )
    })
  }

  async down() {
    this.schema.dropTable('alert_threat_counters')
    this.schema.dropTable('alert_rule_states')
    this.schema.dropTable('alert_rule_settings')
  }
}
