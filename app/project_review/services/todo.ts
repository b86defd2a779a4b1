import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type User from '#identity/models/user'
import { reviewStats } from '#project_review/services/review_stats'
import { ACCEPTED_STATES, DECIDED_STATES, type ProjectState } from '#project_review/lifecycle'
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

function sqlTime(at: DateTime) {
  return at.toFormat('yyyy-MM-dd HH:mm:ss')
}

function ageOf(value: unknown, now: DateTime) {
  const at =
    value instanceof Date
      ? DateTime.fromJSDate(value, { zone: 'utc' })
      : DateTime.fromSQL(String(value), { zone: 'utc' })
  return at.isValid ? Math.max(0, Math.floor(now.diff(at, 'days').days)) : 0
}

/**
 * 工作台 as a to-do centre: per role, how many projects wait on this user (one grouped count per
 * role), the oldest of them with their age, overdue evaluations, and for reviewers the year's
 * figures and the monthly trend. Everything is an SQL aggregate or a short indexed list.
 */
export class TodoService {
  async forUser(user: User, now: DateTime = DateTime.utc()) {
    const result: Record<string, unknown> = {}
    if (user.hasRole('reviewer')) result.reviewer = await this.reviewer(now)
    if (user.hasRole('applicant') && user.unitId) {
      result.applicant = await this.applicant(user.unitId, now)
    }
    if (user.hasRole('expert')) result.expert = await this.expert(user.id)
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
    const counts = buckets.map((bucket) => {
      const mine = rows.filter((row) => bucket.states.includes(row.state))
      return {
        key: bucket.key,
        count: mine.reduce((sum, row) => sum + Number(row.total), 0),
        oldestDays: mine.length ? Math.max(...mine.map((row) => ageOf(row.oldest, now))) : null,
      }
    })
    const oldest = await db
      .from('projects')
      .whereIn('state', states)
      .where(scope)
      .orderBy('updated_at')
      .limit(10)
      .select('id', 'title', 'state', 'updated_at')
    const items: TodoItem[] = oldest.map((row) => ({
      id: row.id,
      title: row.title,
      state: row.state,
      ageDays: ageOf(row.updated_at, now),
    }))
    return { counts, items }
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
      .limit(10)
      .select('id', 'title', 'state', 'completed_at')
    return rows.map((row) => ({
      id: row.id,
      title: row.title,
      state: row.state,
      ageDays: Math.max(0, ageOf(row.completed_at, now) - 365),
    }))
  }

  protected async reviewer(now: DateTime) {
    const year = now.setZone('Asia/Shanghai').year
    const all = () => {}
    const { counts, items } = await this.buckets(REVIEWER_BUCKETS, all, now)
    const stats = await reviewStats({ year })
    const yearStart = DateTime.fromObject({ year }, { zone: 'Asia/Shanghai' }).toUTC()
    const yearEnd = yearStart.plus({ years: 1 })
    const [accepted] = await db
      .from('projects')
      .whereIn('state', [...ACCEPTED_STATES])
      .where('completed_at', '>=', sqlTime(yearStart))
      .where('completed_at', '<', sqlTime(yearEnd))
      .count('* as total')
      .sum('approved_fen as amount')
    return {
      year,
      counts,
      items,
      overdue: await this.overdue(all, now),
      figures: {
        ...stats,
        acceptedCount: Number(accepted?.total ?? 0),
        acceptedFen: Number(accepted?.amount ?? 0),
      },
      trend: await this.trend(yearStart, yearEnd),
    }
  }

  /** Decided and accepted projects per month of the year (Asia/Shanghai months). */
  protected async trend(from: DateTime, to: DateTime) {
    const mysql = !db.connection().dialect.name.includes('sqlite')
    const month = (column: string) =>
      mysql
        ? db.raw(`MONTH(DATE_ADD(${column}, INTERVAL 8 HOUR)) as m`)
        : db.raw(`CAST(strftime('%m', ${column}, '+8 hours') AS INTEGER) as m`)
    const series = async (column: string, states: readonly ProjectState[]) => {
      const rows: { m: number | string; total: number | string }[] = await db
        .from('projects')
        .whereIn('state', [...states])
        .where(column, '>=', sqlTime(from))
        .where(column, '<', sqlTime(to))
        .select(month(column))
        .count('* as total')
        .groupBy('m')
      const months = Array.from({ length: 12 }, () => 0)
      for (const row of rows) months[Number(row.m) - 1] = Number(row.total)
      return months
    }
    return {
      decided: await series('decided_at', DECIDED_STATES),
      accepted: await series('completed_at', ACCEPTED_STATES),
    }
  }

  protected async applicant(unitId: number, now: DateTime) {
    const scope = (q: any) => q.where('unit_id', unitId)
    const { counts, items } = await this.buckets(APPLICANT_BUCKETS, scope, now)
    return { counts, items, overdue: await this.overdue(scope, now) }
  }

  /** Seats waiting on an expert: review sheets not submitted, acceptance checklists not in. */
  protected async expert(userId: number) {
    const seats = await db
      .from('panel_members')
      .join('review_panels', 'review_panels.id', 'panel_members.panel_id')
      .join('projects', 'projects.id', 'review_panels.project_id')
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
      .select('projects.id', 'projects.title', 'projects.state', 'review_panels.purpose')
      .orderBy('panel_members.invited_at')
      .limit(20)
    return {
      review: seats.filter((seat) => seat.purpose === 'review'),
      acceptance: seats.filter((seat) => seat.purpose === 'acceptance'),
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
