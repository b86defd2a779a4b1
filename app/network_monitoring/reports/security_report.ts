import type { I18n } from '@adonisjs/i18n'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import AlertHandlingRecord from '#network_monitoring/models/alert_handling_record'
import type Alert from '#network_monitoring/models/alert'
import { alertListQuery, alertSummary } from '#network_monitoring/alerts/alert_queries'
import {
  CATEGORIES,
  GRADES,
  categoryOf,
  type GradeLevel,
} from '#network_monitoring/alerts/classification'
import { availabilityReport } from '#network_monitoring/services/availability_report'
import { SITE_LEVELS, type SiteLevel } from '#network_monitoring/models/site'
import { formatPercent } from '#network_monitoring/services/formats'
import { responseTargets } from '#network_monitoring/reports/response_targets'
import {
  documentI18n,
  documentNumber,
  finishDocument,
  openDocument,
  type RenderedPdf,
} from '#core/pdf/documents'
import { PDF_ZONE, pdfDateTime } from '#core/pdf/format'
import { SERIES_COLORS } from '#core/pdf/pdf_writer'

export interface CategoryRow {
  categoryGroup: string
  category: string
  byGrade: Record<GradeLevel, number>
  total: number
}

export interface ResponseRow {
  grade: GradeLevel
  count: number
  acknowledged: number
  mttaMinutes: number | null
  mttaTarget: number
  ackWithinTarget: number
  resolved: number
  mttrMinutes: number | null
  mttrTarget: number
  resolvedWithinTarget: number
}

export interface SecurityMonth {
  month: string
  /** The 告警中心 filters that list exactly the alerts this report counts. */
  filters: { from: Date; to: Date }
  total: number
  threats: number
  faults: number
  categories: CategoryRow[]
  byGrade: Record<GradeLevel, number>
  availability: {
    level: SiteLevel
    devices: number
    counted: number
    failed: number
    ratio: number | null
    downtimeMinutes: number
  }[]
  response: ResponseRow[]
  topUnits: { name: string; count: number }[]
  topDevices: { name: string; count: number }[]
  notable: { alert: Alert; records: AlertHandlingRecord[]; device: string; site: string }[]
}

/** The 告警中心 date filters (inclusive days, Asia/Shanghai) of a calendar month. */
export function monthFilters(month: string) {
  const start = DateTime.fromFormat(month, 'yyyy-MM', { zone: PDF_ZONE })
  const end = start.endOf('month')
  return {
    from: new Date(start.year, start.month - 1, 1),
    to: new Date(end.year, end.month - 1, end.day),
  }
}

const emptyGrades = () =>
  Object.fromEntries(GRADES.map((g) => [g, 0])) as Record<GradeLevel, number>

/**
 * Figures of the 网络安全月报. Events are the alerts the 告警中心 lists for the month's dates
 * (alertListQuery with from/to: first seen in the month, suppressed children left out), grouped
 * by GB/T 20986 category and grade, so the report's totals equal the list's.
 */
