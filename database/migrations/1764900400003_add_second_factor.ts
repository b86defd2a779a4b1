import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * TOTP second factor (RFC 6238): the secret is encrypted with APP_KEY, the
 * last accepted time step blocks replays, recovery codes are stored as keyed
 * hashes and used once. A reset of the second factor of an auditor, netadmin
 * or sysadmin is a request that a second sysadmin approves.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('users', (table) => {
      table.text('totp_secret').nullable()
      table.text('totp_pending_secret').nullable()
      table.timestamp('totp_enabled_at').nullable()
      table.bigint('totp_last_step').nullable()
      table.integer('login_epoch').notNullable().defaultTo(0)
    })

    this.schema.createTable('user_recovery_codes', (table) => {
      table.increments('id')
      table
        .integer('user_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
      table.string('code_hash', 64).notNullable().unique()
      table.timestamp('used_at').nullable()
      table.timestamp('created_at').notNullable()
      table.index(['user_id'])
    })

    this.schema.createTable('mfa_reset_requests', (table) => {
      table.increments('id')
      table.integer('target_id').unsigned().notNullable().references('id').inTable('users')
      table.integer('requested_by').unsigned().notNullable().references('id').inTable('users')
      table.string('reason', 200).notNullable()
      table.string('state', 16).notNullable().defaultTo('pending')
      table.integer('decided_by').unsigned().nullable().references('id').inTable('users')
      table.timestamp('decided_at').nullable()
      table.timestamp('created_at').notNullable()
      table.index(['state'])
      table.index(['target_id'])
    })
  }

  async down() {
    this.schema.dropTable('mfa_reset_requests')
    this.schema.dropTable('user_recovery_codes')
    this.schema.alterTable('users', (table) => {
      table.dropColumn('totp_secret')
      table.dropColumn('totp_pending_secret')
      table.dropColumn('totp_enabled_at')
      table.dropColumn('totp_last_step')
      table.dropColumn('login_epoch')
    })
  }
}
