import { BaseSchema } from '@adonisjs/lucid/schema'
import { chainHash, sealHash, type ChainedContent } from '#core/audit/chain'

/**
 * Keyed audit chain (README "等保"): every row records the id of the AUDIT_KEY
 * that sealed it with HMAC-SHA256. Rows written before this migration are
 * checked against their old SHA-256 chain and re-sealed under the current key
 * (a broken old chain stops the migration: evidence is never re-sealed).
 * audit_forward_state is the durable cursor of the syslog forwarder.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('audit_events', (table) => {
      table.string('key_id', 16).nullable()
    })
    this.schema.createTable('audit_forward_state', (table) => {
      table.integer('id').primary()
      table.bigInteger('last_forwarded_id').notNullable().defaultTo(0)
      table.string('updated_at', 24).nullable()
    })

    this.defer(async (db) => {
      const head = await db.from('audit_chain_heads').where('id', 1).first()
      const rows = await db.from('audit_events').orderBy('id')
      // Events already present are not re-sent to a collector configured later.
      await db.table('audit_forward_state').insert({
        id: 1,
        last_forwarded_id: rows.length ? Number(rows[rows.length - 1].id) : 0,
        updated_at: new Date().toISOString(),
      })
      if (!head || rows.length === 0) return
      const { default: audit } = await import('#core/audit/audit_service')
      const keyring = audit.keyring
      let legacyPrev = head.anchor_hash
      let prev = head.anchor_hash
      for (const row of rows) {
        const content: ChainedContent = {
          occurredAt: row.occurred_at,
          actorId: row.actor_id === null ? null : Number(row.actor_id),
          actorName: row.actor_name,
          ip: row.ip,
          action: row.action,
          targetType: row.target_type,
          targetId: row.target_id,
          outcome: row.outcome,
          details: row.details,
        }
        if (row.prev_hash !== legacyPrev || chainHash(row.prev_hash, content) !== row.hash) {
          throw new Error(
            `audit event #${row.id} does not verify under the old SHA-256 chain: not re-sealing a tampered trail (run audit:verify on the previous release)`
          )
        }
        legacyPrev = row.hash
        const hash = sealHash(keyring.current, keyring.currentId, prev, content)
        await db
          .from('audit_events')
          .where('id', row.id)
          .update({ key_id: keyring.currentId, prev_hash: prev, hash })
        prev = hash
      }
      await db.from('audit_chain_heads').where('id', 1).update({ last_hash: prev })
    })
  }

  async down() {
    this.schema.dropTable('audit_forward_state')
    this.schema.alterTable('audit_events', (table) => {
      table.dropColumn('key_id')
    })
  }
}
