import { BaseSchema } from '@adonisjs/lucid/schema'
import { GENESIS_HASH } from '#core/audit/chain'

/**
 * Append-only, hash-chained audit trail (等保2.0 安全审计). occurred_at is an
 * ISO-8601 UTC string so the hashed content is byte-identical on every database.
 * audit_chain_heads holds one row: the last hash (detects tail deletion) and the
 * anchor left by a retention purge (the hash the first kept row must follow).
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('audit_events', (table) => {
      table.bigIncrements('id')
      table.string('occurred_at', 24).notNullable()
      table.integer('actor_id').unsigned().nullable()
      table.string('actor_name', 100).nullable()
      table.string('ip', 45).nullable()
      table.string('action', 64).notNullable()
      table.string('target_type', 32).nullable()
      table.string('target_id', 64).nullable()
      table.string('outcome', 8).notNullable()
      table.text('details').notNullable()
      table.string('prev_hash', 64).notNullable()
      table.string('hash', 64).notNullable()
      table.index(['occurred_at'])
      table.index(['action', 'occurred_at'])
      table.index(['actor_id', 'occurred_at'])
    })

    this.schema.createTable('audit_chain_heads', (table) => {
      table.integer('id').primary()
      table.bigInteger('last_event_id').nullable()
      table.string('last_hash', 64).notNullable()
      table.string('anchor_hash', 64).notNullable()
      table.bigInteger('anchor_event_id').nullable()
    })

    this.defer(async (db) => {
      await db.table('audit_chain_heads').insert({
        id: 1,
        last_event_id: null,
        last_hash: GENESIS_HASH,
        anchor_hash: GENESIS_HASH,
        anchor_event_id: null,
      })
    })
  }

  async down() {
    this.schema.dropTable('audit_chain_heads')
    this.schema.dropTable('audit_events')
  }
}
