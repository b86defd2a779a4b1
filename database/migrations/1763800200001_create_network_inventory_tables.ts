import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The extranet inventory (外网设备台账): sites as a tree 县 → 乡镇 → 村, devices
 * with encrypted SNMP credentials, and maintenance windows. A device's
 * parent device (its uplink) lets alert rules suppress children later.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('network_sites', (table) => {
      table.increments('id')
      table.string('name', 100).notNullable()
      table.string('level', 16).notNullable()
      table
        .integer('parent_id')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('network_sites')
        .onDelete('RESTRICT')
      table.integer('sort_order').notNullable().defaultTo(0)
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.unique(['parent_id', 'name'])
      table.index(['level', 'sort_order'])
    })

    this.schema.createTable('network_devices', (table) => {
      table.increments('id')
      table.string('name', 100).notNullable().unique()
      table.string('management_ip', 45).notNullable()
      table.integer('snmp_port').unsigned().notNullable().defaultTo(161)
      table.string('snmp_version', 4).notNullable().defaultTo('v2c')
      table.text('community_encrypted').nullable()
      table.string('v3_username', 64).nullable()
      table.string('v3_security_level', 16).nullable()
      table.string('v3_auth_protocol', 8).nullable()
      table.text('v3_auth_key_encrypted').nullable()
      table.string('v3_priv_protocol', 8).nullable()
      table.text('v3_priv_key_encrypted').nullable()
      table.string('device_type', 24).notNullable()
      table
        .integer('site_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('network_sites')
        .onDelete('RESTRICT')
      table
        .integer('parent_device_id')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('network_devices')
        .onDelete('SET NULL')
      table
        .integer('unit_id')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('units')
        .onDelete('SET NULL')
      table.string('criticality', 12).notNullable().defaultTo('normal')
      table.integer('poll_interval_seconds').unsigned().notNullable().defaultTo(60)
      table.boolean('is_enabled').notNullable().defaultTo(true)
      table.string('description', 500).nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.unique(['management_ip', 'snmp_port'])
      table.index(['site_id'])
      table.index(['device_type'])
      table.index(['parent_device_id'])
    })

    this.schema.createTable('maintenance_windows', (table) => {
      table.increments('id')
      table
        .integer('device_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('network_devices')
        .onDelete('CASCADE')
      table.timestamp('starts_at').notNullable()
      table.timestamp('ends_at').notNullable()
      table.string('reason', 200).notNullable()
      table
        .integer('created_by_id')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('users')
        .onDelete('SET NULL')
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['device_id', 'ends_at'])
      table.index(['ends_at'])
    })
  }

  async down() {
    this.schema.dropTable('maintenance_windows')
    this.schema.dropTable('network_devices')
    this.schema.dropTable('network_sites')
  }
}
