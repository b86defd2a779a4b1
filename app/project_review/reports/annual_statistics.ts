import type { I18n } from '@adonisjs/i18n'
import db from '@adonisjs/lucid/services/db'
import Project, { PROJECT_CATEGORIES } from '#project_review/models/project'
import Unit from '#identity/models/unit'
import { DECIDED_STATES } from '#project_review/lifecycle'
import { reviewStats, type ReviewStats } from '#project_review/services/review_stats'
import { cutFigures } from '#project_review/domain/aggregation'
import {
  acceptanceFigures,
  type AcceptanceFigures,
} from '#project_review/reports/acceptance_figures'
import { formatWanYuan } from '#core/money'
import {
  documentI18n,
  documentNumber,
  finishDocument,
  openDocument,
  type RenderedPdf,
} from '#core/pdf/documents'
import { pdfRateBp, pdfYuan } from '#core/pdf/format'
import { SERIES_COLORS } from '#core/pdf/pdf_writer'

export interface AnnualStatistics {
  year: number
  /** Exactly what GET /api/v1/stats/review?year= answers: the same function. */
  total: ReviewStats
  byUnit: { unitId: number; unitName: string; stats: ReviewStats }[]
  byCategory: { category: string; stats: ReviewStats }[]
  topCuts: {
    id: number
    code: string | null
    title: string
    unitName: string
    requestedFen: number
    approvedFen: number
    cutFen: number
    cutRateBp: number | null
  }[]
  acceptance: AcceptanceFigures
}

/**
 * 年度信息化项目管理统计 figures. Every total comes from `reviewStats` — the query behind
 * GET /api/v1/stats/review — called with the year and, per row, the unit or category, so the
 * document and the API cannot disagree.
 */
export async function annualStatistics(year: number): Promise<AnnualStatistics> {
  const total = await reviewStats({ year })
  const unitRows: { unit_id: number }[] = await db
    .from('projects')
    .where('year', year)
    .whereIn('state', [...DECIDED_STATES])
    .distinct('unit_id')
  const units = unitRows.length
    ? await Unit.query().whereIn(
        'id',
        unitRows.map((row) => Number(row.unit_id))
      )
    : []
  const byUnit = []
  for (const unit of units) {
    byUnit.push({
      unitId: unit.id,
      unitName: unit.name,
      stats: await reviewStats({ year, unitId: unit.id }),
    })
  }
  byUnit.sort((a, b) => b.stats.requestedFen - a.stats.requestedFen || a.unitId - b.unitId)
  const byCategory = []
  for (const category of PROJECT_CATEGORIES) {
    const stats = await reviewStats({ year, category })
    if (stats.count > 0) byCategory.push({ category, stats })
  }
  const cutExpression = 'requested_fen - coalesce(approved_fen, 0)'
  const top = await Project.query()
    .where('year', year)
    .whereIn('state', [...DECIDED_STATES])
    .preload('unit')
    .orderByRaw(`${cutExpression} desc`)
    .orderBy('id')
    .limit(10)
  const topCuts = top.map((project) => {
    const figures = cutFigures([
      { requestedFen: project.requestedFen, approvedFen: project.approvedFen ?? 0 },
    ])
    return {
      id: project.id,
      code: project.code,
      title: project.title,
      unitName: project.unit.name,
      ...figures,
    }
  })
  return { year, total, byUnit, byCategory, topCuts, acceptance: await acceptanceFigures(year) }
}

