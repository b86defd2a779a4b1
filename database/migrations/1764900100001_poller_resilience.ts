import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Poller resilience (issue #8): per-module poll errors shown on the device
 * page, interfaces that vanished or were renumbered marked gone instead of
 * staying "up", and the table of @adonisjs/lock's database store (the
 * poll tick lock shared by every process).
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('device_states', (table) => {
      // JSON list of { module, code, message } from the last answered poll
      table.text('module_errors').nullable()
    })
    this.schema.alterTable('device_interfaces', (table) => {
      table.timestamp('gone_at').nullable()
    })
    this.schema.createTable('locks', (table) => {
      table.string('key', 255).notNullable().primary()
      table.string('owner').notNullable()
      table.bigint('expiration').unsigned().nullable()
    })
  }

  async down() {
    this.schema.dropTable('locks')
    this.schema.alterTable('device_interfaces', (table) => {
      table.dropColumn('gone_at')
    })
    this.schema.alterTable('device_states', (table) => {
      table.dropColumn('module_errors')
    })
  }
}
