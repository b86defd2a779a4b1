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
 * 审核项目数、送审金额、审定金额、核减金额、核减率 for any filter of projects. Counts decided
 * projects; a declined project approves nothing, so its whole request counts as cut. The
 * figures come from cutFigures, weighted by money.
 */
export async function reviewStats(filter: StatsFilter = {}): Promise<ReviewStats> {
  const projects = await applyProjectFilter(
    Project.query().whereIn('state', [...DECIDED_STATES]),
    filter
  ).select('id', 'state', 'requested_fen', 'approved_fen')
  return {
    count: projects.length,
    approvedCount: projects.filter((project) => project.state === 'approved').length,
    declinedCount: projects.filter((project) => project.state === 'declined').length,
    ...cutFigures(
      projects.map((project) => ({
        requestedFen: project.requestedFen,
        approvedFen: project.approvedFen ?? 0,
      }))
    ),
  }
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