/** The annual statistics as a PDF; a year without decided projects gives a valid report saying so. */
export async function renderAnnualStatistics(year: number, i18nIn?: I18n): Promise<RenderedPdf> {
  const i18n = documentI18n(i18nIn)
  const t = (key: string, values?: Record<string, string | number>) => i18n.t(key, values)
  const data = await annualStatistics(year)
  const title = t('reports.annual.title', { year })
  const writer = await openDocument(i18n, title, documentNumber(i18n, 'annual', year, 1))
  await writer.title(title)
  const wan = (fen: number) => formatWanYuan(fen)
  const { total, acceptance } = data

  await writer.heading(t('reports.annual.summary'))
  if (total.count === 0) {
    await writer.paragraph(t('reports.annual.empty', { year }), { bold: true })
  } else {
    await writer.paragraph(
      t('reports.annual.summary_line', {
        year,
        count: total.count,
        requested: wan(total.requestedFen),
        approved: wan(total.approvedFen),
        cut: wan(total.cutFen),
        rate: pdfRateBp(total.cutRateBp),
      })
    )
  }
  await writer.paragraph(
    acceptance.accepted > 0
      ? t('reports.annual.acceptance_line', {
          accepted: acceptance.accepted,
          amount: wan(acceptance.amountFen),
          evaluated: acceptance.evaluated,
        })
      : t('reports.annual.no_acceptance')
  )
  await writer.keyValues([
    [t('reports.annual.reviewed'), t('reports.units.count', { count: total.count })],
    [t('reports.annual.approved_declined'), `${total.approvedCount} / ${total.declinedCount}`],
    [t('reports.annual.requested'), `${pdfYuan(total.requestedFen)} ${t('reports.units.yuan')}`],
    [t('reports.annual.approved'), `${pdfYuan(total.approvedFen)} ${t('reports.units.yuan')}`],
    [t('reports.annual.cut'), `${pdfYuan(total.cutFen)} ${t('reports.units.yuan')}`],
    [t('reports.annual.cut_rate'), pdfRateBp(total.cutRateBp) || '—'],
    [t('reports.annual.accepted'), t('reports.units.count', { count: acceptance.accepted })],
    [
      t('reports.annual.accepted_amount'),
      `${pdfYuan(acceptance.amountFen)} ${t('reports.units.yuan')}`,
    ],
    [t('reports.annual.evaluated'), t('reports.units.count', { count: acceptance.evaluated })],
    [
      t('reports.annual.rectifications'),
      t('reports.units.count', { count: acceptance.rectifications }),
    ],
  ])

  const statColumns = (first: string) => [
    { header: first, width: 2.4 },
    { header: t('reports.annual.col_count'), width: 0.8, align: 'right' as const },
    { header: t('reports.annual.col_requested'), width: 1.5, align: 'right' as const },
    { header: t('reports.annual.col_approved'), width: 1.5, align: 'right' as const },
    { header: t('reports.annual.col_cut'), width: 1.5, align: 'right' as const },
    { header: t('reports.annual.col_rate'), width: 1, align: 'right' as const },
  ]
  const statCells = (label: string, stats: ReviewStats) => [
    label,
    String(stats.count),
    wan(stats.requestedFen),
    wan(stats.approvedFen),
    wan(stats.cutFen),
    pdfRateBp(stats.cutRateBp) || '—',
  ]
  const totalRow = statCells(t('reports.fields.total'), total)

  await writer.heading(t('reports.annual.by_unit'))
  await writer.table(
    statColumns(t('reports.fields.unit')),
    data.byUnit.map((row) => statCells(row.unitName, row.stats)),
    {
      emptyText: t('reports.annual.empty', { year }),
      footerRows: data.byUnit.length ? [totalRow] : [],
    }
  )
  await writer.barChart({
    title: t('reports.annual.chart_title'),
    series: [
      { name: t('reports.annual.col_requested'), color: SERIES_COLORS[0] },
      { name: t('reports.annual.col_approved'), color: SERIES_COLORS[1] },
    ],
    groups: data.byUnit.slice(0, 15).map((row) => ({
      label: row.unitName,
      values: [row.stats.requestedFen, row.stats.approvedFen],
      valueLabels: [wan(row.stats.requestedFen), wan(row.stats.approvedFen)],
    })),
    emptyText: t('reports.annual.chart_empty'),
  })

  await writer.heading(t('reports.annual.by_category'))
  await writer.table(
    statColumns(t('reports.fields.category')),
    data.byCategory.map((row) => statCells(t(`review.categories.${row.category}`), row.stats)),
    {
      emptyText: t('reports.annual.empty', { year }),
      footerRows: data.byCategory.length ? [totalRow] : [],
    }
  )

  await writer.heading(t('reports.annual.top_cuts'))
  await writer.table(
    [
      { header: t('reports.fields.index'), width: 0.6, align: 'center' },
      { header: t('reports.fields.code'), width: 1.2 },
      { header: t('reports.fields.title'), width: 2.6 },
      { header: t('reports.fields.unit'), width: 1.3 },
      { header: t('reports.annual.col_requested'), width: 1.1, align: 'right' },
      { header: t('reports.annual.col_cut'), width: 1.1, align: 'right' },
      { header: t('reports.annual.col_rate'), width: 0.9, align: 'right' },
    ],
    data.topCuts.map((row, index) => [
      String(index + 1),
      row.code ?? '',
      row.title,
      row.unitName,
      wan(row.requestedFen),
      wan(row.cutFen),
      pdfRateBp(row.cutRateBp) || '—',
    ]),
    { emptyText: t('reports.annual.empty', { year }) }
  )
  await writer.paragraph(t('reports.annual.note'), { size: 8.5, color: '#555555' })
  return finishDocument(writer, t('reports.annual.filename', { year }))
}
