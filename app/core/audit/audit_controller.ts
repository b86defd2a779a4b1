import vine from '@vinejs/vine'
import { DateTime } from 'luxon'
import type { HttpContext } from '@adonisjs/core/http'
import AuditEvent from '#core/audit/audit_event'
import AuditPolicy from '#core/audit/audit_policy'
import audit, { actorFrom } from '#core/audit/audit_service'
import { PAGE_SIZE, sendCsv } from '#core/http_helpers'
import { DISPLAY_ZONE, formatDateTime } from '#start/view'

const filterValidator = vine.create({
  from: vine.date({ formats: ['YYYY-MM-DD'] }).optional(),
  to: vine.date({ formats: ['YYYY-MM-DD'] }).optional(),
  action: vine.string().trim().maxLength(64).optional(),
  actor: vine.string().trim().maxLength(100).optional(),
  outcome: vine.enum(['success', 'failure']).optional(),
  page: vine.number().min(1).max(1000000).optional(),
})

/** The auditor's (审计员) read-only view of the audit trail, with integrity verification. */
export default class AuditController {
  async index({ request, view, bouncer, response, i18n }: HttpContext) {
    await bouncer.with(AuditPolicy).authorize('view')
    const filters = await filterValidator.validate(request.qs())
    const query = AuditEvent.query().orderBy('id', 'desc')
    const day = (d: Date) =>
      DateTime.fromJSDate(d).setZone(DISPLAY_ZONE, { keepLocalTime: true }).startOf('day')
    if (filters.from) query.where('occurred_at', '>=', day(filters.from).toUTC().toISO()!)
    if (filters.to)
      query.where('occurred_at', '<', day(filters.to).plus({ days: 1 }).toUTC().toISO()!)
    if (filters.action) query.where('action', 'like', `${filters.action}%`)
    if (filters.actor) query.where('actor_name', 'like', `%${filters.actor}%`)
    if (filters.outcome) query.where('outcome', filters.outcome)

    if (request.input('format') === 'csv') {
      const events = await query.limit(100000)
      return sendCsv(
        response,
        'audit_events.csv',
        ['id', 'time', 'actor', 'ip', 'action', 'target', 'outcome', 'details', 'hash'].map((k) =>
          i18n.t(`messages.audit.fields.${k}`)
        ),
        events.map((e) => [
          e.id,
          formatDateTime(e.occurredAt),
          e.actorName,
          e.ip,
          e.action,
          [e.targetType, e.targetId].filter(Boolean).join('#'),
          e.outcome,
          e.details,
          e.hash,
        ])
      )
    }
    const events = await query.paginate(filters.page ?? 1, PAGE_SIZE)
    events.baseUrl('/audit').queryString({ ...request.qs(), page: undefined })
    return view.render('pages/audit/index', { events, filters: request.qs() })
  }

  async verify(ctx: HttpContext) {
    const { bouncer, session, response, i18n } = ctx
    await bouncer.with(AuditPolicy).authorize('verify')
    const result = await audit.verify()
    await audit.record({
      ...actorFrom(ctx),
      action: 'audit.verify',
      outcome: result.ok ? 'success' : 'failure',
      details: result.ok
        ? { checked: result.checked }
        : { checked: result.checked, badEventId: result.badEventId, reason: result.reason },
    })
    const cp = result.checkpoint
    const cpParams = cp ? { time: formatDateTime(cp.time), last: cp.lastId ?? '-' } : {}
    if (result.ok) {
      session.flash(
        'success',
        cp
          ? i18n.t('messages.audit.verify_ok_checkpoint', { count: result.checked, ...cpParams })
          : i18n.t('messages.audit.verify_ok', { count: result.checked })
      )
    } else {
      session.flash(
        'error',
        i18n.t(`messages.audit.verify_${result.reason}`, {
          id: result.badEventId ?? '-',
          count: result.checked,
          file: result.detail ?? '',
          ...cpParams,
        })
      )
    }
    return response.redirect('/audit')
  }
}
