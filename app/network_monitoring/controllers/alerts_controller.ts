import { Readable } from 'node:stream'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import Alert from '#network_monitoring/models/alert'
import AlertEvent from '#network_monitoring/models/alert_event'
import AlertHandlingRecord from '#network_monitoring/models/alert_handling_record'
import MonitoringPolicy from '#network_monitoring/policies/monitoring_policy'
import { CATEGORIES, GRADES, SUBCATEGORY_CODES } from '#network_monitoring/alerts/classification'
import { ALERT_STATES, availableActions } from '#network_monitoring/alerts/lifecycle'
import {
  alertCsvLines,
  alertDashboard,
  alertSiteOptions,
  alertListQuery,
  alertNames,
  alertSummary,
  alertPage,
  boardAlerts,
  cappedCount,
  COUNT_CAP,
} from '#network_monitoring/alerts/alert_queries'
import { categoryChart } from '#network_monitoring/alerts/alert_chart'
import { alertListValidator, alertMessages } from '#network_monitoring/validators/alert_validators'
import { PAGE_SIZE } from '#core/http_helpers'
import { validateFilters } from '#core/list_filters'
import audit, { actorFrom } from '#core/audit/audit_service'
import { formatDateTime } from '#start/view'

/** 告警中心: the alert list, an alert's detail page, and the alert dashboard. */
export default class AlertsController {
  async index(ctx: HttpContext) {
    const { view, bouncer, response, request, i18n } = ctx
    await bouncer.with(MonitoringPolicy).authorize('viewAlerts')
    const {
      filters,
      errors,
      query: listQuery,
      values,
    } = await validateFilters(ctx, alertListValidator, alertMessages({ i18n }))
    const { query } = await alertListQuery(filters)

    if (request.input('format') === 'csv') {
      await audit.record({
        ...actorFrom(ctx),
        action: 'alert.export',
        details: { filters: listQuery },
      })
      response.header('content-type', 'text/csv; charset=utf-8')
      response.header('content-disposition', 'attachment; filename="alerts.csv"')
      response.stream(Readable.from(alertCsvLines(query, i18n)))
      return
    }

    const page = filters.page ?? 1
    const [alerts, count] = await Promise.all([
      alertPage(query, page, PAGE_SIZE),
      cappedCount(query),
    ])
    const names = await alertNames(alerts)
    const [siteOptions, units] = await Promise.all([
      alertSiteOptions(),
      db.from('units').orderBy('name').select('id', 'name'),
    ])
    const lastPage = Math.max(1, Math.ceil(count.total / PAGE_SIZE))
    const pageUrl = (n: number) =>
      '/monitoring/alerts?' + new URLSearchParams({ ...flatten(listQuery), page: String(n) })
    return view.render('pages/alerts/index', {
      alerts,
      rows: alerts.map((alert) => ({ alert, summary: alertSummary(i18n, alert) })),
      names,
      count,
      countCap: COUNT_CAP,
      page,
      lastPage,
      prevUrl: page > 1 ? pageUrl(page - 1) : null,
      nextUrl: page < lastPage ? pageUrl(page + 1) : null,
      csvUrl: '/monitoring/alerts?' + new URLSearchParams({ ...flatten(listQuery), format: 'csv' }),
      filters,
      filterErrors: errors,
      values,
      siteOptions,
      units,
      categories: CATEGORIES,
      grades: GRADES,
      states: ALERT_STATES,
    })
  }

  async show(ctx: HttpContext) {
    const { view, bouncer, params, i18n } = ctx
    await bouncer.with(MonitoringPolicy).authorize('viewAlerts')
    const alert = await Alert.findOrFail(params.id)
    const [events, records, children, parent] = await Promise.all([
      AlertEvent.query().where('alert_id', alert.id).orderBy('id', 'desc').limit(200),
      AlertHandlingRecord.query().where('alert_id', alert.id).orderBy('id'),
      Alert.query().where('parent_alert_id', alert.id).orderBy('id').limit(400),
      alert.parentAlertId ? Alert.find(alert.parentAlertId) : null,
    ])
    const names = await alertNames([alert, ...children])
    const netadmins = await db
      .from('users')
      .join('user_roles', 'user_roles.user_id', 'users.id')
      .where('user_roles.role', 'netadmin')
      .where('users.is_active', true)
      .orderBy('users.full_name')
      .select('users.id', 'users.full_name')
    const canHandle = await ctx.bouncer.with(MonitoringPolicy).allows('handleAlerts')
    return view.render('pages/alerts/show', {
      alert,
      summary: alertSummary(i18n, alert),
      events,
      records,
      children: children.map((child) => ({ alert: child, summary: alertSummary(i18n, child) })),
      parent,
      names,
      netadmins,
      canHandle,
      actions: availableActions(alert.state),
      subcategories: SUBCATEGORY_CODES,
      categories: CATEGORIES,
      grades: GRADES,
    })
  }

  /** Live alerts for the status board (badges per town, newest list, new-alert sound). */
  async live({ bouncer, i18n, response }: HttpContext) {
    await bouncer.with(MonitoringPolicy).authorize('viewAlerts')
    const live = await boardAlerts()
    const names = await alertNames(live.latest)
    response.header('cache-control', 'no-store')
    return {
      total: live.total,
      newestId: live.newestId,
      groups: live.groups,
      devices: live.devices,
      latest: live.latest.map((alert) => ({
        id: alert.id,
        grade: alert.grade,
        gradeLabel: i18n.t(`alerts.grades_short.${alert.grade}`),
        state: i18n.t(`alerts.states.${alert.state}`),
        summary: alertSummary(i18n, alert),
        site: alert.siteId ? (names.sites.get(alert.siteId) ?? '') : '',
        at: formatDateTime(alert.lastSeenAt, 'MM-dd HH:mm:ss'),
      })),
    }
  }

  async dashboard({ view, bouncer, i18n }: HttpContext) {
    await bouncer.with(MonitoringPolicy).authorize('viewAlerts')
    const stats = await alertDashboard()
    const chart = categoryChart(stats, (code) => i18n.t(`alerts.categories.${code}`))
    return view.render('pages/alerts/dashboard', { stats, chart, grades: GRADES })
  }
}

function flatten(query: Record<string, string | string[]>) {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(query)) {
    out[key] = Array.isArray(value) ? value[0] : value
  }
  return out
}
