import { setImmediate as nextTurn } from 'node:timers/promises'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type User from '#identity/models/user'
import { reviewStats } from '#project_review/services/review_stats'
import type { ProjectState } from '#project_review/lifecycle'
import { acceptanceFigures } from '#project_review/reports/acceptance_figures'
import { requestMachine } from '#project_review/state_machines'
import { cachedProjectsAggregate } from '#project_review/services/projects_cache'
import { PDF_ZONE } from '#core/pdf/format'
import { EVALUATION_DUE_MONTHS } from '#project_review/services/evaluations'

/** A to-do bucket: what waits on this user, the states it covers. */
interface Bucket {
  key: string
  states: ProjectState[]
}

const REVIEWER_BUCKETS: Bucket[] = [
  { key: 'precheck', states: ['submitted'] },
  { key: 'draw', states: ['accepted'] },
  { key: 'review', states: ['panel_drawn', 'under_review'] },
  { key: 'decide', states: ['reviewed', 'revised'] },
  { key: 'acceptance', states: ['acceptance_requested', 'acceptance_review'] },
  { key: 'evaluation', states: ['completed'] },
]

const APPLICANT_BUCKETS: Bucket[] = [
  { key: 'correct', states: ['draft', 'returned'] },
  { key: 'revise', states: ['revising'] },
  { key: 'construct', states: ['approved', 'in_construction', 'rectifying'] },
  { key: 'evaluation', states: ['completed'] },
]

export interface TodoItem {
  id: number
  title: string
  state: ProjectState
  ageDays: number
}

/** How many waiting projects the 工作台 lists (oldest first); the rest behind 查看全部. */
export const TODO_LIST_SIZE = 10

function sqlTime(at: DateTime) {
  return at.toFormat('yyyy-MM-dd HH:mm:ss')
}

const DAY_MS = 86_400_000

/** A stored UTC time (a Date from MySQL, SQL text from SQLite) in epoch milliseconds. */
function millisOf(value: unknown) {
  if (value instanceof Date) return value.getTime()
  const text = String(value).replace(' ', 'T')
  const at = Date.parse(/(?:Z|[+-]\d\d:?\d\d)$/.test(text) ? text : `${text}Z`)
  return Number.isNaN(at) ? Number.POSITIVE_INFINITY : at
}

/** Whole days from a stored UTC time to now (plain arithmetic: it runs per row). */
function ageOf(value: unknown, now: DateTime) {
  const at = millisOf(value)
  return Number.isFinite(at) ? Math.max(0, Math.floor((now.toMillis() - at) / DAY_MS)) : 0
}

/** The minute of `now`: part of a cache key, so ages are never older than the cache's TTL. */
function minuteOf(now: DateTime) {
  return Math.floor(now.toMillis() / 60_000)
}

/** An aggregate as a number (SQLite answers integers, MySQL decimal strings or bigints). */
function count(value: unknown) {
  return Number(value ?? 0)
}

/**
 * 工作台 as a to-do centre: per role, how many projects wait on this user, the oldest of them
 * with their age, overdue evaluations, and for reviewers the year's figures and the monthly
 * trend. Every query reads one index (migration 1765001800001) and returns a handful of rows:
 * counts are GROUP BY over (state, updated_at), lists are the oldest TODO_LIST_SIZE per state.
 * What does not depend on the user (the reviewers' queue, a unit's queue, the year figures and
 * the trend) is kept in the projects cache, dropped at any change to a project (5 s at most).
 * An expert's seats are kept per expert (the cache also watches panels, seats, sheets and
 * checks). better-sqlite3 answers synchronously and knex chains the next query in a microtask,
 * so the queries of a rebuild (and of every request waiting on the one connection) would run
 * in a single turn of the event loop: the loop turns between them (nextTurn).
 */
export class TodoService {
  async forUser(user: User, now: DateTime = DateTime.utc()) {
    const result: Record<string, unknown> = {}
    if (user.hasRole('reviewer')) result.reviewer = await this.reviewer(now)
    if (user.hasRole('applicant') && user.unitId) {
      result.applicant = await this.applicant(user.unitId, now)
    }
    if (user.hasRole('expert')) {
      result.expert = await cachedProjectsAggregate(JSON.stringify(['todo-expert', user.id]), () =>
        this.expert(user.id)
      )
    }
    return result
  }

