import { BaseSchema } from '@adonisjs/lucid/schema'

/** The expert pool (专家库). Specialties and declared conflict units are JSON text arrays. */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('experts', (table) => {
      table.increments('id')
      table.integer('user_id').unsigned().nullable().unique().references('id').inTable('users')
      table.string('name', 50).notNullable()
      table.string('employer', 100).notNullable()
      table.integer('employer_unit_id').unsigned().nullable().references('id').inTable('units')
      table.text('specialties').notNullable()
      table.text('conflict_unit_ids').notNullable()
      table.string('phone', 30).nullable()
      table.string('email', 254).nullable()
      table.boolean('is_active').notNullable().defaultTo(true)
      table.integer('yearly_cap').notNullable().defaultTo(10)
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['is_active'])
    })
  }

  async down() {
    this.schema.dropTable('experts')
  }
}
