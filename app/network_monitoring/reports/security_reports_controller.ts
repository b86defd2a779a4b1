import vine from '@vinejs/vine'
import type { HttpContext } from '@adonisjs/core/http'
import MonitoringPolicy from '#network_monitoring/policies/monitoring_policy'
import { currentMonth } from '#network_monitoring/services/availability_report'
import { monitoringMessages } from '#network_monitoring/validators/messages_provider'
import { compactQuery, validateFilters } from '#core/list_filters'
import { singleLine } from '#core/validation'
import { sendPdf } from '#core/pdf/documents'
import { renderSecurityReport, monthFilters } from '#network_monitoring/reports/security_report'

const monthValidator = vine.create({
  month: singleLine()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
    .optional(),
})

/** 网络安全月报: a page to pick the month and the PDF; readers of the 告警中心 may have both. */
export default class SecurityReportsController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.with(MonitoringPolicy).authorize('viewAlerts')
    const { filters, errors, values } = await validateFilters(
      ctx,
      monthValidator,
      monitoringMessages({ i18n: ctx.i18n })
    )
    const month = filters.month ?? currentMonth()
    const { from, to } = monthFilters(month)
    const day = (date: Date) =>
      `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`
    return ctx.view.render('pages/monitoring/reports/security', {
      month,
      values,
      filterErrors: errors,
      alertsHref: `/monitoring/alerts?from=${day(from)}&to=${day(to)}`,
    })
  }

  async download(ctx: HttpContext) {
    await ctx.bouncer.with(MonitoringPolicy).authorize('viewAlerts')
    const { month } = await monthValidator.validate(
      compactQuery(ctx.request.qs()),
      monitoringMessages({ i18n: ctx.i18n })
    )
    return sendPdf(ctx.response, await renderSecurityReport(month ?? currentMonth(), ctx.i18n))
  }
}
