import { BaseSchema } from '@adonisjs/lucid/schema'

/** The auditor's list and CSV export page through one action by id (keyset, newest first). */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('audit_events', (table) => {
      table.index(['action', 'id'], 'audit_events_action_id_index')
    })
  }

  async down() {
    this.schema.alterTable('audit_events', (table) => {
      table.dropIndex(['action', 'id'], 'audit_events_action_id_index')
    })
  }
}
