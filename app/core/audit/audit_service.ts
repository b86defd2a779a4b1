import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { HttpContext } from '@adonisjs/core/http'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { LucidRow } from '@adonisjs/lucid/types/model'
import AuditEvent from '#core/audit/audit_event'
import { chainHash, type ChainedContent } from '#core/audit/chain'

/** Who did it and from where. */
export interface AuditActor {
  actorId: number | null
  actorName: string | null
  ip: string | null
}

export interface AuditEntry extends Partial<AuditActor> {
  action: string
  targetType?: string | null
  targetId?: string | number | null
  outcome?: 'success' | 'failure'
  details?: Record<string, unknown>
}

export type VerifyResult =
  | { ok: true; checked: number }
  | {
      ok: false
      checked: number
      badEventId: number | null
      reason: 'content_altered' | 'link_broken' | 'tail_missing'
    }

/** Logs are kept at least this long (网络安全法 第二十一条: 不少于六个月). */
export const RETENTION_DAYS = 180

export class RetentionViolation extends Error {
  static code = 'E_AUDIT_RETENTION'
  constructor(public earliestAllowed: DateTime) {
    super(`audit events younger than ${RETENTION_DAYS} days cannot be purged`)
  }
}

/** The actor of the current request (the logged-in user, or anonymous) with the client IP. */
export function actorFrom(ctx: HttpContext): AuditActor {
  const user = ctx.auth?.user
  return {
    actorId: user?.id ?? null,
    actorName: user ? `${user.fullName}(${user.username})` : null,
    ip: ctx.request.ip(),
  }
}

/**
 * Writes and verifies the hash-chained audit trail. Appends are serialised
 * through the single chain-head row (locked FOR UPDATE on MySQL; SQLite
 * serialises writers itself), so concurrent writers can never fork the chain.
 */
export class AuditService {
  async record(entry: AuditEntry, trx?: TransactionClientContract): Promise<AuditEvent> {
    if (trx) return this.append(entry, trx)
    return db.transaction((own) => this.append(entry, own))
  }

  /** Records an event on behalf of the current request's user. */
  async recordFor(ctx: HttpContext, entry: AuditEntry, trx?: TransactionClientContract) {
    return this.record({ ...actorFrom(ctx), ...entry }, trx)
  }

  /** Saves a model's pending changes and records their audit event in one transaction. */
  async saveWithAudit(model: LucidRow, entry: AuditEntry) {
    return db.transaction(async (trx) => {
      model.useTransaction(trx)
      await model.save()
      return this.append(entry, trx)
    })
  }

  protected async append(entry: AuditEntry, trx: TransactionClientContract) {
    const headQuery = trx.from('audit_chain_heads').where('id', 1)
    if (trx.dialect.name !== 'better-sqlite3' && trx.dialect.name !== 'sqlite3') {
      headQuery.forUpdate()
    }
    const head = await headQuery.first()
    if (!head) throw new Error('audit_chain_heads is empty: run the migrations')

    const content: ChainedContent = {
      occurredAt: DateTime.utc().toISO()!,
      actorId: entry.actorId ?? null,
      actorName: entry.actorName ?? null,
      ip: entry.ip ?? null,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId:
        entry.targetId === undefined || entry.targetId === null ? null : String(entry.targetId),
      outcome: entry.outcome ?? 'success',
      details: JSON.stringify(entry.details ?? {}),
    }
    const hash = chainHash(head.last_hash, content)
    const event = await AuditEvent.create(
      { ...content, prevHash: head.last_hash, hash },
      { client: trx }
    )
    await trx
      .from('audit_chain_heads')
      .where('id', 1)
      .update({ last_event_id: event.id, last_hash: hash })
    return event
  }

  /**
   * Recomputes the chain from the retention anchor to the head. Reports the
   * first row whose content no longer matches its hash, whose link to its
   * predecessor is broken (a row before it was deleted or altered), or a
   * missing tail (the newest rows were deleted).
   */
  async verify(onProgress?: (checked: number) => void): Promise<VerifyResult> {
    const head = await db.from('audit_chain_heads').where('id', 1).first()
    if (!head) throw new Error('audit_chain_heads is empty: run the migrations')

    let expectedPrev: string = head.anchor_hash
    let lastId = 0
    let checked = 0
    const batchSize = 2000

    for (;;) {
      const rows = await AuditEvent.query().where('id', '>', lastId).orderBy('id').limit(batchSize)
      for (const row of rows) {
        if (row.prevHash !== expectedPrev) {
          return { ok: false, checked, badEventId: row.id, reason: 'link_broken' }
        }
        if (chainHash(row.prevHash, row.toChainedContent()) !== row.hash) {
          return { ok: false, checked, badEventId: row.id, reason: 'content_altered' }
        }
        expectedPrev = row.hash
        lastId = Number(row.id)
        checked++
      }
      onProgress?.(checked)
      if (rows.length < batchSize) break
    }

    const headLastId = head.last_event_id === null ? null : Number(head.last_event_id)
    if (
      expectedPrev !== head.last_hash ||
      (headLastId !== null && headLastId !== lastId && checked > 0)
    ) {
      return { ok: false, checked, badEventId: headLastId, reason: 'tail_missing' }
    }
    return { ok: true, checked }
  }

  /**
   * Deletes events older than `before`, which must itself be at least
   * RETENTION_DAYS old. The hash of the last purged row becomes the anchor the
   * remaining chain is verified from, and the purge itself is audited.
   */
  async purgeBefore(before: DateTime, actor: Partial<AuditActor> = {}) {
    const earliestAllowed = DateTime.utc().minus({ days: RETENTION_DAYS })
    if (before > earliestAllowed) {
      throw new RetentionViolation(earliestAllowed)
    }
    const cutoff = before.toUTC().toISO()!
    return db.transaction(async (trx) => {
      const last = await AuditEvent.query({ client: trx })
        .where('occurred_at', '<', cutoff)
        .orderBy('id', 'desc')
        .first()
      if (!last) {
        await this.append(
          { ...actor, action: 'audit.purge', details: { before: cutoff, deleted: 0 } },
          trx
        )
        return 0
      }
      const deleted = await trx.from('audit_events').where('id', '<=', last.id).delete()
      await trx
        .from('audit_chain_heads')
        .where('id', 1)
        .update({ anchor_hash: last.hash, anchor_event_id: last.id })
      const count = Array.isArray(deleted) ? deleted.length : Number(deleted)
      await this.append(
        { ...actor, action: 'audit.purge', details: { before: cutoff, deleted: count } },
        trx
      )
      return count
    })
  }
}

const audit = new AuditService()
export default audit