  protected async buckets(buckets: Bucket[], scope: (q: any) => void, now: DateTime) {
    const states = buckets.flatMap((bucket) => bucket.states)
    const rows: { state: ProjectState; total: number | string; oldest: unknown }[] = await db
      .from('projects')
      .whereIn('state', states)
      .where(scope)
      .groupBy('state')
      .select('state')
      .count('* as total')
      .min('updated_at as oldest')
    const byState = new Map(rows.map((row) => [row.state, row]))
    const counts = buckets.map((bucket) => {
      const mine = bucket.states.flatMap((state) => byState.get(state) ?? [])
      return {
        key: bucket.key,
        count: mine.reduce((sum, row) => sum + count(row.total), 0),
        oldestDays: mine.length ? Math.max(...mine.map((row) => ageOf(row.oldest, now))) : null,
        states: bucket.states.map((state) => ({
          state,
          count: count(byState.get(state)?.total),
        })),
      }
    })
    // the oldest few of the states whose oldest project can still make the list (one short
    // index range each, oldest state first), merged
    const waiting = rows
      .filter((row) => count(row.total) > 0)
      .sort((a, b) => millisOf(a.oldest) - millisOf(b.oldest))
    const oldest: { id: number; title: string; state: ProjectState; updated_at: unknown }[] = []
    for (const row of waiting) {
      if (oldest.length >= TODO_LIST_SIZE) {
        const cutoff = oldest
          .map((item) => millisOf(item.updated_at))
          .sort((a, b) => a - b)
          .at(TODO_LIST_SIZE - 1)!
        if (millisOf(row.oldest) > cutoff) break
      }
      await nextTurn()
      oldest.push(
        ...(await db
          .from('projects')
          .where('state', row.state)
          .where(scope)
          .orderBy('updated_at')
          .orderBy('id')
          .limit(TODO_LIST_SIZE)
          .select('id', 'title', 'state', 'updated_at'))
      )
    }
    const items: TodoItem[] = oldest
      .sort((a, b) => millisOf(a.updated_at) - millisOf(b.updated_at) || a.id - b.id)
      .slice(0, TODO_LIST_SIZE)
      .map((row) => ({
        id: row.id,
        title: row.title,
        state: row.state,
        ageDays: ageOf(row.updated_at, now),
      }))
    const total = counts.reduce((sum, bucket) => sum + bucket.count, 0)
    return { counts, items, total }
  }

  /** Accepted projects still unevaluated 12 months on (oldest first, with days overdue). */
  protected async overdue(scope: (q: any) => void, now: DateTime) {
    const due = sqlTime(now.minus({ months: EVALUATION_DUE_MONTHS }))
    const rows = await db
      .from('projects')
      .where('state', 'completed')
      .where('completed_at', '<=', due)
      .where(scope)
      .orderBy('completed_at')
      .limit(TODO_LIST_SIZE)
      .select('id', 'title', 'state', 'completed_at')
    return rows.map((row) => ({
      id: row.id,
      title: row.title,
      state: row.state,
      ageDays: Math.max(0, ageOf(row.completed_at, now) - 365),
    }))
  }

  protected async reviewer(now: DateTime) {
    const year = now.setZone(PDF_ZONE).year
    const all = () => {}
    const waiting = await cachedProjectsAggregate(
      JSON.stringify(['todo-reviewer', minuteOf(now)]),
      async () => ({
        ...(await this.buckets(REVIEWER_BUCKETS, all, now)),
        overdue: await nextTurn().then(() => this.overdue(all, now)),
      })
    )
    const { figures, trend } = await this.year(year)
    return {
      year,
      ...waiting,
      figures,
      trend,
      chart: trendBars(trend),
    }
  }

  /**
   * The reviewer's year figures as in the seeds (reviewed, total, cut, rate — the numbers of
   * GET /api/v1/stats/review — and the acceptances of the 年度统计) with the monthly trend.
   * Acceptances and evaluations change a project's state, so the projects cache holds them.
   */
  async year(year: number) {
    return cachedProjectsAggregate(JSON.stringify(['todo-year', year]), async () => {
      const stats = await reviewStats({ year })
      await nextTurn()
      const acceptance = await acceptanceFigures(year)
      await nextTurn()
      return {
        figures: {
          ...stats,
          acceptedCount: acceptance.accepted,
          acceptedFen: acceptance.amountFen,
        },
        trend: await this.trend(year),
      }
    })
  }

