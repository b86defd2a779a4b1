import db from '@adonisjs/lucid/services/db'
import { SimplePaginator } from '@adonisjs/lucid/database'
import type { ChainableContract } from '@adonisjs/lucid/types/querybuilder'
import type User from '#identity/models/user'
import Project from '#project_review/models/project'
import { applyProjectFilter } from '#project_review/services/review_stats'
import { cachedProjectsAggregate } from '#project_review/services/projects_cache'
import type { ProjectState } from '#project_review/lifecycle'

export interface ProjectListFilter {
  q?: string
  state?: ProjectState
  year?: number
  unitId?: number
  category?: string
  flagged?: boolean
}

/** Which projects a user may list (see `visibleProjects`). */
export interface ProjectScope {
  /** Every project past the draft stage. */
  reviewer: boolean
  /** Every project of this unit (an applicant's). */
  unitId: number | null
  /** The projects whose panel this user sits on (an expert's). */
  expertUserId: number | null
}

/** A row of the project list: what the page and the CSV show, no model. */
export interface ProjectListRow {
  id: number
  code: string | null
  title: string
  unitName: string
  year: number
  category: string
  state: ProjectState
  requestedFen: number
  approvedFen: number | null
  similarityFlagged: boolean
  finalScore: number | null
  submittedAt: Date | null
}

/**
 * Deepest page a list offers: OFFSET walks every row before the page, so pages past this one
 * would cost time in proportion to the data. Filters, search and the CSV export reach the rest.
 */
export const MAX_LIST_PAGE = 250

export function scopeOf(user: User): ProjectScope {
  return {
    reviewer: user.hasRole('reviewer'),
    unitId: user.hasRole('applicant') && user.unitId ? user.unitId : null,
    expertUserId: user.hasRole('expert') ? user.id : null,
  }
}

function applyScope<Q extends ChainableContract>(query: Q, scope: ProjectScope): Q {
  query.where((where) => {
    if (scope.unitId) where.orWhere('unit_id', scope.unitId)
    if (scope.reviewer) where.orWhereNot('state', 'draft')
    if (scope.expertUserId) {
      where.orWhereIn('id', (sub) =>
        sub
          .from('review_panels')
          .join('panel_members', 'panel_members.panel_id', 'review_panels.id')
          .join('experts', 'experts.id', 'panel_members.expert_id')
          .where('experts.user_id', scope.expertUserId!)
          .where('panel_members.status', 'invited')
          .select('review_panels.project_id')
      )
    }
    if (!scope.unitId && !scope.reviewer && !scope.expertUserId) where.whereRaw('1 = 0')
  })
  return query
}

/**
 * The projects a user may list: an applicant their unit's, a reviewer every project past the
 * draft stage, an expert the projects they sit on. Other users get nothing.
 */
export function visibleProjects(user: User) {
  return applyScope(Project.query(), scopeOf(user))
}

/** Applies the list filters (search over code and title, state, year, unit, category, flag). */
export function filterProjects<Q extends ChainableContract>(
  query: Q,
  filter: ProjectListFilter
): Q {
  if (filter.q) {
    const like = `%${filter.q}%`
    query.where((q) => q.where('title', 'like', like).orWhere('code', 'like', like))
  }
  if (filter.state) query.where('state', filter.state)
  if (filter.flagged !== undefined) query.where('similarity_flagged', filter.flagged)
  return applyProjectFilter(query, filter)
}

/** Ids of the visible projects in the filter (a query builder, nothing run yet). */
function listQuery(scope: ProjectScope, filter: ProjectListFilter) {
  return filterProjects(applyScope(db.from('projects'), scope), filter)
}

function cacheKey(kind: string, scope: ProjectScope, filter: ProjectListFilter) {
  const { q, state, year, unitId, category, flagged } = filter
  return JSON.stringify([kind, scope, q, state, year, unitId, category, flagged])
}

/**
 * How many projects the user sees in the filter: counted from the indexes, and kept in the
 * projects cache except for experts (their list depends on panel seats, not on projects).
 */
export async function countProjects(scope: ProjectScope, filter: ProjectListFilter) {
  const count = async () => {
    const [row] = await listQuery(scope, filter).count('* as total')
    return Number(row.total)
  }
  if (scope.expertUserId) return count()
  return cachedProjectsAggregate(cacheKey('count', scope, filter), count)
}

