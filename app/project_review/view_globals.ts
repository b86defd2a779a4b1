/**
 * Edge helpers of the review pages: money is stored in fen and shown in 元 or 万元, rates are
 * basis points shown as percentages, scores are hundredths shown with two decimals.
 */
import edge from 'edge.js'
import { formatWanYuan, formatYuan } from '#core/money'
import { formatRateBp } from '#project_review/domain/aggregation'

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