  /**
   * Per month of the year (Asia/Shanghai): projects decided (批复 or 不予立项) and acceptances
   * passed (counted like the 年度统计: by the day the reviewer decided the request).
   */
  protected async trend(year: number) {
    const from = DateTime.fromObject({ year }, { zone: PDF_ZONE }).toUTC()
    const to = from.plus({ years: 1 })
    const mysql = !db.connection().dialect.name.includes('sqlite')
    const month = (column: string) =>
      mysql
        ? db.raw(`MONTH(DATE_ADD(${column}, INTERVAL 8 HOUR)) as m`)
        : db.raw(`CAST(strftime('%m', ${column}, '+8 hours') AS INTEGER) as m`)
    const series = async (table: string, total: ReturnType<typeof db.raw>) => {
      const rows: { m: number | string; total: number | string | null }[] = await db
        .from(table)
        .where('decided_at', '>=', sqlTime(from))
        .where('decided_at', '<', sqlTime(to))
        .select(month('decided_at'), total)
        .groupBy('m')
      const months = Array.from({ length: 12 }, () => 0)
      for (const row of rows) months[Number(row.m) - 1] = count(row.total)
      return months
    }
    // only 批复 and 不予立项 set projects.decided_at (DECIDED_STATES), and a decided project
    // stays decided: the range alone reads the (decided_at, state) index, where a state filter
    // made SQLite walk every decided project of every year
    const decided = await series('projects', db.raw('count(*) as total'))
    await nextTurn()
    // the passed requests counted within the range, not filtered by status: a status filter
    // made SQLite read the status index, i.e. every passed request of every year from the
    // table (~60 ms at 24,000 requests, synchronously), where the range reads the year's
    // entries of the (decided_at, status) index alone
    const accepted = await series(
      'acceptance_requests',
      db.raw('sum(case when status = ? then 1 else 0 end) as total', [
        requestMachine.target('pass'),
      ])
    )
    return { decided, accepted }
  }

  protected async applicant(unitId: number, now: DateTime) {
    const scope = (q: any) => q.where('unit_id', unitId)
    return cachedProjectsAggregate(
      JSON.stringify(['todo-unit', unitId, minuteOf(now)]),
      async () => ({
        ...(await this.buckets(APPLICANT_BUCKETS, scope, now)),
        overdue: await nextTurn().then(() => this.overdue(scope, now)),
      })
    )
  }

  /** Seats waiting on an expert: review sheets not submitted, acceptance checklists not in. */
  protected async expert(userId: number) {
    const waiting = () =>
      db
        .from('panel_members')
        .join('review_panels', 'review_panels.id', 'panel_members.panel_id')
        .where('panel_members.user_id', userId)
        .where('panel_members.status', 'invited')
        .where('review_panels.status', 'open')
        .whereNotExists((sub) =>
          sub
            .from('score_sheets')
            .whereColumn('score_sheets.panel_id', 'review_panels.id')
            .whereColumn('score_sheets.expert_id', 'panel_members.expert_id')
            .where('score_sheets.status', 'submitted')
        )
        .whereNotExists((sub) =>
          sub
            .from('acceptance_checks')
            .whereColumn(
              'acceptance_checks.acceptance_request_id',
              'review_panels.acceptance_request_id'
            )
            .whereColumn('acceptance_checks.expert_id', 'panel_members.expert_id')
            .where('acceptance_checks.status', 'submitted')
        )
    // one pass over the expert's seats (the open ones are few); titles for the oldest only
    const rows: { purpose: string; projectId: number }[] = await waiting()
      .select('review_panels.purpose', 'review_panels.project_id as projectId')
      .orderBy('panel_members.invited_at')
      .orderBy('panel_members.id')
    const first = rows.slice(0, TODO_LIST_SIZE).map((row) => row.projectId)
    const projects = first.length
      ? await db.from('projects').whereIn('id', first).select('id', 'title', 'state')
      : []
    const byId = new Map(projects.map((project) => [project.id, project]))
    return {
      reviewCount: rows.filter((row) => row.purpose === 'review').length,
      acceptanceCount: rows.filter((row) => row.purpose === 'acceptance').length,
      items: first.flatMap((id) => byId.get(id) ?? []),
    }
  }
}

/** The trend as bars of an inline SVG (no script): two bars per month. */
export function trendBars(trend: { decided: number[]; accepted: number[] }) {
  const width = 600
  const height = 180
  const left = 30
  const bottom = height - 22
  const top = 10
  const max = Math.max(1, ...trend.decided, ...trend.accepted)
  const slot = (width - left - 10) / 12
  const bar = slot / 3
  const scale = (value: number) => ((bottom - top) * value) / max
  const bars = trend.decided.flatMap((decided, index) => {
    const x = left + index * slot + bar / 2
    const accepted = trend.accepted[index]
    return [
      {
        x,
        y: bottom - scale(decided),
        w: bar,
        h: scale(decided),
        kind: 'decided',
        value: decided,
        month: index + 1,
      },
      {
        x: x + bar,
        y: bottom - scale(accepted),
        w: bar,
        h: scale(accepted),
        kind: 'accepted',
        value: accepted,
        month: index + 1,
      },
    ]
  })
  const labels = Array.from({ length: 12 }, (_, index) => ({
    x: left + index * slot + slot / 2,
    y: height - 6,
    text: String(index + 1),
  }))
  return { width, height, bottom, left, max, bars, labels }
}

export default new TodoService()
