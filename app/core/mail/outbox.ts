/**
 * The mail outbox (邮件发件箱). `queueMail` writes a mail in the caller's transaction, so a mail
 * exists exactly when the change that caused it was committed. `MailOutbox.deliverDue` sends the
 * due mail in order (oldest first): each row is claimed with a compare-and-set before it is sent,
 * so no two runs (or processes) send it twice. A transient failure (server down, 4xx) backs off
 * exponentially; while the server is unreachable the whole queue waits with it, so order is kept;
 * a permanent refusal (5xx) marks the row failed at once. Failed rows wait for 重新发送 on the 邮件发送记录 page.
 */
import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import env from '#start/env'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { BaseMail } from '@adonisjs/mail'
import OutboxMail from '#core/mail/outbox_mail'
import {
  AdonisMailTransport,
  hasServerReply,
  isPermanentFailure,
  type MailTransport,
} from '#core/mail/transport'

export interface QueuedMessage {
  kind: string
  to: string
  toName?: string | null
  subject: string
  text: string
  html?: string | null
  refType?: string | null
  refId?: string | number | null
}

export interface OutboxSettings {
  cron: string
  /** First retry after this many seconds, doubling each time … */
  retryBaseSeconds: number
  /** … up to this pause between attempts. */
  retryMaxSeconds: number
  /** After this many failed attempts a mail is marked failed (the page offers 重新发送). */
  maxAttempts: number
  /** A row left `sending` this long (the process died mid-send) is failed, never resent blindly. */
  staleSendingMinutes: number
}

export function outboxSettings(): OutboxSettings {
  return {
    cron: env.get('MAIL_OUTBOX_CRON', '*/10 * * * * *'),
    retryBaseSeconds: env.get('MAIL_RETRY_BASE_SECONDS', 30),
    retryMaxSeconds: env.get('MAIL_RETRY_MAX_SECONDS', 600),
    maxAttempts: env.get('MAIL_MAX_ATTEMPTS', 30),
    staleSendingMinutes: 10,
  }
}

/** `yyyy-MM-dd HH:mm:ss` in UTC: compares correctly as text on SQLite and as DATETIME on MySQL. */
export function sqlTime(date: Date | DateTime) {
  const value = date instanceof Date ? DateTime.fromJSDate(date) : date
  return value.toUTC().toFormat('yyyy-MM-dd HH:mm:ss')
}

/** Seconds to wait after the n-th failed attempt (1-based): base · 2^(n-1), capped. */
export function backoffSeconds(
  attempt: number,
  settings: Pick<OutboxSettings, 'retryBaseSeconds' | 'retryMaxSeconds'>
) {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30)
  return Math.min(settings.retryBaseSeconds * 2 ** exponent, settings.retryMaxSeconds)
}

/** Queues one mail; with `trx` it is written (and later sent) only if that transaction commits. */
export async function queueMail(message: QueuedMessage, trx?: TransactionClientContract) {
  const now = DateTime.utc()
  const row = {
    kind: message.kind,
    to_address: message.to.trim().slice(0, 320),
    to_name: message.toName?.slice(0, 200) ?? null,
    subject: message.subject.slice(0, 500),
    text: message.text,
    html: message.html ?? null,
    ref_type: message.refType ?? null,
    ref_id: message.refId === null || message.refId === undefined ? null : String(message.refId),
    status: 'queued',
    attempts: 0,
    next_attempt_at: sqlTime(now),
    created_at: sqlTime(now),
    updated_at: sqlTime(now),
  }
  const client = trx ?? db.connection()
  const [id] = await client.table('mail_outbox').insert(row)
  return Number(id)
}

/** Renders a class-based mail (its Edge views) and queues the result. */
export async function queueMailable(
  mailable: BaseMail,
  meta: { kind: string; refType?: string | null; refId?: string | number | null },
  trx?: TransactionClientContract
) {
  await mailable.buildWithContents()
  const message = mailable.message.toObject().message
  const to = Array.isArray(message.to) ? message.to[0] : message.to
  const address = typeof to === 'string' ? to : (to?.address ?? '')
  const name = typeof to === 'string' ? null : (to?.name ?? null)
  return queueMail(
    {
      ...meta,
      to: address,
      toName: name,
      subject: String(message.subject ?? ''),
      text: String(message.text ?? ''),
      html: message.html ? String(message.html) : null,
    },
    trx
  )
}

export interface DeliveryOutcome {
  sent: number
  /** Transient failures that will be retried. */
  deferred: number
  failed: number
}

/** Sends what is due; one instance per process (the cron job), runs never overlap. */
export class MailOutbox {
  #running: Promise<DeliveryOutcome> | null = null

  constructor(
    protected options: {
      transport?: MailTransport
      now?: () => Date
      settings?: OutboxSettings
    } = {}
  ) {}

