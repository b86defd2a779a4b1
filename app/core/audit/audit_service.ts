import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { HttpContext } from '@adonisjs/core/http'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { LucidRow } from '@adonisjs/lucid/types/model'
import type { KeyObject } from 'node:crypto'
import AuditEvent from '#core/audit/audit_event'
import { AuditKeyring, sealHash, type ChainedContent } from '#core/audit/chain'
import { loadAuditSettings, type AuditSettings } from '#core/audit/audit_config'
import {
  loadSigningKey,
  loadVerifyKey,
  scanCheckpoints,
  writeCheckpoint,
  type Checkpoint,
  type CheckpointPayload,
} from '#core/audit/checkpoints'
import { operatorName } from '#core/audit/operator'

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

export type VerifyFailure =
  /** A row's content or hash does not match its HMAC (edited, recomputed or made up). */
  | 'content_altered'
  /** A row does not follow its predecessor (a row before it was deleted). */
  | 'link_broken'
  /** The newest rows are gone (the chain head says more). */
  | 'tail_missing'
  /** A row sealed with a key this installation does not know (or not sealed at all). */
  | 'unknown_key'
  /** The chain ends before the newest signed checkpoint (truncated, wiped, or an older backup). */
  | 'behind_checkpoint'
  /** The row named by the newest checkpoint differs, or the count before it does. */
  | 'checkpoint_mismatch'
  /** The retention anchor was moved without a signed purge checkpoint. */
  | 'anchor_moved'
  /** A checkpoint file's signature is invalid. */
  | 'checkpoint_forged'

export interface ChainState {
  lastId: number | null
  lastHash: string
  count: number
  anchorId: number | null
  anchorHash: string
}

export type VerifyResult =
  | ({
      ok: true
      checked: number
      /** The newest signed checkpoint the chain was checked against (null: none yet). */
      checkpoint: CheckpointPayload | null
    } & ChainState)
  | {
      ok: false
      checked: number
      badEventId: number | null
      reason: VerifyFailure
      checkpoint?: CheckpointPayload | null
      detail?: string
    }

/** Logs are kept at least this long (网络安全法 第二十一条: 不少于六个月). */
export const RETENTION_DAYS = 180

export class RetentionViolation extends Error {
  static code = 'E_AUDIT_RETENTION'
  constructor(public earliestAllowed: DateTime) {
    super(`audit events younger than ${RETENTION_DAYS} days cannot be purged`)
  }
}

/** Refused: the chain does not verify, so deleting rows would destroy evidence. */
export class ChainBrokenError extends Error {
  static code = 'E_AUDIT_CHAIN_BROKEN'
  constructor(public result: Extract<VerifyResult, { ok: false }>) {
    super(`the audit chain does not verify (${result.reason} at #${result.badEventId ?? '?'})`)
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

function isSqlite(client: { dialect: { name: string } }) {
  return client.dialect.name === 'better-sqlite3' || client.dialect.name === 'sqlite3'
}

/**
 * Writes and verifies the audit trail: an HMAC-SHA256 chain keyed with AUDIT_KEY
 * (never stored in the database), checked against Ed25519-signed checkpoints
 * kept in a directory outside the database. Appends are serialised through the
 * single chain-head row (locked FOR UPDATE on MySQL; SQLite serialises writers
 * itself), so concurrent writers can never fork the chain and ids are
 * committed in order.
 */
export class AuditService {
  #settings: AuditSettings | null = null
  #keyring: AuditKeyring | null = null
  #signingKey: KeyObject | null = null
  #verifyKey: KeyObject | null = null
  #listeners: Array<() => void> = []

  get settings(): AuditSettings {
    this.#settings ??= loadAuditSettings()
    return this.#settings
  }

  get keyring(): AuditKeyring {
    this.#keyring ??= new AuditKeyring(this.settings.key, this.settings.previousKeys)
    return this.#keyring
  }

  /** Replaces settings (tests, restore): keys and checkpoint directory are re-read. */
  configure(overrides: Partial<AuditSettings>) {
    this.#settings = { ...this.settings, ...overrides }
    this.#keyring = null
    this.#signingKey = null
    this.#verifyKey = null
  }

  /** Called after an event is appended (the syslog forwarder listens). */
  onAppended(listener: () => void) {
    this.#listeners.push(listener)
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener)
    }
  }

