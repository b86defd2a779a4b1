import type { I18n } from '@adonisjs/i18n'
import Project from '#project_review/models/project'
import ReviewPanel, { type PanelPurpose } from '#project_review/models/review_panel'
import ScoreSheet from '#project_review/models/score_sheet'
import { cutFigures } from '#project_review/domain/aggregation'
import { projectCutFigures } from '#project_review/services/review_stats'
import { ReviewError } from '#project_review/errors'
import {
  documentI18n,
  documentNumber,
  finishDocument,
  openDocument,
  type RenderedPdf,
} from '#core/pdf/documents'
import { pdfDate, pdfDateTime, pdfRateBp, pdfYuan } from '#core/pdf/format'

export interface OpinionOptions {
  i18n?: I18n
  /** Reviewers and the CLI see expert names; applicants read 专家1…N (DESIGN.md §A roles). */
  revealExperts: boolean
}

/** The review panel of a project (not its acceptance panel). */
export function reviewPanelOf(projectId: number, purpose: PanelPurpose = 'review') {
  return ReviewPanel.query()
    .where('project_id', projectId)
    .where('purpose', purpose)
    .preload('members', (q) => q.preload('expert'))
    .orderBy('id')
    .first()
}

/**
 * 评审意见书 of a decided project: facts, panel, score table per criterion, final score and
 * conclusion, requested vs approved per budget line with the experts' cut reasons, totals and cut
 * rate, the decision and a signature block. Refused (409) before the decision.
 */