export async function securityMonth(month: string): Promise<SecurityMonth> {
  const filters = monthFilters(month)
  const { query } = await alertListQuery(filters)
  const grouped: { category_group: string; category: string; grade: number; n: unknown }[] =
    await query
      .clone()
      .clearOrder()
      .select('category_group', 'category', 'grade')
      .count('* as n')
      .groupBy('category_group', 'category', 'grade')
      .pojo()

  const rows = new Map<string, CategoryRow>()
  const byGrade = emptyGrades()
  for (const row of grouped) {
    const grade = Number(row.grade) as GradeLevel
    const n = Number(row.n)
    const key = String(row.category)
    const entry = rows.get(key) ?? {
      categoryGroup: String(row.category_group),
      category: key,
      byGrade: emptyGrades(),
      total: 0,
    }
    entry.byGrade[grade] += n
    entry.total += n
    byGrade[grade] += n
    rows.set(key, entry)
  }
  const order = CATEGORIES.flatMap((c) => c.subcategories)
  const categories = [...rows.values()].sort(
    (a, b) =>
      CATEGORIES.findIndex((c) => c.code === a.categoryGroup) -
        CATEGORIES.findIndex((c) => c.code === b.categoryGroup) ||
      order.indexOf(a.category) - order.indexOf(b.category)
  )
  const kindOf = (row: CategoryRow) =>
    CATEGORIES.find((c) => c.code === row.categoryGroup)?.kind ?? safeKind(row.category)
  const total = categories.reduce((sum, row) => sum + row.total, 0)
  const threats = categories
    .filter((row) => kindOf(row) === 'threat')
    .reduce((sum, row) => sum + row.total, 0)

  const availability = []
  for (const level of SITE_LEVELS) {
    const report = await availabilityReport(month, { level, scope: 'site' })
    availability.push({ level, ...report.total })
  }

  const times: {
    grade: number
    first_seen_at: unknown
    acknowledged_at: unknown
    resolved_at: unknown
  }[] = await query
    .clone()
    .clearOrder()
    .select('grade', 'first_seen_at', 'acknowledged_at', 'resolved_at')
    .pojo()
  const targets = responseTargets()
  const response: ResponseRow[] = GRADES.map((grade) => ({
    grade,
    count: 0,
    acknowledged: 0,
    mttaMinutes: null,
    mttaTarget: targets.mtta[grade],
    ackWithinTarget: 0,
    resolved: 0,
    mttrMinutes: null,
    mttrTarget: targets.mttr[grade],
    resolvedWithinTarget: 0,
  }))
  const sums = GRADES.map(() => ({ ack: 0, res: 0 }))
  for (const row of times) {
    const index = GRADES.indexOf(Number(row.grade) as GradeLevel)
    if (index < 0) continue
    const entry = response[index]
    entry.count++
    const first = toMillis(row.first_seen_at)
    const ack = toMillis(row.acknowledged_at)
    const res = toMillis(row.resolved_at)
    if (first !== null && ack !== null) {
      const minutes = (ack - first) / 60_000
      entry.acknowledged++
      sums[index].ack += minutes
      if (minutes <= entry.mttaTarget) entry.ackWithinTarget++
    }
    if (first !== null && res !== null) {
      const minutes = (res - first) / 60_000
      entry.resolved++
      sums[index].res += minutes
      if (minutes <= entry.mttrTarget) entry.resolvedWithinTarget++
    }
  }
  response.forEach((entry, index) => {
    entry.mttaMinutes = entry.acknowledged ? sums[index].ack / entry.acknowledged : null
    entry.mttrMinutes = entry.resolved ? sums[index].res / entry.resolved : null
  })

  const top = async (column: 'unit_id' | 'device_id', table: string) => {
    const counts: { id: unknown; n: unknown }[] = await query
      .clone()
      .clearOrder()
      .whereNotNull(column)
      .select(`${column} as id`)
      .count('* as n')
      .groupBy(column)
      .orderBy('n', 'desc')
      .orderBy(column)
      .limit(10)
      .pojo()
    const ids = counts.map((row) => Number(row.id))
    const names = new Map(
      (ids.length ? await db.from(table).whereIn('id', ids).select('id', 'name') : []).map(
        (row) => [Number(row.id), String(row.name)]
      )
    )
    return counts.map((row) => ({
      name: names.get(Number(row.id)) ?? `#${row.id}`,
      count: Number(row.n),
    }))
  }
  const topUnits = await top('unit_id', 'units')
  const topDevices = await top('device_id', 'network_devices')

  const notableAlerts = await query
    .clone()
    .clearOrder()
    .orderBy('grade', 'asc')
    .orderBy('count', 'desc')
    .orderBy('id', 'asc')
    .limit(8)
  const alertIds = notableAlerts.map((alert) => alert.id)
  const records = alertIds.length
    ? await AlertHandlingRecord.query().whereIn('alert_id', alertIds).orderBy('id')
    : []
  const deviceIds = notableAlerts.map((a) => a.deviceId).filter((id): id is number => id !== null)
  const siteIds = notableAlerts.map((a) => a.siteId).filter((id): id is number => id !== null)
  const deviceNames = new Map(
    (deviceIds.length
      ? await db.from('network_devices').whereIn('id', deviceIds).select('id', 'name')
      : []
    ).map((row) => [Number(row.id), String(row.name)])
  )
  const siteNames = new Map(
    (siteIds.length
      ? await db.from('network_sites').whereIn('id', siteIds).select('id', 'name')
      : []
    ).map((row) => [Number(row.id), String(row.name)])
  )
  const notable = notableAlerts.map((alert) => ({
    alert,
    records: records.filter((record) => record.alertId === alert.id),
    device: alert.deviceId ? (deviceNames.get(alert.deviceId) ?? '') : '',
    site: alert.siteId ? (siteNames.get(alert.siteId) ?? '') : '',
  }))

  return {
    month,
    filters,
    total,
    threats,
    faults: total - threats,
    categories,
    byGrade,
    availability,
    response,
    topUnits,
    topDevices,
    notable,
  }
}

function safeKind(subcategory: string) {
  try {
    return categoryOf(subcategory).kind
  } catch {
    return 'threat'
  }
}

/** A datetime column as epoch ms (SQLite gives text in UTC, MySQL a Date). */
function toMillis(value: unknown): number | null {
  if (value === null || value === undefined) return null
  if (value instanceof Date) return value.getTime()
  if (value instanceof DateTime) return value.toMillis()
  const text = String(value)
  const parsed = DateTime.fromSQL(text, { zone: 'utc' })
  if (parsed.isValid) return parsed.toMillis()
  const iso = DateTime.fromISO(text, { zone: 'utc' })
  return iso.isValid ? iso.toMillis() : null
}

