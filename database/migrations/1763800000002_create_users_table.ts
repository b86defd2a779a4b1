import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'users'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table.string('username', 50).notNullable().unique()
      table.string('full_name', 50).notNullable()
      table.string('email', 254).nullable()
      table.string('phone', 30).nullable()
      table.integer('unit_id').unsigned().nullable().references('id').inTable('units')
      table.string('password').notNullable()
      table.boolean('is_active').notNullable().defaultTo(true)
      table.integer('failed_login_count').notNullable().defaultTo(0)
      table.timestamp('locked_until').nullable()
      table.boolean('must_change_password').notNullable().defaultTo(false)
      table.timestamp('password_changed_at').nullable()
      table.timestamp('last_login_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['unit_id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
