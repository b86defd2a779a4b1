import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * 值班表: shifts (who, from, to, phone, kind), swaps with their reason, 重点敏感时期, the
 * notification settings, and one notification state per alert (escalation level, digest).
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('duty_shifts', (table) => {
      table.increments('id')
      table.integer('user_id').unsigned().notNullable().references('id').inTable('users')
      /** primary 值班员 | secondary 副班 (the next person) | leader 带班领导 */
      table.string('kind', 16).notNullable().defaultTo('primary')
      table.timestamp('starts_at').notNullable()
      table.timestamp('ends_at').notNullable()
      table.string('phone', 40).nullable()
      table.string('note', 200).nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['starts_at', 'ends_at'], 'duty_shifts_time_index')
      table.index(['user_id', 'starts_at'], 'duty_shifts_user_index')
    })

    this.schema.createTable('duty_swaps', (table) => {
      table.increments('id')
      table
        .integer('shift_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('duty_shifts')
        .onDelete('CASCADE')
      table.integer('from_user_id').unsigned().notNullable().references('id').inTable('users')
      table.integer('to_user_id').unsigned().notNullable().references('id').inTable('users')
      table.string('reason', 500).notNullable()
      table.integer('created_by_id').unsigned().nullable().references('id').inTable('users')
      table.timestamp('created_at').notNullable()
    })

    this.schema.createTable('sensitive_periods', (table) => {
      table.increments('id')
      table.string('name', 100).notNullable()
      table.timestamp('starts_at').notNullable()
      table.timestamp('ends_at').notNullable()
      table.integer('created_by_id').unsigned().nullable().references('id').inTable('users')
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['starts_at', 'ends_at'], 'sensitive_periods_time_index')
    })

    this.schema.createTable('duty_settings', (table) => {
      table.string('key', 64).primary()
      table.string('value', 500).notNullable()
      table.timestamp('updated_at').notNullable()
    })

    this.schema.createTable('alert_notifications', (table) => {
      table.increments('id')
      table.integer('alert_id').unsigned().notNullable().unique()
      table.integer('grade').notNullable()
      table.boolean('sensitive').notNullable().defaultTo(false)
      /** 0 = on-duty staff mailed, 1 = the next person, 2 = the leader */
      table.integer('level').notNullable().defaultTo(0)
      /** mailed | digest (waits for the storm digest) | skipped (below the grade threshold) */
      table.string('mode', 16).notNullable()
      table.boolean('open').notNullable().defaultTo(true)
      table.timestamp('next_escalation_at').nullable()
      table.timestamp('raised_at').notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['open', 'next_escalation_at'], 'alert_notifications_due_index')
      table.index(['mode', 'created_at'], 'alert_notifications_mode_index')
    })
  }

  async down() {
    this.schema.dropTable('alert_notifications')
    this.schema.dropTable('duty_settings')
    this.schema.dropTable('sensitive_periods')
    this.schema.dropTable('duty_swaps')
    this.schema.dropTable('duty_shifts')
  }
}
