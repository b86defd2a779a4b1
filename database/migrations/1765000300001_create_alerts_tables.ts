import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The alert store (告警): one row per problem, its timeline, its handling records (处置记录)
 * and the per-condition flap history.
 *
 * - `open_key` holds the condition key while the alert is open, acknowledged or suppressed and
 *   is NULL otherwise: its unique index makes "one open alert per condition" a database fact
 *   (NULLs never collide on SQLite or MySQL).
 * - Every sender event id is kept in alert_signal_ids, unique per source (the alert keeps the
 *   first one in external_id): a replayed id stores nothing new, even after a dedupe.
 * - Indexes follow the 告警中心 filters, each ending in the list order (first_seen_at, id), so
 *   a page of 1,000,000 rows is an index range scan.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('alerts', (table) => {
      table.increments('id')
      table.string('condition_key', 191).notNullable()
      table.string('open_key', 191).nullable().unique()
      table.string('state', 16).notNullable()
      table.string('category_group', 32).notNullable()
      table.string('category', 40).notNullable()
      table.string('raw_type', 200).nullable()
      table.tinyint('grade').unsigned().notNullable()
      table.tinyint('computed_grade').unsigned().notNullable()
      table.string('grade_override_reason', 500).nullable()
      table.integer('device_id').unsigned().nullable()
      table.integer('site_id').unsigned().nullable()
      table.integer('unit_id').unsigned().nullable()
      table.integer('interface_id').unsigned().nullable()
      table.string('source', 16).notNullable()
      table.string('rule', 32).notNullable()
      table.string('external_id', 128).nullable()
      table.integer('severity').nullable()
      table.string('summary_key', 100).nullable()
      table.text('summary_params').nullable()
      table.string('summary_text', 500).nullable()
      table.text('details').nullable()
      table.integer('count').unsigned().notNullable().defaultTo(1)
      table.integer('sites_affected').unsigned().notNullable().defaultTo(1)
      table.timestamp('first_seen_at').notNullable()
      table.timestamp('last_seen_at').notNullable()
      table.timestamp('acknowledged_at').nullable()
      table.integer('acknowledged_by_id').unsigned().nullable()
      table.timestamp('resolved_at').nullable()
      table.integer('resolved_by_id').unsigned().nullable()
      table.timestamp('closed_at').nullable()
      table.integer('closed_by_id').unsigned().nullable()
      table.integer('assignee_id').unsigned().nullable()
      table.integer('parent_alert_id').unsigned().nullable()
      table.boolean('is_flapping').notNullable().defaultTo(false)
      table.string('src_ip', 45).nullable()
      table.string('dst_ip', 45).nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()

      table.unique(['source', 'external_id'])
      table.index(['first_seen_at', 'id'])
      table.index(['state', 'first_seen_at', 'id'])
      table.index(['state', 'grade'])
      table.index(['grade', 'first_seen_at', 'id'])
      table.index(['category_group', 'first_seen_at', 'id'])
      table.index(['category', 'first_seen_at', 'id'])
      table.index(['site_id', 'first_seen_at', 'id'])
      table.index(['unit_id', 'first_seen_at', 'id'])
      table.index(['device_id', 'first_seen_at', 'id'])
      table.index(['parent_alert_id'])
      table.index(['condition_key', 'id'])
    })

    this.schema.createTable('alert_events', (table) => {
      table.bigIncrements('id')
      table
        .integer('alert_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('alerts')
        .onDelete('RESTRICT')
      table.string('type', 20).notNullable()
      table.timestamp('at').notNullable()
      table.integer('actor_id').unsigned().nullable()
      table.string('actor_name', 150).nullable()
      table.text('details').nullable()
      table.index(['alert_id', 'id'])
    })

    this.schema.createTable('alert_handling_records', (table) => {
      table.increments('id')
      table
        .integer('alert_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('alerts')
        .onDelete('RESTRICT')
      table.string('cause', 1000).notNullable()
      table.string('action', 2000).notNullable()
      table.text('evidence').nullable()
      table.string('attachment_path', 300).nullable()
      table.string('attachment_name', 200).nullable()
      table.integer('created_by_id').unsigned().nullable()
      table.string('created_by_name', 150).nullable()
      table.timestamp('created_at').notNullable()
      table.index(['alert_id', 'id'])
    })

    this.schema.createTable('alert_signal_ids', (table) => {
      table.bigIncrements('id')
      table.string('source', 16).notNullable()
      table.string('external_id', 128).notNullable()
      table
        .integer('alert_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('alerts')
        .onDelete('RESTRICT')
      table.unique(['source', 'external_id'])
      table.index(['alert_id'])
    })

    this.schema.createTable('alert_conditions', (table) => {
      table.string('condition_key', 191).primary()
      table.boolean('is_problem').notNullable().defaultTo(false)
      table.boolean('is_flapping').notNullable().defaultTo(false)
      table.text('changes').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['is_flapping'])
    })
  }

  async down() {
    this.schema.dropTable('alert_conditions')
    this.schema.dropTable('alert_signal_ids')
    this.schema.dropTable('alert_handling_records')
    this.schema.dropTable('alert_events')
    this.schema.dropTable('alerts')
  }
}
