/**
 * Edge helpers of the review pages: money is stored in fen and shown in 元 or 万元, rates are
 * basis points shown as percentages, scores are hundredths shown with two decimals.
 */
import edge from 'edge.js'
import { formatWanYuan, formatYuan } from '#core/money'
import { formatRateBp } from '#project_review/domain/aggregation'
import { projectStateTone } from '#project_review/capabilities'
import type { ProjectState } from '#project_review/lifecycle'

edge.global('yuan', (fen: number | null | undefined) =>
  fen === null || fen === undefined ? '—' : formatYuan(Number(fen))
)
edge.global('wanYuan', (fen: number | null | undefined) =>
  fen === null || fen === undefined ? '—' : formatWanYuan(Number(fen))
)
edge.global('rate', (bp: number | null | undefined) =>
  bp === null || bp === undefined ? '—' : `${formatRateBp(bp)}%`
)
edge.global('yuanInput', (fen: number | null | undefined) =>
  fen === null || fen === undefined ? '' : formatYuan(Number(fen)).replaceAll(',', '')
)

/** A project state's badge tone, from the map next to the lifecycle (views never compare states). */
edge.global('projectStateTone', (state: ProjectState) => projectStateTone(state))
edge.global('projectStateBadge', (state: ProjectState) => {
  const tone = projectStateTone(state)
  return tone ? `badge-${tone}` : ''
})