export async function renderReviewOpinion(
  projectId: number,
  options: OpinionOptions
): Promise<RenderedPdf> {
  const i18n = documentI18n(options.i18n)
  const t = (key: string, values?: Record<string, string | number>) => i18n.t(key, values)
  const project = await Project.query()
    .where('id', projectId)
    .preload('unit')
    .preload('items')
    .preload('transitions')
    .firstOrFail()
  const panel = await reviewPanelOf(project.id)
  if (!panel || !panel.isClosed || !project.decidedAt) {
    throw new ReviewError('reports.errors.not_decided', { code: project.code ?? project.id })
  }
  const sheets = await ScoreSheet.query()
    .where('panel_id', panel.id)
    .where('status', 'submitted')
    .preload('expert')
    .preload('items')
    .orderBy('id')

  const title = t('reports.opinion.title')
  const writer = await openDocument(
    i18n,
    title,
    documentNumber(i18n, 'opinion', project.year, project.id)
  )
  await writer.title(title, project.title)

  await writer.heading(t('reports.opinion.facts'))
  await writer.keyValues([
    [t('reports.fields.code'), project.code ?? ''],
    [t('reports.fields.unit'), project.unit.name],
    [t('reports.fields.title'), project.title],
    [t('reports.fields.category'), t(`review.categories.${project.category}`)],
    [t('reports.fields.year'), String(project.year)],
    [
      t('reports.fields.security_level'),
      project.securityLevel ? t(`review.security_levels.${project.securityLevel}`) : '—',
    ],
    [t('reports.fields.submitted_at'), pdfDateTime(project.submittedAt)],
    [t('reports.fields.requested'), `${pdfYuan(project.requestedFen)} ${t('reports.units.yuan')}`],
    [
      t('reports.fields.planned'),
      `${project.plannedStart?.toISODate() ?? '—'} ～ ${project.plannedEnd?.toISODate() ?? '—'}`,
    ],
    [t('reports.fields.contact'), `${project.contactName ?? ''} ${project.contactPhone ?? ''}`],
  ])
  if (project.content) {
    await writer.paragraph(`${t('reports.fields.content')}：${project.content}`, { size: 9.5 })
  }

  /** 专家A, 专家B …: the applicant's copy never ties a score to a name. */
  const anonymous = (index: number) =>
    t('reports.opinion.anonymous', { n: String.fromCharCode(65 + (index % 26)) })

  await writer.heading(t('reports.opinion.panel'))
  const sitting = panel.members.filter((member) => member.status === 'invited')
  await writer.paragraph(
    t('reports.opinion.panel_summary', {
      drawnAt: pdfDateTime(panel.drawnAt),
      size: sitting.length,
      closedAt: pdfDateTime(panel.closedAt),
    }),
    { size: 9.5 }
  )
  await writer.table(
    [
      { header: t('reports.fields.index'), width: 0.6, align: 'center' },
      { header: t('reports.fields.expert'), width: 1.4 },
      { header: t('reports.fields.employer'), width: 2.4 },
      { header: t('reports.fields.specialties'), width: 2.2 },
      { header: t('reports.fields.seat'), width: 1 },
    ],
    sitting.map((member, index) => [
      String(index + 1),
      options.revealExperts ? member.expert.name : anonymous(index),
      options.revealExperts ? member.expert.employer : '—',
      member.expert.specialties.map((s) => t(`review.specialties.${s}`)).join('、'),
      t(`review.panel.seats.${member.seat}`),
    ]),
    { emptyText: t('reports.opinion.no_panel') }
  )

  await writer.heading(t('reports.opinion.scores'))
  const aggregation = panel.aggregation
  const seatOf = new Map(sitting.map((member, index) => [member.expertId, index]))
  const expertLabel = (index: number) =>
    options.revealExperts
      ? sheets[index].expert.name
      : anonymous(seatOf.get(sheets[index].expertId) ?? index)
  await writer.table(
    [
      { header: t('reports.fields.criterion'), width: 2.6 },
      { header: t('reports.fields.weight'), width: 0.8, align: 'right' },
      ...sheets.map((_, index) => ({
        header: expertLabel(index),
        width: 1,
        align: 'right' as const,
      })),
    ],
    panel.criteria.map((criterion) => [
      criterion.label,
      String(criterion.weight),
      ...sheets.map((sheet) => formatScore(sheet.scores[criterion.key])),
    ]),
    {
      footerRows: [
        [
          t('reports.opinion.sheet_total'),
          '100',
          ...sheets.map((sheet) => formatScore(sheet.total)),
        ],
      ],
      size: sheets.length > 6 ? 7.5 : 9,
    }
  )
  const dropped = (sheetId: number | null | undefined) => {
    const index = sheets.findIndex((sheet) => sheet.id === sheetId)
    return index >= 0 ? expertLabel(index) : null
  }
  const high = dropped(aggregation?.droppedHighestSheetId)
  const low = dropped(aggregation?.droppedLowestSheetId)
  await writer.keyValues([
    [t('reports.opinion.final_score'), formatScore(project.finalScore)],
    [
      t('reports.opinion.conclusion'),
      project.conclusion ? t(`review.conclusions.${project.conclusion}`) : '—',
    ],
    [
      t('reports.opinion.trimmed'),
      high && low
        ? t('reports.opinion.trimmed_detail', { high, low })
        : t('reports.opinion.not_trimmed'),
    ],
    [
      t('reports.opinion.thresholds'),
      aggregation
        ? t('reports.opinion.thresholds_detail', {
            pass: aggregation.thresholds.pass,
            revise: aggregation.thresholds.revise,
          })
        : '—',
    ],
  ])
  const opinions = sheets.filter((sheet) => sheet.opinion?.trim())
  if (opinions.length > 0) {
    await writer.table(
      [
        { header: t('reports.fields.expert'), width: 1.2 },
        { header: t('reports.opinion.expert_opinion'), width: 6 },
      ],
      opinions.map((sheet) => [expertLabel(sheets.indexOf(sheet)), sheet.opinion!.trim()])
    )
  }

  await writer.heading(t('reports.opinion.budget'))
  const reasonsByItem = new Map<number, Set<string>>()
  for (const sheet of sheets) {
    for (const item of sheet.items) {
      if (!item.cutReason) continue
      const set = reasonsByItem.get(item.budgetItemId) ?? new Set<string>()
      set.add(t(`review.cut_reasons.${item.cutReason}`))
      reasonsByItem.set(item.budgetItemId, set)
    }
  }
  const { lines, total } = projectCutFigures(project.items)
  const declined =
    project.approvedFen === 0 && project.items.every((item) => item.approvedFen === null)
  await writer.table(
    [
      { header: t('reports.fields.index'), width: 0.6, align: 'center' },
      { header: t('reports.fields.item'), width: 2.2 },
      { header: t('reports.fields.requested_yuan'), width: 1.6, align: 'right' },
      { header: t('reports.fields.recommended_yuan'), width: 1.6, align: 'right' },
      { header: t('reports.fields.approved_yuan'), width: 1.6, align: 'right' },
      { header: t('reports.fields.cut_yuan'), width: 1.6, align: 'right' },
      { header: t('reports.fields.cut_reasons'), width: 1.8 },
    ],
    project.items.map((item, index) => {
      const line = lines[index]
      const reasons = [...(reasonsByItem.get(item.id) ?? [])]
      if (item.approvalReason?.trim()) reasons.push(item.approvalReason.trim())
      return [
        String(index + 1),
        `${item.name}（${t(`review.item_categories.${item.category}`)}）${item.specification ? `\n${item.specification}` : ''}`,
        pdfYuan(item.amountFen),
        pdfYuan(item.recommendedFen),
        line ? pdfYuan(line.approvedFen) : '—',
        line ? pdfYuan(line.cutFen) : '—',
        reasons.join('；') || (line && line.cutFen > 0 ? t('reports.opinion.no_reason') : ''),
      ]
    }),
    {
      emptyText: t('reports.opinion.no_items'),
      size: 8.5,
      footerRows: [
        [
          '',
          t('reports.fields.total'),
          pdfYuan(project.requestedFen),
          '',
          pdfYuan(project.approvedFen ?? 0),
          pdfYuan(project.requestedFen - (project.approvedFen ?? 0)),
          '',
        ],
      ],
    }
  )
  const figures =
    total ??
    cutFigures([{ requestedFen: project.requestedFen, approvedFen: project.approvedFen ?? 0 }])
  await writer.paragraph(
    t(
      declined || project.state === 'declined'
        ? 'reports.opinion.cut_line_declined'
        : 'reports.opinion.cut_line',
      {
        requested: pdfYuan(figures.requestedFen),
        approved: pdfYuan(figures.approvedFen),
        cut: pdfYuan(figures.cutFen),
        rate: pdfRateBp(figures.cutRateBp),
      }
    ),
    { bold: true }
  )

  await writer.heading(t('reports.opinion.decision'))
  const decision = [...project.transitions]
    .reverse()
    .find((step) => step.action === 'approve' || step.action === 'decline')
  await writer.paragraph(
    t(project.state === 'declined' ? 'reports.opinion.declined' : 'reports.opinion.approved', {
      date: pdfDate(project.decidedAt),
      approved: pdfYuan(project.approvedFen ?? 0),
    }),
    { size: 10.5 }
  )
  const comment = project.decisionComment ?? decision?.comment
  if (comment?.trim()) await writer.paragraph(`${t('reports.opinion.comment')}：${comment.trim()}`)
  await writer.signatures([
    { label: t('reports.sign.panel_leader') },
    { label: t('reports.sign.date'), note: t('reports.sign.date_blank') },
    { label: t('reports.sign.reviewer') },
    { label: t('reports.sign.seal') },
  ])
  return finishDocument(writer, t('reports.opinion.filename', { code: project.code ?? project.id }))
}

function formatScore(value: number | null | undefined) {
  return value === null || value === undefined ? '—' : value.toFixed(2)
}