/** 网络安全月报 as a PDF; a month without events is a valid report that says so. */
export async function renderSecurityReport(month: string, i18nIn?: I18n): Promise<RenderedPdf> {
  const i18n = documentI18n(i18nIn)
  const t = (key: string, values?: Record<string, string | number>) => i18n.t(key, values)
  const data = await securityMonth(month)
  const [year, monthNumber] = month.split('-').map(Number)
  const title = t('reports.security.title', { year, month: monthNumber })
  const writer = await openDocument(
    i18n,
    title,
    documentNumber(i18n, 'security', year, monthNumber)
  )
  await writer.title(
    title,
    t('reports.security.period', {
      from: DateTime.fromJSDate(data.filters.from).toFormat('yyyy-MM-dd'),
      to: DateTime.fromJSDate(data.filters.to).toFormat('yyyy-MM-dd'),
    })
  )
  const cat = (code: string) => t(`alerts.categories.${code}`)
  const sub = (code: string) => t(`alerts.subcategories.${code}`)
  const minutes = (value: number | null) =>
    value === null ? '—' : t('reports.security.minutes', { n: value.toFixed(1) })

  await writer.heading(t('reports.security.summary'))
  if (data.total === 0) {
    await writer.paragraph(t('reports.security.empty', { month: monthNumber }), { bold: true })
  } else {
    const threatRows = data.categories.filter(
      (row) => (CATEGORIES.find((c) => c.code === row.categoryGroup)?.kind ?? 'threat') === 'threat'
    )
    await writer.paragraph(
      t('reports.security.summary_line', {
        month: monthNumber,
        threats: data.threats,
        detail: threatRows.map((row) => `${sub(row.category)}${row.total}起`).join('、') || '—',
        faults: data.faults,
        total: data.total,
      })
    )
  }
  const overall = data.availability.reduce(
    (sum, row) => ({ counted: sum.counted + row.counted, ok: sum.ok + (row.counted - row.failed) }),
    { counted: 0, ok: 0 }
  )
  const answered = data.response.filter((row) => row.acknowledged > 0)
  const resolved = data.response.filter((row) => row.resolved > 0)
  const meanOf = (rows: ResponseRow[], pick: (row: ResponseRow) => [number | null, number]) => {
    const weight = rows.reduce((s, r) => s + pick(r)[1], 0)
    return weight ? rows.reduce((s, r) => s + (pick(r)[0] ?? 0) * pick(r)[1], 0) / weight : null
  }
  await writer.keyValues([
    [t('reports.security.total_events'), t('reports.security.events', { n: data.total })],
    [t('reports.security.threat_events'), t('reports.security.events', { n: data.threats })],
    [t('reports.security.fault_events'), t('reports.security.events', { n: data.faults })],
    [
      t('reports.security.availability_overall'),
      formatPercent(overall.counted ? overall.ok / overall.counted : null, 3),
    ],
    [
      t('reports.security.mtta_short'),
      minutes(meanOf(answered, (r) => [r.mttaMinutes, r.acknowledged])),
    ],
    [
      t('reports.security.mttr_short'),
      minutes(meanOf(resolved, (r) => [r.mttrMinutes, r.resolved])),
    ],
  ])

  await writer.heading(t('reports.security.by_category'))
  const gradeColumns = GRADES.map((grade) => ({
    header: t(`alerts.grades.${grade}`),
    width: 1,
    align: 'right' as const,
  }))
  await writer.table(
    [
      { header: t('reports.security.category'), width: 1.7 },
      { header: t('reports.security.subcategory'), width: 1.9 },
      ...gradeColumns,
      { header: t('reports.fields.total'), width: 0.8, align: 'right' },
    ],
    data.categories.map((row) => [
      cat(row.categoryGroup),
      sub(row.category),
      ...GRADES.map((grade) => String(row.byGrade[grade])),
      String(row.total),
    ]),
    {
      emptyText: t('reports.security.empty', { month: monthNumber }),
      footerRows: [
        [
          t('reports.fields.total'),
          '',
          ...GRADES.map((grade) => String(data.byGrade[grade])),
          String(data.total),
        ],
      ],
      size: 8.5,
    }
  )
  await writer.barChart({
    title: t('reports.security.chart_title'),
    series: [{ name: t('reports.security.chart_series'), color: SERIES_COLORS[3] }],
    groups: [...data.categories]
      .sort((a, b) => b.total - a.total)
      .slice(0, 12)
      .map((row) => ({
        label: sub(row.category),
        values: [row.total],
        valueLabels: [String(row.total)],
      })),
    emptyText: t('reports.security.chart_empty'),
  })

  await writer.heading(t('reports.security.availability'))
  await writer.table(
    [
      { header: t('reports.security.level'), width: 1 },
      { header: t('reports.security.devices'), width: 1, align: 'right' },
      { header: t('reports.security.polls'), width: 1.3, align: 'right' },
      { header: t('reports.security.failed_polls'), width: 1.2, align: 'right' },
      { header: t('reports.security.availability_ratio'), width: 1.2, align: 'right' },
      { header: t('reports.security.downtime'), width: 1.4, align: 'right' },
    ],
    data.availability.map((row) => [
      t(`monitoring.site_levels.${row.level}`),
      String(row.devices),
      String(row.counted),
      String(row.failed),
      formatPercent(row.ratio, 3),
      String(row.downtimeMinutes),
    ]),
    { size: 8.5 }
  )
  if (overall.counted === 0) {
    await writer.paragraph(t('reports.security.no_polls'), { size: 9, color: '#555555' })
  }

  await writer.heading(t('reports.security.response'))
  await writer.table(
    [
      { header: t('reports.security.grade'), width: 1.4 },
      { header: t('reports.security.events_col'), width: 0.7, align: 'right' },
      { header: t('reports.security.mtta'), width: 1.1, align: 'right' },
      { header: t('reports.security.target'), width: 0.9, align: 'right' },
      { header: t('reports.security.within'), width: 0.9, align: 'right' },
      { header: t('reports.security.mttr'), width: 1.1, align: 'right' },
      { header: t('reports.security.target'), width: 0.9, align: 'right' },
      { header: t('reports.security.within'), width: 0.9, align: 'right' },
    ],
    data.response.map((row) => [
      t(`alerts.grades.${row.grade}`),
      String(row.count),
      minutes(row.mttaMinutes),
      t('reports.security.minutes', { n: row.mttaTarget }),
      row.acknowledged ? `${row.ackWithinTarget}/${row.acknowledged}` : '—',
      minutes(row.mttrMinutes),
      t('reports.security.minutes', { n: row.mttrTarget }),
      row.resolved ? `${row.resolvedWithinTarget}/${row.resolved}` : '—',
    ]),
    { size: 8.5 }
  )

  await writer.heading(t('reports.security.top'))
  const topColumns = (first: string) => [
    { header: t('reports.fields.index'), width: 0.5, align: 'center' as const },
    { header: first, width: 4 },
    { header: t('reports.security.events_col'), width: 1, align: 'right' as const },
  ]
  await writer.table(
    topColumns(t('reports.security.unit')),
    data.topUnits.map((row, i) => [String(i + 1), row.name, String(row.count)]),
    { emptyText: t('reports.security.none') }
  )
  await writer.table(
    topColumns(t('reports.security.device')),
    data.topDevices.map((row, i) => [String(i + 1), row.name, String(row.count)]),
    { emptyText: t('reports.security.none') }
  )

  await writer.heading(t('reports.security.notable'))
  await writer.table(
    [
      { header: t('reports.security.alert_no'), width: 0.7 },
      { header: t('reports.security.when'), width: 1.2 },
      { header: t('reports.security.grade'), width: 1.1 },
      { header: t('reports.security.event'), width: 2.6 },
      { header: t('reports.security.state'), width: 0.8 },
      { header: t('reports.security.handling'), width: 3 },
    ],
    data.notable.map(({ alert, records, device, site }) => [
      `#${alert.id}`,
      pdfDateTime(alert.firstSeenAt),
      t(`alerts.grades.${alert.grade}`),
      `${sub(alert.category)}：${alertSummary(i18n, alert)}${device || site ? `\n${[site, device].filter(Boolean).join(' / ')}` : ''}`,
      t(`alerts.states.${alert.state}`),
      records.length
        ? records
            .map((record) =>
              t('reports.security.record', {
                time: pdfDateTime(record.createdAt),
                who: record.createdByName ?? '',
                cause: record.cause,
                action: record.action,
              })
            )
            .join('\n')
        : t('reports.security.no_record'),
    ]),
    { emptyText: t('reports.security.none'), size: 8 }
  )
  await writer.paragraph(
    t('reports.security.note', {
      from: DateTime.fromJSDate(data.filters.from).toFormat('yyyy-MM-dd'),
      to: DateTime.fromJSDate(data.filters.to).toFormat('yyyy-MM-dd'),
    }),
    { size: 8.5, color: '#555555' }
  )
  await writer.signatures([
    { label: t('reports.sign.compiler') },
    { label: t('reports.sign.approver') },
    { label: t('reports.sign.date'), note: t('reports.sign.date_blank') },
  ])
  return finishDocument(writer, t('reports.security.filename', { month }))
}
