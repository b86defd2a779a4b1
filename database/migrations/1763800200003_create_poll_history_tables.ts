import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Time series: one row per poll, raw interface samples (kept hours), and
 * 5-minute / hourly rollups (kept months). Times are integer epoch seconds
 * (`ts`, `bucket_ts`): compact, and bucketing (`ts - ts % 300`) is the same
 * SQL on SQLite and MySQL. Primary keys lead with the series id, so "one
 * interface, last 24 h / 30 days" is a range scan of one key prefix; the
 * secondary time index serves rollups and retention deletes.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('device_polls', (table) => {
      table.integer('device_id').unsigned().notNullable()
      table.integer('ts').unsigned().notNullable()
      table.integer('duration_ms').unsigned().notNullable()
      table.boolean('ok').notNullable()
      table.boolean('in_maintenance').notNullable().defaultTo(false)
      table.string('error_code', 40).nullable()
      table.primary(['device_id', 'ts'])
      table.index(['ts'])
    })

    this.schema.createTable('interface_samples', (table) => {
      table.integer('interface_id').unsigned().notNullable()
      table.integer('ts').unsigned().notNullable()
      table.specificType('in_bps', 'float').nullable()
      table.specificType('out_bps', 'float').nullable()
      table.specificType('in_errors_ps', 'float').nullable()
      table.specificType('out_errors_ps', 'float').nullable()
      table.specificType('in_discards_ps', 'float').nullable()
      table.specificType('out_discards_ps', 'float').nullable()
      table.boolean('oper_up').notNullable()
      table.primary(['interface_id', 'ts'])
      table.index(['ts'])
    })

    this.schema.createTable('device_rollups', (table) => {
      table.integer('device_id').unsigned().notNullable()
      table.integer('resolution').unsigned().notNullable()
      table.integer('bucket_ts').unsigned().notNullable()
      table.integer('polls').unsigned().notNullable()
      table.integer('ok_polls').unsigned().notNullable()
      table.integer('counted_polls').unsigned().notNullable()
      table.integer('counted_ok_polls').unsigned().notNullable()
      table.specificType('avg_duration_ms', 'float').nullable()
      table.integer('max_duration_ms').unsigned().nullable()
      table.primary(['device_id', 'resolution', 'bucket_ts'])
      table.index(['resolution', 'bucket_ts'])
    })

    this.schema.createTable('interface_rollups', (table) => {
      table.integer('interface_id').unsigned().notNullable()
      table.integer('resolution').unsigned().notNullable()
      table.integer('bucket_ts').unsigned().notNullable()
      table.integer('samples').unsigned().notNullable()
      table.integer('up_samples').unsigned().notNullable()
      table.specificType('avg_in_bps', 'float').nullable()
      table.specificType('max_in_bps', 'float').nullable()
      table.specificType('avg_out_bps', 'float').nullable()
      table.specificType('max_out_bps', 'float').nullable()
      table.primary(['interface_id', 'resolution', 'bucket_ts'])
      table.index(['resolution', 'bucket_ts'])
    })

    this.schema.createTable('monitoring_marks', (table) => {
      table.string('name', 64).primary()
      table.bigInteger('value').nullable()
      table.timestamp('updated_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable('monitoring_marks')
    this.schema.dropTable('interface_rollups')
    this.schema.dropTable('device_rollups')
    this.schema.dropTable('interface_samples')
    this.schema.dropTable('device_polls')
  }
}
