import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Latest known state, one row per device and per interface ("all devices
 * now" reads these two tables only). The last counters are kept so rates
 * survive a restart of the poller; 64-bit octet counters are decimal strings
 * because they exceed what a JS number holds exactly.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('device_states', (table) => {
      table
        .integer('device_id')
        .unsigned()
        .primary()
        .references('id')
        .inTable('network_devices')
        .onDelete('CASCADE')
      table.string('status', 12).notNullable().defaultTo('unknown')
      table.timestamp('status_changed_at').nullable()
      table.timestamp('last_poll_at').nullable()
      table.timestamp('last_ok_at').nullable()
      table.integer('last_duration_ms').unsigned().nullable()
      table.integer('consecutive_failures').unsigned().notNullable().defaultTo(0)
      table.string('last_error_code', 40).nullable()
      table.string('last_error_message', 255).nullable()
      table.string('sys_name', 255).nullable()
      table.text('sys_descr').nullable()
      table.string('sys_object_id', 128).nullable()
      table.bigInteger('sys_uptime_ticks').nullable()
      table.bigInteger('last_sample_ms').nullable()
      table.integer('cpu_load').nullable()
      table.integer('interface_count').unsigned().notNullable().defaultTo(0)
      table.timestamp('updated_at').notNullable()
      table.index(['status'])
    })

    this.schema.createTable('device_interfaces', (table) => {
      table.increments('id')
      table
        .integer('device_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('network_devices')
        .onDelete('CASCADE')
      table.integer('if_index').unsigned().notNullable()
      table.string('name', 64).nullable()
      table.string('descr', 255).nullable()
      table.string('alias', 255).nullable()
      table.integer('if_type').nullable()
      table.bigInteger('speed_bps').nullable()
      table.tinyint('admin_status').nullable()
      table.tinyint('oper_status').nullable()
      table.double('in_bps').nullable()
      table.double('out_bps').nullable()
      table.double('in_utilisation').nullable()
      table.double('out_utilisation').nullable()
      table.double('in_errors_ps').nullable()
      table.double('out_errors_ps').nullable()
      table.double('in_discards_ps').nullable()
      table.double('out_discards_ps').nullable()
      table.tinyint('counter_bits').nullable()
      table.string('last_in_octets', 20).nullable()
      table.string('last_out_octets', 20).nullable()
      table.bigInteger('last_in_errors').nullable()
      table.bigInteger('last_out_errors').nullable()
      table.bigInteger('last_in_discards').nullable()
      table.bigInteger('last_out_discards').nullable()
      table.bigInteger('last_sample_ms').nullable()
      table.timestamp('updated_at').notNullable()
      table.unique(['device_id', 'if_index'])
    })
  }

  async down() {
    this.schema.dropTable('device_interfaces')
    this.schema.dropTable('device_states')
  }
}
