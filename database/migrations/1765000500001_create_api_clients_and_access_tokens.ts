import { DateTime } from 'luxon'
import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * API tokens move to @adonisjs/auth access tokens with abilities, shared by the read API
 * (`review:read`) and the 态势感知 push API (`security-events:write`). Each token belongs to
 * an `api_clients` row (the external system it was issued to); `api_access_tokens` is the
 * table DbAccessTokensProvider reads.
 *
 * The old `review_api_tokens` kept only a SHA-256 of the whole secret, which the new format
 * (prefix + base64 id + secret + CRC32) cannot be derived from: the old tokens are therefore
 * INVALIDATED. Each one is carried over as a revoked client under the same id (so the audit
 * trail's "接口令牌 #id" still names it) with a note saying to issue a new token.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('api_clients', (table) => {
      table.increments('id')
      table.string('name', 100).notNullable()
      /** Last characters of the issued token, so an operator can tell tokens apart. */
      table.string('hint', 16).notNullable()
      /** JSON array of abilities, for the list (the token row is deleted on revocation). */
      table.string('abilities', 255).notNullable()
      table.integer('created_by_id').unsigned().nullable().references('id').inTable('users')
      table.timestamp('expires_at').nullable()
      table.timestamp('revoked_at').nullable()
      table.string('note', 255).nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })

    this.schema.createTable('api_access_tokens', (table) => {
      table.increments('id')
      table
        .integer('tokenable_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('api_clients')
        .onDelete('CASCADE')
      table.string('type').notNullable()
      table.string('name').nullable()
      table.string('hash').notNullable()
      table.text('abilities').notNullable()
      table.timestamp('created_at').nullable()
      table.timestamp('updated_at').nullable()
      table.timestamp('last_used_at').nullable()
      table.timestamp('expires_at').nullable()
      table.index(['tokenable_id'])
    })

    this.defer(async (db) => {
      const old: {
        id: number
        name: string
        hint: string
        created_by_id: number | null
        expires_at: unknown
        revoked_at: unknown
        created_at: unknown
      }[] = await db.from('review_api_tokens').select('*').orderBy('id')
      const now = DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')
      for (const row of old) {
        await db.table('api_clients').insert({
          id: row.id,
          name: row.name,
          hint: row.hint,
          abilities: JSON.stringify(['review:read']),
          created_by_id: row.created_by_id,
          expires_at: row.expires_at ?? null,
          revoked_at: row.revoked_at ?? now,
          note: 'invalidated_by_upgrade',
          created_at: row.created_at ?? now,
          updated_at: now,
        })
      }
    })
    this.schema.dropTable('review_api_tokens')
  }

  async down() {
    this.schema.dropTable('api_access_tokens')
    this.schema.dropTable('api_clients')
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
}
