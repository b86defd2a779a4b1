import type { I18n } from '@adonisjs/i18n'
import Project from '#project_review/models/project'
import AcceptanceRequest from '#project_review/models/acceptance_request'
import AcceptanceCheck from '#project_review/models/acceptance_check'
import ProjectMilestone from '#project_review/models/project_milestone'
import { DEFAULT_ACCEPTANCE_CHECKLIST, type ChecklistForm } from '#project_review/domain/forms'
import { ReviewError } from '#project_review/errors'
import { reviewPanelOf } from '#project_review/reports/review_opinion'
import {
  documentI18n,
  documentNumber,
  finishDocument,
  openDocument,
  type RenderedPdf,
} from '#core/pdf/documents'
import { pdfDate, pdfDateTime, pdfYuan } from '#core/pdf/format'

/**
 * 验收意见书 of the latest decided acceptance round: facts and milestones, the acceptance panel,
 * approved vs settlement (决算) per line with over-approval justifications highlighted, the
 * checklist results per expert, earlier 整改 rounds, and the conclusion with a signature block.
 */
export async function renderAcceptanceOpinion(
  projectId: number,
  options: { i18n?: I18n; revealExperts: boolean }
): Promise<RenderedPdf> {
  const i18n = documentI18n(options.i18n)
  const t = (key: string, values?: Record<string, string | number>) => i18n.t(key, values)
  const project = await Project.query()
    .where('id', projectId)
    .preload('unit')
    .preload('items')
    .firstOrFail()
  const requests = await AcceptanceRequest.query()
    .where('project_id', project.id)
    .preload('lines')
    .orderBy('round')
  const decided = requests.filter((request) => request.decidedAt !== null)
  const request = decided.at(-1)
  const panel = await reviewPanelOf(project.id, 'acceptance')
  if (!request || !panel) {
    throw new ReviewError('reports.errors.not_accepted', { code: project.code ?? project.id })
  }
  const checks = await AcceptanceCheck.query()
    .where('acceptance_request_id', request.id)
    .where('status', 'submitted')
    .preload('expert')
    .orderBy('id')
  const milestones = await ProjectMilestone.query().where('project_id', project.id)
  const form: ChecklistForm =
    panel.form?.kind === 'checklist' ? panel.form : DEFAULT_ACCEPTANCE_CHECKLIST

  const title = t('reports.acceptance.title')
  const writer = await openDocument(
    i18n,
    title,
    documentNumber(i18n, 'acceptance', project.year, project.id)
  )
  await writer.title(title, project.title)
  const sitting = panel.members.filter((member) => member.status === 'invited')
  const seatOf = new Map(sitting.map((member, index) => [member.expertId, index]))
  const expertLabel = (expertId: number, name: string) =>
    options.revealExperts
      ? name
      : t('reports.opinion.anonymous', {
          n: String.fromCharCode(65 + ((seatOf.get(expertId) ?? 0) % 26)),
        })

  await writer.heading(t('reports.acceptance.facts'))
  const milestone = (kind: string) =>
    milestones.find((m) => m.kind === kind)?.happenedOn.toISODate() ?? '—'
  await writer.keyValues([
    [t('reports.fields.code'), project.code ?? ''],
    [t('reports.fields.unit'), project.unit.name],
    [t('reports.fields.title'), project.title],
    [
      t('reports.acceptance.approved_total'),
      `${pdfYuan(project.approvedFen ?? 0)} ${t('reports.units.yuan')}`,
    ],
    [t('acceptance.milestones.contract_signed'), milestone('contract_signed')],
    [t('acceptance.milestones.online'), milestone('online')],
    [t('acceptance.milestones.trial_run'), milestone('trial_run')],
    [t('reports.acceptance.round'), t('acceptance.request.round', { round: request.round })],
    [t('reports.acceptance.filed_at'), pdfDateTime(request.createdAt)],
    [
      t('acceptance.request.security_result'),
      t(`acceptance.security_results.${request.securityResult}`),
    ],
  ])
  await writer.keyValues(
    [
      [t('acceptance.request.deliverables'), request.deliverables],
      [t('acceptance.request.trial_run'), request.trialRunSummary],
      ...(request.securityNote
        ? ([[t('acceptance.request.security_note'), request.securityNote]] as [string, string][])
        : []),
    ],
    1
  )

  await writer.heading(t('reports.acceptance.panel'))
  await writer.table(
    [
      { header: t('reports.fields.index'), width: 0.6, align: 'center' },
      { header: t('reports.fields.expert'), width: 1.4 },
      { header: t('reports.fields.employer'), width: 2.4 },
      { header: t('reports.fields.specialties'), width: 2.2 },
    ],
    sitting.map((member, index) => [
      String(index + 1),
      expertLabel(member.expertId, member.expert.name),
      options.revealExperts ? member.expert.employer : '—',
      member.expert.specialties.map((s) => t(`review.specialties.${s}`)).join('、'),
    ]),
    { emptyText: t('reports.opinion.no_panel') }
  )

  await writer.heading(t('reports.acceptance.settlement'))
  const items = new Map(project.items.map((item) => [item.id, item]))
  const over = new Set<number>()
  request.lines.forEach((line, index) => {
    if (line.settledFen > line.approvedFen) over.add(index)
  })
  const approvedSum = request.lines.reduce((sum, line) => sum + line.approvedFen, 0)
  const settledSum = request.lines.reduce((sum, line) => sum + line.settledFen, 0)
  await writer.table(
    [
      { header: t('reports.fields.index'), width: 0.6, align: 'center' },
      { header: t('reports.fields.item'), width: 2.4 },
      { header: t('reports.fields.approved_yuan'), width: 1.6, align: 'right' },
      { header: t('reports.acceptance.settled_yuan'), width: 1.6, align: 'right' },
      { header: t('reports.acceptance.difference_yuan'), width: 1.6, align: 'right' },
      { header: t('reports.acceptance.justification'), width: 2.2 },
    ],
    request.lines.map((line, index) => [
      String(index + 1),
      items.get(line.budgetItemId)?.name ?? `#${line.budgetItemId}`,
      pdfYuan(line.approvedFen),
      pdfYuan(line.settledFen),
      pdfYuan(line.settledFen - line.approvedFen),
      line.settledFen > line.approvedFen
        ? `${t('reports.acceptance.over')}：${line.justification ?? ''}`
        : '',
    ]),
    {
      emptyText: t('reports.opinion.no_items'),
      highlightRows: over,
      size: 8.5,
      footerRows: [
        [
          '',
          t('reports.fields.total'),
          pdfYuan(approvedSum),
          pdfYuan(settledSum),
          pdfYuan(settledSum - approvedSum),
          '',
        ],
      ],
    }
  )
  await writer.paragraph(
    t('reports.acceptance.settlement_line', {
      approved: pdfYuan(approvedSum),
      settled: pdfYuan(settledSum),
      over: over.size,
    }),
    { bold: true }
  )

  await writer.heading(t('reports.acceptance.checklist'))
  await writer.table(
    [
      { header: t('reports.acceptance.check_item'), width: 2.2 },
      ...checks.map((check) => ({
        header: expertLabel(check.expertId, check.expert.name),
        width: 1,
        align: 'center' as const,
      })),
      { header: t('reports.acceptance.tally'), width: 1.2, align: 'center' },
    ],
    form.items.map((item) => {
      const results = checks.map((check) => check.results.results[item.key])
      const passed = results.filter((r) => r === 'pass').length
      return [
        item.label,
        ...results.map((r) =>
          r === 'pass'
            ? t('reports.acceptance.pass')
            : r === 'fail'
              ? t('reports.acceptance.fail')
              : '—'
        ),
        `${passed}/${checks.length}`,
      ]
    }),
    { emptyText: t('reports.acceptance.no_checks'), size: checks.length > 6 ? 7.5 : 9 }
  )
  const notes = checks.flatMap((check) =>
    [
      ...form.items
        .filter((item) => check.results.notes[item.key]?.trim())
        .map((item) => `${item.label}：${check.results.notes[item.key].trim()}`),
      ...(check.opinion?.trim() ? [check.opinion.trim()] : []),
    ].map((note) => [expertLabel(check.expertId, check.expert.name), note])
  )
  if (notes.length > 0) {
    await writer.table(
      [
        { header: t('reports.fields.expert'), width: 1.2 },
        { header: t('reports.acceptance.expert_notes'), width: 6 },
      ],
      notes
    )
  }

  const earlier = decided.filter((one) => one.id !== request.id && one.rectificationItems.length)
  if (earlier.length > 0) {
    await writer.heading(t('reports.acceptance.rectifications'))
    await writer.table(
      [
        { header: t('reports.acceptance.round'), width: 1 },
        { header: t('reports.acceptance.decided_at'), width: 1.4 },
        { header: t('reports.acceptance.items'), width: 5 },
      ],
      earlier.map((one) => [
        t('acceptance.request.round', { round: one.round }),
        pdfDateTime(one.decidedAt),
        one.rectificationItems.map((item, i) => `${i + 1}. ${item}`).join('\n'),
      ])
    )
  }

  await writer.heading(
    t('reports.acceptance.conclusion', {
      n: i18n.locale === 'en' ? (earlier.length ? '6' : '5') : earlier.length ? '六' : '五',
    })
  )
  await writer.paragraph(
    request.isPassed
      ? t('reports.acceptance.passed', { date: pdfDate(request.decidedAt) })
      : t('reports.acceptance.rectify', { date: pdfDate(request.decidedAt) }),
    { size: 10.5, bold: true }
  )
  if (request.needsRectification) {
    for (const [i, item] of request.rectificationItems.entries()) {
      await writer.paragraph(`${i + 1}. ${item}`)
    }
  }
  if (request.conclusionComment?.trim()) {
    await writer.paragraph(`${t('reports.opinion.comment')}：${request.conclusionComment.trim()}`)
  }
  await writer.signatures([
    { label: t('reports.sign.acceptance_leader') },
    { label: t('reports.sign.date'), note: t('reports.sign.date_blank') },
    { label: t('reports.sign.reviewer') },
    { label: t('reports.sign.seal') },
  ])
  return finishDocument(
    writer,
    t('reports.acceptance.filename', { code: project.code ?? project.id })
  )
}
