import { ModelPaginator } from '@adonisjs/lucid/orm'
import type { ModelQueryBuilderContract } from '@adonisjs/lucid/types/model'
import type User from '#identity/models/user'
import Project from '#project_review/models/project'
import { applyProjectFilter } from '#project_review/services/review_stats'
import type { ProjectState } from '#project_review/lifecycle'

export interface ProjectListFilter {
  q?: string
  state?: ProjectState
  year?: number
  unitId?: number
  category?: string
  flagged?: boolean
}

/**
 * The projects a user may list: an applicant their unit's, a reviewer every project past the
 * draft stage, an expert the projects they sit on. Other users get nothing.
 */
export function visibleProjects(user: User) {
  const query = Project.query()
  query.where((scope) => {
    let any = false
    if (user.hasRole('applicant') && user.unitId) {
      scope.orWhere('unit_id', user.unitId)
      any = true
    }
    if (user.hasRole('reviewer')) {
      scope.orWhereNot('state', 'draft')
      any = true
    }
    if (user.hasRole('expert')) {
      scope.orWhereIn('id', (sub) =>
        sub
          .from('review_panels')
          .join('panel_members', 'panel_members.panel_id', 'review_panels.id')
          .join('experts', 'experts.id', 'panel_members.expert_id')
          .where('experts.user_id', user.id)
          .where('panel_members.status', 'invited')
          .select('review_panels.project_id')
      )
      any = true
    }
    if (!any) scope.whereRaw('1 = 0')
  })
  return query
}

/** Applies the list filters (search over code and title, state, year, unit, category, flag). */
export function filterProjects(
  query: ModelQueryBuilderContract<typeof Project>,
  filter: ProjectListFilter
) {
  if (filter.q) {
    const like = `%${filter.q}%`
    query.where((q) => q.where('title', 'like', like).orWhere('code', 'like', like))
  }
  if (filter.state) query.where('state', filter.state)
  if (filter.flagged !== undefined) query.where('similarity_flagged', filter.flagged)
  return applyProjectFilter(query, filter)
}

/**
 * One page of projects, newest first, in time independent of the number of projects: the page's
 * ids come from the indexes alone (no project row is read to sort), then only those rows load.
 */
export async function pageOfProjects(
  query: ModelQueryBuilderContract<typeof Project>,
  page: number,
  perPage: number
) {
  const [{ total }] = await query.clone().count('* as total').pojo<{ total: number | string }>()
  const idRows = await query
    .clone()
    .select('projects.id')
    .orderBy('projects.id', 'desc')
    .offset((page - 1) * perPage)
    .limit(perPage)
    .pojo<{ id: number }>()
  const ids = idRows.map((row) => row.id)
  const rows =
    ids.length === 0
      ? []
      : await Project.query().whereIn('id', ids).preload('unit').orderBy('id', 'desc')
  return new ModelPaginator(Number(total), perPage, page, ...rows)
}
