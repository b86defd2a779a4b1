import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import vine from '@vinejs/vine'
import app from '@adonisjs/core/services/app'
import type { I18n } from '@adonisjs/i18n'
import type { ModelQueryBuilderContract } from '@adonisjs/lucid/types/model'
import { DateTime } from 'luxon'
import type { HttpContext } from '@adonisjs/core/http'
import AuditEvent from '#core/audit/audit_event'
import AuditPolicy from '#core/audit/audit_policy'
import audit, { actorFrom } from '#core/audit/audit_service'
import { PAGE_SIZE, csvCell } from '#core/http_helpers'
import { validateFilters } from '#core/list_filters'
import { singleLine, number } from '#core/validation'
import { DISPLAY_ZONE, formatDateTime } from '#start/view'
import {
  actionLabel,
  actionOptions,
  detailLines,
  targetLabel,
  targetNames,
} from '#core/audit/audit_presenter'

const filterValidator = vine.create({
  from: vine.date({ formats: ['YYYY-MM-DD'] }).optional(),
  to: vine.date({ formats: ['YYYY-MM-DD'] }).optional(),
  action: singleLine().maxLength(64).optional(),
  actor: singleLine().maxLength(100).optional(),
  outcome: vine.enum(['success', 'failure']).optional(),
  page: number().withoutDecimals().min(1).max(1000000).optional(),
})

let known: string[] | null = null

/** Every action code that has a Chinese name (resources/lang/zh-CN/audit.json). */
function knownActions() {
  if (known) return known
  const file = JSON.parse(readFileSync(app.languageFilesPath('zh-CN', 'audit.json'), 'utf8'))
  const codes: string[] = []
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'string') codes.push(`${prefix}${key}`)
      else walk(value as Record<string, unknown>, `${prefix}${key}.`)
    }
  }
  walk(file.actions, '')
  known = codes
  return codes
}

/**
 * Every matching row as CSV, streamed in id-keyset batches (no cap, constant
 * memory): Chinese action names, targets by name, readable details, 成功/失败.
 */
async function* csvLines(query: ModelQueryBuilderContract<typeof AuditEvent>, i18n: I18n) {
  const header = [
    'id',
    'time',
    'actor',
    'ip',
    'action',
    'action_code',
    'target',
    'outcome',
    'details',
    'hash',
  ]
  yield (
    '\uFEFF' + header.map((k) => csvCell(i18n.t(`messages.audit.fields.${k}`))).join(',') + '\r\n'
  )
  const labels = new Map<string, string>()
  const outcome = {
    success: i18n.t('messages.audit.outcome_success'),
    failure: i18n.t('messages.audit.outcome_failure'),
  }
  let lastId: number | null = null
  for (;;) {
    const batch = query.clone().limit(CSV_BATCH)
    if (lastId !== null) batch.where('id', '<', lastId)
    const events = await batch
    if (events.length === 0) return
    const names = await targetNames(events)
    const lines: string[] = []
    for (const e of events) {
      let label = labels.get(e.action)
      if (label === undefined) {
        label = actionLabel(i18n, e.action)
        labels.set(e.action, label)
      }
      const details = e.details === '{}' ? '' : detailLines(i18n, e.detailsObject).join('；')
      lines.push(
        [
          e.id,
          beijingTime(e.occurredAt),
          e.actorName,
          e.ip,
          label,
          e.action,
          targetLabel(i18n, e, names),
          outcome[e.outcome] ?? e.outcome,
          details,
          e.hash,
        ]
          .map(csvCell)
          .join(',')
      )
    }
    yield lines.join('\r\n') + '\r\n'
    lastId = Number(events[events.length - 1].id)
    if (events.length < CSV_BATCH) return
  }
}

const CSV_BATCH = 2000

/** Asia/Shanghai is UTC+8 all year (no DST since 1991): a fast formatter for bulk export. */
function beijingTime(iso: string) {
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return iso
  return new Date(t + 8 * 3600 * 1000).toISOString().slice(0, 19).replace('T', ' ')
}

/** The auditor's (审计员) read-only view of the audit trail, with integrity verification. */
export default class AuditController {
  async index(ctx: HttpContext) {
    const { view, bouncer, response, i18n, request } = ctx
    await bouncer.with(AuditPolicy).authorize('view')
    const {
      filters,
      errors,
      query: listQuery,
      values,
    } = await validateFilters(ctx, filterValidator)
    const query = AuditEvent.query().orderBy('id', 'desc')
    const day = (d: Date) =>
      DateTime.fromJSDate(d).setZone(DISPLAY_ZONE, { keepLocalTime: true }).startOf('day')
    if (filters.from) query.where('occurred_at', '>=', day(filters.from).toUTC().toISO()!)
    if (filters.to)
      query.where('occurred_at', '<', day(filters.to).plus({ days: 1 }).toUTC().toISO()!)
    if (filters.action) {
      // a code ending in "." (e.g. "user.") selects the whole group
      if (filters.action.endsWith('.')) query.where('action', 'like', `${filters.action}%`)
      else query.where('action', filters.action)
    }
    if (filters.actor) query.where('actor_name', 'like', `%${filters.actor}%`)
    if (filters.outcome) query.where('outcome', filters.outcome)

    if (request.input('format') === 'csv') {
      response.header('content-type', 'text/csv; charset=utf-8')
      response.header('content-disposition', 'attachment; filename="audit_events.csv"')
      response.stream(Readable.from(csvLines(query, i18n)))
      return
    }
    const events = await query.paginate(filters.page ?? 1, PAGE_SIZE)
    events.baseUrl('/audit').queryString(listQuery)
    const names = await targetNames(events.all())
    const rows = events.all().map((event) => ({
      event,
      action: actionLabel(i18n, event.action),
      target: targetLabel(i18n, event, names),
      details: detailLines(i18n, event.detailsObject),
    }))
    return view.render('pages/audit/index', {
      events,
      rows,
      filters: values,
      filterErrors: errors,
      actions: await actionOptions(i18n, knownActions()),
    })
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