  async record(entry: AuditEntry, trx?: TransactionClientContract): Promise<AuditEvent> {
    const event = trx
      ? await this.append(entry, trx)
      : await db.transaction((own) => this.append(entry, own))
    if (trx) trx.after('commit', () => this.#notify())
    else this.#notify()
    return event
  }

  /** Records an event on behalf of the current request's user. */
  async recordFor(ctx: HttpContext, entry: AuditEntry, trx?: TransactionClientContract) {
    return this.record({ ...actorFrom(ctx), ...entry }, trx)
  }

  /** Saves a model's pending changes and records their audit event in one transaction. */
  async saveWithAudit(model: LucidRow, entry: AuditEntry) {
    const event = await db.transaction(async (trx) => {
      model.useTransaction(trx)
      await model.save()
      return this.append(entry, trx)
    })
    this.#notify()
    return event
  }

  #notify() {
    for (const listener of this.#listeners) listener()
  }

  protected async append(entry: AuditEntry, trx: TransactionClientContract) {
    const keyring = this.keyring
    const headQuery = trx.from('audit_chain_heads').where('id', 1)
    if (!isSqlite(trx)) headQuery.forUpdate()
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
    const keyId = keyring.currentId
    const hash = sealHash(keyring.current, keyId, head.last_hash, content)
    const event = await AuditEvent.create(
      { ...content, keyId, prevHash: head.last_hash, hash },
      { client: trx }
    )
    await trx
      .from('audit_chain_heads')
      .where('id', 1)
      .update({ last_event_id: event.id, last_hash: hash })
    return event
  }

  async signingKey() {
    this.#signingKey ??= await loadSigningKey(
      this.settings.signingKey,
      this.settings.signingKeyFile
    )
    return this.#signingKey
  }

  async verifyKey() {
    this.#verifyKey ??= await loadVerifyKey(this.settings.verifyKeyFile, () => this.signingKey())
    return this.#verifyKey
  }

  /** The newest validly signed checkpoint, or the name of a forged file. */
  async newestCheckpoint() {
    return scanCheckpoints(this.settings.checkpointDir, await this.verifyKey())
  }

  /**
   * Recomputes the keyed chain from the retention anchor to the newest row and
   * checks it against the chain head and the newest signed checkpoint. Reports
   * the first row that fails, or a chain that ends before the checkpoint.
   */
  async verify(onProgress?: (checked: number) => void): Promise<VerifyResult> {
    const keyring = this.keyring
    const scan = await this.newestCheckpoint()
    if (!scan.ok) {
      return {
        ok: false,
        checked: 0,
        badEventId: null,
        reason: 'checkpoint_forged',
        detail: scan.badFile,
      }
    }
    const cp: Checkpoint['payload'] | null = scan.newest?.payload ?? null
    let head = await db.from('audit_chain_heads').where('id', 1).first()
    if (!head) throw new Error('audit_chain_heads is empty: run the migrations')
    const anchorId = head.anchor_event_id === null ? null : Number(head.anchor_event_id)
    const fail = (reason: VerifyFailure, badEventId: number | null, checked: number) =>
      ({ ok: false, checked, badEventId, reason, checkpoint: cp }) as const

    if (cp && (cp.anchorHash !== head.anchor_hash || cp.anchorId !== anchorId)) {
      return fail('anchor_moved', anchorId, 0)
    }

    let expectedPrev: string = head.anchor_hash
    let lastId = 0
    let checked = 0
    let sawCheckpointRow = cp === null || cp.lastId === null
    const batchSize = 2000
    let rewalks = 0

    for (;;) {
      for (;;) {
        const rows = await AuditEvent.query()
          .where('id', '>', lastId)
          .orderBy('id')
          .limit(batchSize)
        for (const row of rows) {
          const id = Number(row.id)
          if (cp?.lastId !== null && cp !== null && !sawCheckpointRow && id > cp.lastId) {
            return fail('checkpoint_mismatch', cp.lastId, checked)
          }
          if (row.prevHash !== expectedPrev) return fail('link_broken', id, checked)
          const key = row.keyId ? keyring.get(row.keyId) : undefined
          if (!key) return fail('unknown_key', id, checked)
          if (sealHash(key, row.keyId!, row.prevHash, row.toChainedContent()) !== row.hash) {
            return fail('content_altered', id, checked)
          }
          expectedPrev = row.hash
          lastId = id
          checked++
          if (cp && cp.lastId === id) {
            if (row.hash !== cp.lastHash || checked !== cp.count) {
              return fail('checkpoint_mismatch', id, checked)
            }
            sawCheckpointRow = true
          }
        }
        onProgress?.(checked)
        if (rows.length < batchSize) break
      }
      // Rows committed while we walked: re-read the head and walk on to it.
      head = await db.from('audit_chain_heads').where('id', 1).first()
      const newest = head.last_event_id === null ? null : Number(head.last_event_id)
      if (newest !== null && newest > lastId && rewalks++ < 5) continue
      break
    }

    if (!sawCheckpointRow && cp) {
      return fail('behind_checkpoint', cp.lastId, checked)
    }
    const headLastId = head.last_event_id === null ? null : Number(head.last_event_id)
    if (
      expectedPrev !== head.last_hash ||
      (headLastId !== null && headLastId !== lastId && checked > 0)
    ) {
      return fail('tail_missing', headLastId, checked)
    }
    return {
      ok: true,
      checked,
      checkpoint: cp,
      lastId: checked > 0 ? lastId : (headLastId ?? null),
      lastHash: expectedPrev,
      count: checked,
      anchorId,
      anchorHash: head.anchor_hash,
    }
  }

