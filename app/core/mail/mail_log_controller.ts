import vine from '@vinejs/vine'
import { DateTime } from 'luxon'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import MailPolicy from '#core/mail/mail_policy'
import OutboxMail from '#core/mail/outbox_mail'
import audit, { actorFrom } from '#core/audit/audit_service'
import { PAGE_SIZE, toCsv } from '#core/http_helpers'
import { validateFilters } from '#core/list_filters'
import { ModuleMessagesProvider } from '#core/i18n/module_messages_provider'
import { number, singleLine } from '#core/validation'
import { requeue, sqlTime } from '#core/mail/outbox'
import { DISPLAY_ZONE, formatDateTime } from '#start/view'

export const MAIL_STATUSES = ['queued', 'sending', 'sent', 'failed'] as const
export const MAIL_KINDS = [
  'review.invitation',
  'review.withdrawal',
  'review.revision_requested',
  'review.revision_submitted',
  'review.acceptance_requested',
  'review.acceptance_passed',
  'review.acceptance_rectify',
  'review.evaluation_overdue',
  'alert.notice',
  'alert.escalation',
  'alert.digest',
] as const

const filterValidator = vine.create({
  status: vine.enum(MAIL_STATUSES).optional(),
  kind: vine.enum(MAIL_KINDS).optional(),
  to: singleLine().maxLength(320).optional(),
  from: vine.date({ formats: ['YYYY-MM-DD'] }).optional(),
  until: vine.date({ formats: ['YYYY-MM-DD'] }).optional(),
  page: number().withoutDecimals().min(1).max(1000000).optional(),
})

const CSV_LIMIT = 50000

/** 邮件发送记录: every mail of the outbox, what became of it, and 重新发送 for a failed one. */
export default class MailLogController {
  async index(ctx: HttpContext) {
    const { view, bouncer, request, response, i18n } = ctx
    await bouncer.with(MailPolicy).authorize('view')
    const {
      filters,
      errors,
      query: listQuery,
      values,
    } = await validateFilters(ctx, filterValidator, {
      // the mail log's own labels: `to` is the recipient here, not a date
      messagesProvider: new ModuleMessagesProvider(i18n, 'mail'),
    })
    if (filters.from && filters.until && filters.until < filters.from) {
      errors.until = i18n.t('mail.errors.until_before_from')
      filters.until = undefined
      delete listQuery.until
    }
    const query = OutboxMail.query().orderBy('id', 'desc')
    const day = (d: Date) =>
      DateTime.fromJSDate(d).setZone(DISPLAY_ZONE, { keepLocalTime: true }).startOf('day')
    if (filters.status) query.where('status', filters.status)
    if (filters.kind) query.where('kind', filters.kind)
    if (filters.to) query.where('to_address', 'like', `%${filters.to}%`)
    if (filters.from) query.where('created_at', '>=', sqlTime(day(filters.from)))
    if (filters.until) query.where('created_at', '<', sqlTime(day(filters.until).plus({ days: 1 })))

    if (request.input('format') === 'csv') {
      const rows = await query.clone().limit(CSV_LIMIT)
      const header = [
        'id',
        'created_at',
        'kind',
        'to',
        'subject',
        'status',
        'attempts',
        'sent_at',
        'last_error',
      ]
      response.header('content-type', 'text/csv; charset=utf-8')
      response.header('content-disposition', 'attachment; filename="mail_log.csv"')
      return toCsv(
        header.map((key) => i18n.t(`mail.fields.${key}`)),
        rows.map((row) => [
          row.id,
          formatDateTime(row.createdAt),
          i18n.t(`mail.kinds.${row.kind}`, {}, row.kind),
          row.toAddress,
          row.subject,
          i18n.t(`mail.statuses.${row.status}`),
          row.attempts,
          row.sentAt ? formatDateTime(row.sentAt) : '',
          row.lastError ?? '',
        ])
      )
    }

    const mails = await query.paginate(filters.page ?? 1, PAGE_SIZE)
    mails.baseUrl('/admin/mail').queryString(listQuery)
    const counts = await db
      .from('mail_outbox')
      .select('status')
      .count('* as total')
      .groupBy('status')
    const totals: Record<string, number> = {}
    for (const row of counts) totals[row.status] = Number(row.total)
    return view.render('pages/mail/index', {
      mails,
      totals,
      statuses: MAIL_STATUSES,
      kinds: MAIL_KINDS,
      filters: values,
      filterErrors: errors,
    })
  }

  async resend(ctx: HttpContext) {
    const { bouncer, params, response, session, i18n } = ctx
    await bouncer.with(MailPolicy).authorize('resend')
    const id = Number(params.id)
    const mail = Number.isSafeInteger(id) ? await OutboxMail.find(id) : null
    if (!mail) {
      session.flash('error', i18n.t('mail.errors.not_found'))
      return response.redirect().back()
    }
    const done = await db.transaction(async (trx) => {
      const ok = await requeue(mail.id, trx)
      if (ok) {
        await audit.record(
          {
            ...actorFrom(ctx),
            action: 'mail.resend',
            targetType: 'mail',
            targetId: mail.id,
            details: { to: mail.toAddress, subject: mail.subject, kind: mail.kind },
          },
          trx
        )
      }
      return ok
    })
    session.flash(
      done ? 'success' : 'error',
      i18n.t(done ? 'mail.resend_queued' : 'mail.errors.not_failed', { id: mail.id })
    )
    return response.redirect().back()
  }
}
