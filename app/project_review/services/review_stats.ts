import db from '@adonisjs/lucid/services/db'
import Project from '#project_review/models/project'
import { cutFigures, type CutFigures } from '#project_review/domain/aggregation'
import { DECIDED_STATES } from '#project_review/lifecycle'
import type { ModelQueryBuilderContract } from '@adonisjs/lucid/types/model'

export interface StatsFilter {
  year?: number
  unitId?: number
  category?: string
}

export interface ReviewStats extends CutFigures {
  /** Decided projects (approved or declined) in the filter. */
  count: number
  approvedCount: number
  declinedCount: number
}

/** Applies the filters every project list and statistic shares. */
export function applyProjectFilter(
  query: ModelQueryBuilderContract<typeof Project>,
  filter: StatsFilter
) {
  if (filter.year) query.where('year', filter.year)
  if (filter.unitId) query.where('unit_id', filter.unitId)
  if (filter.category) query.where('category', filter.category)
  return query
}

/**
 * 审核项目数、送审金额、审定金额、核减金额、核减率 for any filter of projects, summed by the
 * database (one aggregate query, whatever the number of projects). Counts decided projects; a
 * declined project approves nothing (approved_fen 0), so its whole request counts as cut. The
 * sums are exact integers (fen) and cutFigures derives cut and rate from them, weighted by money.
 */
export async function reviewStats(filter: StatsFilter = {}): Promise<ReviewStats> {
  const query = Project.query().whereIn('state', [...DECIDED_STATES])
  const [row] = await applyProjectFilter(query, filter)
    .count('* as decided')
    .select(
      db.raw("sum(case when state <> 'declined' then 1 else 0 end) as approved_count"),
      db.raw("sum(case when state = 'declined' then 1 else 0 end) as declined_count"),
      db.raw('sum(requested_fen) as requested_sum'),
      db.raw('sum(coalesce(approved_fen, 0)) as approved_sum')
    )
    .pojo<Record<string, unknown>>()
  return {
    count: exactInteger(row.decided),
    approvedCount: exactInteger(row.approved_count),
    declinedCount: exactInteger(row.declined_count),
    ...cutFigures([
      {
        requestedFen: exactInteger(row.requested_sum),
        approvedFen: exactInteger(row.approved_sum),
      },
    ]),
  }
}

/** An aggregate as a number: SQLite answers integers, MySQL decimal strings; null means none. */
function exactInteger(value: unknown): number {
  if (value === null || value === undefined) return 0
  const number = typeof value === 'bigint' ? Number(value) : Number(value)
  if (!Number.isSafeInteger(number)) throw new Error(`aggregate out of exact range: ${value}`)
  return number
}

/** Cut figures of one project, line by line and in total. */
export function projectCutFigures(
  items: readonly { amountFen: number; approvedFen: number | null }[]
) {
  const lines = items.map((item) =>
    item.approvedFen === null
      ? null
      : cutFigures([{ requestedFen: item.amountFen, approvedFen: item.approvedFen }])
  )
  const total = lines.every((line) => line !== null)
    ? cutFigures(
        lines.map((line) => ({ requestedFen: line!.requestedFen, approvedFen: line!.approvedFen }))
      )
    : null
  return { lines, total }
}
