import { BaseSchema } from '@adonisjs/lucid/schema'

/** Read-only API tokens for the project-review API; only a SHA-256 of each secret is stored. */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('review_api_tokens', (table) => {
      table.increments('id')
      table.string('name', 100).notNullable()
      table.string('token_hash', 64).notNullable().unique()
      table.string('hint', 16).notNullable()
      table.string('scope', 16).notNullable().defaultTo('read')
      table.integer('created_by_id').unsigned().nullable().references('id').inTable('users')
      table.timestamp('expires_at').nullable()
      table.timestamp('last_used_at').nullable()
      table.timestamp('revoked_at').nullable()
      table.timestamp('created_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable('review_api_tokens')
  }
}