const SQL_TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?$/

/** A timestamp column as read: a Date (mysql2) or the text SQLite stores, always UTC. */
function utcDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null
  if (value instanceof Date) return value
  const text = String(value)
  const date = new Date(SQL_TIMESTAMP.test(text) ? `${text.replace(' ', 'T')}Z` : text)
  return Number.isNaN(date.getTime()) ? null : date
}

/**
 * An instant as Asia/Shanghai wall time, `yyyy-MM-dd HH:mm:ss`, for exports of many rows: China
 * keeps UTC+8 all year (no daylight saving since 1991), so plain arithmetic gives what
 * `formatDateTime` gives, without a time-zone lookup per row (most of a large export's time).
 */
export function shanghaiTime(date: Date | null): string {
  if (!date) return ''
  return new Date(date.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')
}

/** Turns joined rows (projects + unit name) into list rows, the same on SQLite and MySQL. */
function toListRows(rows: Record<string, any>[]): ProjectListRow[] {
  return rows.map((row) => ({
    id: Number(row.id),
    code: row.code,
    title: row.title,
    unitName: row.unit_name,
    year: Number(row.year),
    category: row.category,
    state: row.state,
    requestedFen: Number(row.requested_fen),
    approvedFen: row.approved_fen === null ? null : Number(row.approved_fen),
    similarityFlagged: Boolean(row.similarity_flagged),
    finalScore:
      row.final_score_hundredths === null ? null : Number(row.final_score_hundredths) / 100,
    submittedAt: utcDate(row.submitted_at),
  }))
}

/** The list rows of these projects, newest first (one query, the unit joined). */
async function rowsOf(ids: number[]) {
  if (ids.length === 0) return []
  const rows = await db
    .from('projects')
    .join('units', 'units.id', 'projects.unit_id')
    .whereIn('projects.id', ids)
    .orderBy('projects.id', 'desc')
    .select(
      'projects.id',
      'projects.code',
      'projects.title',
      'units.name as unit_name',
      'projects.year',
      'projects.category',
      'projects.state',
      'projects.requested_fen',
      'projects.approved_fen',
      'projects.similarity_flagged',
      'projects.final_score_hundredths',
      'projects.submitted_at'
    )
  return toListRows(rows)
}

/**
 * One page of projects, newest first, in time independent of the number of projects: the page's
 * ids come from the indexes alone (no project row is read to sort), then only those rows load.
 * Pages stop at MAX_LIST_PAGE (`truncated` says the filter holds more).
 */
export async function pageOfProjects(
  scope: ProjectScope,
  filter: ProjectListFilter,
  page: number,
  perPage: number
) {
  const total = await countProjects(scope, filter)
  const reachable = Math.min(total, MAX_LIST_PAGE * perPage)
  const current = Math.min(page, MAX_LIST_PAGE)
  const ids = listQuery(scope, filter).select('id')
  // A search walks the narrow search index and sorts what matches: walking the table newest first
  // (the plan the bare ORDER BY id invites) reads every large row when a term is rare. The unary
  // plus only hides the column from the planner's ordering (MySQL ignores it).
  if (filter.q) ids.orderByRaw('+id desc')
  else ids.orderBy('id', 'desc')
  const idRows = await ids.offset((current - 1) * perPage).limit(perPage)
  const rows = await rowsOf(idRows.map((row: { id: number }) => Number(row.id)))
  return {
    projects: new SimplePaginator(reachable, perPage, current, ...rows),
    total,
    truncated: total > reachable,
  }
}

/**
 * Every project of the filter in batches (newest first), for exports: the ids come from one
 * index scan, then each batch's rows load on their own, with a pause between batches so that
 * other requests run meanwhile.
 */
export async function* projectListBatches(
  scope: ProjectScope,
  filter: ProjectListFilter,
  batchSize = 250
): AsyncGenerator<ProjectListRow[]> {
  // sorted from a covering index, not by walking every (large) row newest first (see above)
  const idRows = await listQuery(scope, filter).select('id').orderByRaw('+id desc')
  const ids = idRows.map((row: { id: number }) => Number(row.id))
  for (let start = 0; start < ids.length; start += batchSize) {
    if (start > 0) await new Promise((resolve) => setImmediate(resolve))
    yield await rowsOf(ids.slice(start, start + batchSize))
  }
}
