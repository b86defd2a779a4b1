import vine from '@vinejs/vine'
import type { HttpContext } from '@adonisjs/core/http'
import MonitoringPolicy from '#network_monitoring/policies/monitoring_policy'
import { SITE_LEVELS } from '#network_monitoring/models/site'
import { availabilityReport, currentMonth } from '#network_monitoring/services/availability_report'
import { loadSiteTree } from '#network_monitoring/services/site_tree'
import { formatPercent } from '#network_monitoring/services/formats'
import { monitoringMessages } from '#network_monitoring/validators/messages_provider'
import { sendCsv } from '#core/http_helpers'
import { validateFilters } from '#core/list_filters'
import { singleLine, number } from '#core/validation'

const filtersValidator = vine.create({
  month: singleLine()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
    .optional(),
  level: vine.enum(SITE_LEVELS).optional(),
  townId: number().withoutDecimals().optional(),
  sort: vine.enum(['tree', 'worst']).optional(),
  scope: vine.enum(['town', 'site']).optional(),
})

/** Monthly availability per site (设备可用性月报), on screen and as CSV. */
export default class AvailabilityController {
  async index(ctx: HttpContext) {
    const { request, view, bouncer, response, i18n } = ctx
    await bouncer.with(MonitoringPolicy).authorize('view')
    const { filters, errors, values } = await validateFilters(
      ctx,
      filtersValidator,
      monitoringMessages({ i18n })
    )
    const month = filters.month ?? currentMonth()
    const report = await availabilityReport(month, filters)

    if (request.input('format') === 'csv') {
      const t = (key: string) => i18n.t(`monitoring.availability.${key}`)
      return sendCsv(
        response,
        `availability-${month}.csv`,
        [
          t('month'),
          t('level'),
          t('site'),
          t('parent'),
          t('devices'),
          t('polls'),
          t('failed'),
          t('availability'),
          t('downtime'),
          t('worst_device'),
        ],
        [
          ...report.rows.map((row) => [
            month,
            i18n.t(`monitoring.site_levels.${row.site.level}`) +
              (report.byTown && row.site.level === 'town' ? t('with_villages') : ''),
            row.site.name,
            row.parentName ?? '',
            row.devices,
            row.counted,
            row.failed,
            formatPercent(row.ratio, 3),
            row.downtimeMinutes,
            row.worst ? `${row.worst.name} ${formatPercent(row.worst.ratio, 3)}` : '',
          ]),
          [
            month,
            '',
            t('overall'),
            '',
            report.total.devices,
            report.total.counted,
            report.total.failed,
            formatPercent(report.total.ratio, 3),
            report.total.downtimeMinutes,
            '',
          ],
        ]
      )
    }
    return view.render('pages/monitoring/reports/availability', {
      report,
      filters: { ...filters, month },
      filterErrors: errors,
      values,
      levels: SITE_LEVELS,
      tree: await loadSiteTree(),
      formatPercent,
    })
  }
}