  get transport() {
    return (this.options.transport ??= new AdonisMailTransport())
  }

  protected now() {
    return DateTime.fromJSDate(this.options.now?.() ?? new Date()).toUTC()
  }

  protected get settings() {
    return (this.options.settings ??= outboxSettings())
  }

  /** Sends every due mail in order; a run already going is joined, not repeated. */
  deliverDue(limit = 200): Promise<DeliveryOutcome> {
    if (!this.#running) {
      this.#running = this.#deliver(limit).finally(() => {
        this.#running = null
      })
    }
    return this.#running
  }

  async #deliver(limit: number): Promise<DeliveryOutcome> {
    const outcome: DeliveryOutcome = { sent: 0, deferred: 0, failed: 0 }
    await this.failStaleClaims()
    const queued = await OutboxMail.query()
      .where('status', 'queued')
      .where('next_attempt_at', '<=', sqlTime(this.now()))
      .orderBy('id')
      .limit(limit)
    for (const row of queued) {
      const now = this.now()
      const token = randomUUID()
      const claimed = await db
        .from('mail_outbox')
        .where('id', row.id)
        .where('status', 'queued')
        .update({
          status: 'sending',
          claim_token: token,
          claimed_at: sqlTime(now),
          updated_at: sqlTime(now),
        })
      // Another sender holds this row: it is working through the queue, leave the rest to it.
      if (Number(claimed) !== 1) break
      try {
        await this.transport.send({
          messageId: `<outbox-${row.id}-${row.createdAt.toMillis()}@shuzhi>`,
          to: { address: row.toAddress, name: row.toName },
          subject: row.subject,
          html: row.html,
          text: row.text,
        })
      } catch (error) {
        const attempts = row.attempts + 1
        const message = String((error as Error)?.message ?? error).slice(0, 1000)
        const permanent = isPermanentFailure(error) || attempts >= this.settings.maxAttempts
        const retryAt = now.plus({ seconds: backoffSeconds(attempts, this.settings) })
        await this.release(row.id, token, {
          status: permanent ? 'failed' : 'queued',
          attempts,
          last_error: message,
          next_attempt_at: sqlTime(permanent ? now : retryAt),
        })
        // The server itself is unreachable: everything queued waits as long as this mail, so
        // the queue goes out in order once it is back. A reply about one mail (4xx, e.g. a
        // greylisted mailbox) defers that mail only.
        const serverDown = !permanent && !hasServerReply(error)
        if (serverDown) {
          await db
            .from('mail_outbox')
            .where('status', 'queued')
            .where('next_attempt_at', '<', sqlTime(retryAt))
            .update({ next_attempt_at: sqlTime(retryAt) })
        }
        logger.warn(
          { outboxId: row.id, attempts, permanent, err: message },
          permanent ? 'mail failed for good' : 'mail deferred'
        )
        if (permanent) {
          outcome.failed++
          continue
        }
        outcome.deferred++
        if (serverDown) break
        continue
      }
      await this.release(row.id, token, {
        status: 'sent',
        attempts: row.attempts + 1,
        sent_at: sqlTime(this.now()),
        last_error: null,
      })
      outcome.sent++
    }
    return outcome
  }

  protected async release(id: number, token: string, values: Record<string, unknown>) {
    await db
      .from('mail_outbox')
      .where('id', id)
      .where('claim_token', token)
      .update({ ...values, claim_token: null, updated_at: sqlTime(this.now()) })
  }

  /** A process that died between claim and result leaves `sending`: fail it (it may have gone out). */
  protected async failStaleClaims() {
    const before = this.now().minus({ minutes: this.settings.staleSendingMinutes })
    await db
      .from('mail_outbox')
      .where('status', 'sending')
      .where('claimed_at', '<', sqlTime(before))
      .update({
        status: 'failed',
        claim_token: null,
        last_error: 'interrupted',
        updated_at: sqlTime(this.now()),
      })
  }
}

/**
 * 重新发送: a failed mail goes back into the queue (compare-and-set, so two clicks queue it once).
 * Returns false when the row is not failed (already queued again, or sent).
 */
export async function requeue(id: number, trx?: TransactionClientContract) {
  const now = sqlTime(DateTime.utc())
  const updated = await (trx ?? db.connection())
    .from('mail_outbox')
    .where('id', id)
    .where('status', 'failed')
    .update({ status: 'queued', attempts: 0, next_attempt_at: now, updated_at: now })
  return Number(updated) === 1
}

let shared: MailOutbox | null = null

/** The process-wide outbox the cron job and "send now" callers use. */
export function mailOutbox() {
  return (shared ??= new MailOutbox())
}

/** Swaps the process-wide outbox (tests inject a clock or a transport). */
export function useMailOutbox(outbox: MailOutbox | null) {
  shared = outbox
}
