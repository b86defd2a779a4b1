import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type { DatabaseQueryBuilderContract } from '@adonisjs/lucid/types/querybuilder'
import { requestMachine } from '#project_review/state_machines'
import { PDF_ZONE } from '#core/pdf/format'

/** Acceptance and evaluation figures of a year, for the annual statistics. */
export interface AcceptanceFigures {
  /** 验收通过 in the year (the passed acceptance requests decided then). */
  accepted: number
  /** Their accumulated settlement (决算), fen. */
  amountFen: number
  /** 整改 rounds decided in the year. */
  rectifications: number
  /** 绩效评价 rated in the year. */
  evaluated: number
}

/** [1 January, next 1 January) of a year in Asia/Shanghai, as UTC SQL times. */
function yearRange(year: number) {
  const start = DateTime.fromObject({ year, month: 1, day: 1 }, { zone: PDF_ZONE })
  const sql = (dt: DateTime) => dt.toUTC().toFormat('yyyy-LL-dd HH:mm:ss')
  return [sql(start), sql(start.plus({ years: 1 }))] as const
}

/** The projects of a unit or category only (the filters of GET /api/v1/stats/review). */
export interface AcceptanceFilter {
  unitId?: number
  category?: string
}

function scoped(table: string, filter: AcceptanceFilter) {
  return (query: DatabaseQueryBuilderContract) => {
    if (!filter.unitId && !filter.category) return
    query.whereIn(`${table}.project_id`, (projects: DatabaseQueryBuilderContract) => {
      projects.from('projects').select('id')
      if (filter.unitId) projects.where('unit_id', filter.unitId)
      if (filter.category) projects.where('category', filter.category)
    })
  }
}

/**
 * 组织专家验收项目 N 个，项目累计金额约 X 万元 — counted by the day the reviewer decided
 * (Asia/Shanghai year), from the acceptance requests and evaluations tables. The amount is the
 * settlement (决算) of the accepted projects: the 年度统计, GET /api/v1/stats/review and the
 * reviewer's 工作台 all read it here.
 */
export async function acceptanceFigures(
  year: number,
  filter: AcceptanceFilter = {}
): Promise<AcceptanceFigures> {
  const [from, to] = yearRange(year)
  const requests = await db
    .from('acceptance_requests')
    .where('decided_at', '>=', from)
    .where('decided_at', '<', to)
    .where(scoped('acceptance_requests', filter))
    .select(
      db.raw('sum(case when status = ? then 1 else 0 end) as accepted', [
        requestMachine.target('pass'),
      ]),
      db.raw('sum(case when status = ? then settled_fen else 0 end) as amount', [
        requestMachine.target('pass'),
      ]),
      db.raw('sum(case when status = ? then 1 else 0 end) as rectifications', [
        requestMachine.target('rectify'),
      ])
    )
    .first()
  const evaluations = await db
    .from('project_evaluations')
    .where('rated_at', '>=', from)
    .where('rated_at', '<', to)
    .where(scoped('project_evaluations', filter))
    .count('* as n')
    .first()
  return {
    accepted: Number(requests?.accepted ?? 0),
    amountFen: Number(requests?.amount ?? 0),
    rectifications: Number(requests?.rectifications ?? 0),
    evaluated: Number(evaluations?.n ?? 0),
  }
}