  /**
   * Verifies the chain, then writes a signed checkpoint of its state. A chain
   * that does not verify is never checkpointed (that would bless a forgery).
   */
  async checkpoint(reason: string, operator = operatorName()) {
    const result = await this.verify()
    if (!result.ok) return { written: false as const, result }
    const written = await this.#writeState(result, reason, operator)
    return { written: true as const, result, file: written.file, payload: written.payload }
  }

  async #writeState(state: ChainState, reason: string, operator: string) {
    return writeCheckpoint(this.settings.checkpointDir, await this.signingKey(), {
      v: 1,
      time: DateTime.utc().toISO()!,
      lastId: state.lastId,
      lastHash: state.lastHash,
      count: state.count,
      anchorId: state.anchorId,
      anchorHash: state.anchorHash,
      keyId: this.keyring.currentId,
      reason,
      operator,
    })
  }

  /**
   * Deletes the oldest events recorded before `before` (by occurred_at, never
   * by id), which must itself be at least RETENTION_DAYS old. Only a prefix of
   * the chain can go: an old-looking row after a younger one is kept. The hash
   * of the last purged row becomes the anchor, the purge is audited with its
   * operator, and a signed checkpoint of the new state is written.
   */
  async purgeBefore(before: DateTime, actor: Partial<AuditActor> = {}) {
    const earliestAllowed = DateTime.utc().minus({ days: RETENTION_DAYS })
    if (before > earliestAllowed) {
      throw new RetentionViolation(earliestAllowed)
    }
    const pre = await this.verify()
    if (!pre.ok) throw new ChainBrokenError(pre)

    const cutoff = before.toUTC().toISO()!
    const operator = operatorName()
    const outcome = await db.transaction(async (trx) => {
      const firstYoung = await trx
        .from('audit_events')
        .where('occurred_at', '>=', cutoff)
        .min('id as id')
        .first()
      const boundary =
        firstYoung?.id === null || firstYoung?.id === undefined ? null : Number(firstYoung.id)
      const lastQuery = AuditEvent.query({ client: trx }).where('occurred_at', '<', cutoff)
      if (boundary !== null) lastQuery.where('id', '<', boundary)
      const last = await lastQuery.orderBy('id', 'desc').first()
      const keptQuery = trx.from('audit_events').where('occurred_at', '<', cutoff)
      if (last) keptQuery.where('id', '>', last.id)
      const keptRow = await keptQuery.count('* as total').first()
      const kept = Number(keptRow?.total ?? 0)

      let count = 0
      if (last) {
        const deleted = await trx
          .from('audit_events')
          .where('id', '<=', last.id)
          .where('occurred_at', '<', cutoff)
          .delete()
        count = Array.isArray(deleted) ? deleted.length : Number(deleted)
        await trx
          .from('audit_chain_heads')
          .where('id', 1)
          .update({ anchor_hash: last.hash, anchor_event_id: last.id })
      }
      const event = await this.append(
        {
          ...actor,
          action: 'audit.purge',
          details: { before: cutoff, deleted: count, keptOutOfOrder: kept, operator },
        },
        trx
      )
      const head = await trx.from('audit_chain_heads').where('id', 1).first()
      const remainingRow = await trx
        .from('audit_events')
        .where('id', '<=', event.id)
        .count('* as total')
        .first()
      const remaining = Number(remainingRow?.total ?? 0)
      return {
        count,
        kept,
        state: {
          lastId: Number(event.id),
          lastHash: event.hash,
          count: remaining,
          anchorId: head.anchor_event_id === null ? null : Number(head.anchor_event_id),
          anchorHash: head.anchor_hash,
        } satisfies ChainState,
      }
    })
    this.#notify()
    await this.#writeState(outcome.state, 'purge', operator)
    return outcome.count
  }

  /** Like purgeBefore, with the number of old rows that had to be kept (out of id order). */
  async purgeReport(before: DateTime, actor: Partial<AuditActor> = {}) {
    const deleted = await this.purgeBefore(before, actor)
    const event = await AuditEvent.query()
      .where('action', 'audit.purge')
      .orderBy('id', 'desc')
      .first()
    return { deleted, keptOutOfOrder: Number(event?.detailsObject.keptOutOfOrder ?? 0) }
  }
}

const audit = new AuditService()
export default audit
