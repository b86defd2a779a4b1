import type { I18n } from '@adonisjs/i18n'
import Expert from '#project_review/models/expert'
import Project from '#project_review/models/project'
import User from '#identity/models/user'
import panels from '#project_review/services/panels'
import { ReviewError } from '#project_review/errors'
import { reviewPanelOf } from '#project_review/reports/review_opinion'
import type { PanelPurpose } from '#project_review/models/review_panel'
import {
  documentI18n,
  documentNumber,
  finishDocument,
  openDocument,
  type RenderedPdf,
} from '#core/pdf/documents'
import { pdfDateTime } from '#core/pdf/format'

/**
 * 专家抽取记录表 — what a 纪检 reviewer asks for: every candidate with why they were or were
 * not eligible (回避 reasons), the recorded seed and algorithm, the panel and alternates in draw
 * order, what became of each seat (回避 / 撤换 with reasons), and a replay of the draw from the
 * recorded candidates and seed, run while the document is made. One record per draw: the review
 * panel's (`purpose` 'review', the default) or the acceptance panel's ('acceptance').
 */
export async function renderDrawRecord(
  projectId: number,
  i18nIn?: I18n,
  purpose: PanelPurpose = 'review'
): Promise<RenderedPdf> {
  const i18n = documentI18n(i18nIn)
  const t = (key: string, values?: Record<string, string | number>) => i18n.t(key, values)
  const project = await Project.query().where('id', projectId).preload('unit').firstOrFail()
  const panel = await reviewPanelOf(project.id, purpose)
  if (!panel) {
    throw new ReviewError(
      purpose === 'acceptance' ? 'reports.errors.no_acceptance_draw' : 'reports.errors.no_draw',
      { code: project.code ?? project.id }
    )
  }
  const acceptance = purpose === 'acceptance'
  /** The acceptance record names its seats 验收专家 where the review one says 评审专家. */
  const keyOf = (key: string) => (acceptance ? `${key}_acceptance` : key)

  const ids = panel.candidates.map((candidate) => candidate.id)
  const experts = new Map(
    (ids.length ? await Expert.query().whereIn('id', ids) : []).map((e) => [e.id, e])
  )
  const drawnBy = panel.drawnById ? await User.find(panel.drawnById) : null
  let replay: { matches: boolean; panel: number[]; alternates: number[]; error?: string }
  try {
    const { replayed, matches } = panels.replay(panel)
    replay = { matches, panel: replayed.panel, alternates: replayed.alternates }
  } catch (error) {
    replay = { matches: false, panel: [], alternates: [], error: (error as Error).message }
  }

  const title = t(keyOf('reports.draw.title'))
  const writer = await openDocument(i18n, title, documentNumber(i18n, 'draw', panel.year, panel.id))
  await writer.title(title, project.title)
  const name = (id: number) => experts.get(id)?.name ?? `#${id}`

  await writer.heading(t('reports.draw.facts'))
  await writer.keyValues([
    [t('reports.fields.code'), project.code ?? ''],
    [t('reports.fields.unit'), project.unit.name],
    [t('reports.fields.title'), project.title],
    [t('reports.draw.purpose'), t(keyOf('reports.draw.purpose_name'))],
    [t('reports.draw.drawn_at'), pdfDateTime(panel.drawnAt)],
    [t('reports.draw.drawn_by'), drawnBy?.fullName ?? '—'],
    [
      t('reports.draw.specialties'),
      panel.specialties.map((s) => t(`review.specialties.${s}`)).join('、') ||
        t('reports.draw.any_specialty'),
    ],
    [
      t('reports.draw.size'),
      t(keyOf('reports.draw.size_detail'), {
        panel: panel.panelSize,
        alternates: panel.alternatesCount,
      }),
    ],
    [t('reports.draw.algorithm'), panel.algorithm],
  ])
  await writer.keyValues([[t('reports.draw.seed'), panel.seed]], 1)

  await writer.heading(t('reports.draw.candidates'))
  const excluded = new Map(panel.result.excluded.map((entry) => [entry.id, entry.reason]))
  const order = [...panel.result.panel, ...panel.result.alternates]
  const outcome = (id: number) => {
    const reason = excluded.get(id)
    if (reason)
      return t('reports.draw.excluded', { reason: t(`review.panel.exclusions.${reason}`) })
    const position = order.indexOf(id)
    if (position < 0) return t('reports.draw.not_drawn')
    return position < panel.result.panel.length
      ? t(keyOf('reports.draw.drawn_member'), { n: position + 1 })
      : t('reports.draw.drawn_alternate', { n: position - panel.result.panel.length + 1 })
  }
  const sorted = [...panel.candidates].sort((a, b) => a.id - b.id)
  await writer.table(
    [
      { header: t('reports.fields.index'), width: 0.55, align: 'center' },
      { header: t('reports.draw.expert_id'), width: 0.7, align: 'right' },
      { header: t('reports.fields.expert'), width: 1.2 },
      { header: t('reports.fields.employer'), width: 2.2 },
      { header: t('reports.fields.specialties'), width: 2 },
      { header: t('reports.draw.assignments'), width: 1, align: 'right' },
      { header: t('reports.draw.outcome'), width: 2 },
    ],
    sorted.map((candidate, index) => [
      String(index + 1),
      String(candidate.id),
      name(candidate.id),
      experts.get(candidate.id)?.employer ?? candidate.employer ?? '',
      candidate.specialties.map((s) => t(`review.specialties.${s}`)).join('、'),
      `${candidate.assignmentsThisYear}/${candidate.yearlyCap}`,
      outcome(candidate.id),
    ]),
    {
      emptyText: t('reports.draw.no_candidates'),
      footerRows: [
        [
          '',
          '',
          t('reports.fields.total'),
          t('reports.draw.counts', {
            candidates: sorted.length,
            eligible: panel.result.eligible.length,
            excluded: panel.result.excluded.length,
          }),
          '',
          '',
          '',
        ],
      ],
    }
  )

  await writer.heading(t('reports.draw.result'))
  const members = new Map(panel.members.map((member) => [member.expertId, member]))
  await writer.table(
    [
      { header: t('reports.draw.order'), width: 0.7, align: 'center' },
      { header: t('reports.fields.seat'), width: 1 },
      { header: t('reports.fields.expert'), width: 1.3 },
      { header: t('reports.fields.employer'), width: 2.2 },
      { header: t('reports.draw.status'), width: 1.2 },
      { header: t('reports.draw.status_reason'), width: 2.6 },
    ],
    order.map((id, index) => {
      const member = members.get(id)
      const reason = member?.declineReason ?? member?.withdrawReason ?? ''
      const when = member?.declinedAt ?? member?.withdrawnAt ?? null
      return [
        String(index + 1),
        index >= panel.result.panel.length
          ? t('review.panel.seats.alternate')
          : t(acceptance ? 'reports.draw.seat_acceptance' : 'review.panel.seats.member'),
        name(id),
        experts.get(id)?.employer ?? '',
        member ? t(`review.panel.member_states.${member.status}`) : '—',
        reason ? `${reason}${when ? `（${pdfDateTime(when)}）` : ''}` : '',
      ]
    })
  )

  await writer.heading(t('reports.draw.replay'))
  await writer.keyValues(
    [
      [t('reports.draw.recorded'), order.map(name).join('、')],
      [
        t('reports.draw.replayed'),
        replay.error ?? [...replay.panel, ...replay.alternates].map(name).join('、'),
      ],
      [
        t('reports.draw.replay_result'),
        t(replay.matches ? 'reports.draw.replay_matches' : 'reports.draw.replay_differs'),
      ],
    ],
    1
  )
  if (!acceptance) {
    await writer.paragraph(t('reports.draw.replay_howto', { code: project.code ?? project.id }), {
      size: 8.5,
      color: '#555555',
    })
  }
  await writer.signatures([
    { label: t('reports.sign.drawer') },
    { label: t('reports.sign.supervisor') },
    { label: t('reports.sign.date'), note: t('reports.sign.date_blank') },
  ])
  return finishDocument(
    writer,
    t(keyOf('reports.draw.filename'), { code: project.code ?? project.id })
  )
}
