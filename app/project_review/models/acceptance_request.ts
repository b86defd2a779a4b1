import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import Project from '#project_review/models/project'
import SettlementLine from '#project_review/models/settlement_line'
import AcceptanceCheck from '#project_review/models/acceptance_check'
import { integer, jsonText } from '#project_review/models/json_column'
import { requestMachine, type RequestStatus } from '#project_review/state_machines'

/** 等保测评结论 as filed by the unit. */
export const SECURITY_RESULTS = ['passed', 'basic', 'failed', 'not_required'] as const
export type SecurityResult = (typeof SECURITY_RESULTS)[number]

/**
 * 申请验收: one round of acceptance (round 1, and a new round after each 整改), with the
 * settlement (决算) per approved line, deliverables, 等保测评 result and the trial-run report.
 */
export default class AcceptanceRequest extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare projectId: number

  @column(integer)
  declare round: number

  @column()
  declare status: RequestStatus

  @column()
  declare deliverables: string

  @column()
  declare securityResult: SecurityResult

  @column()
  declare securityNote: string | null

  @column()
  declare trialRunSummary: string

  @column(integer)
  declare settledFen: number

  /** 整改事项, itemised */
  @column(jsonText<string[]>([]))
  declare rectificationItems: string[]

  @column()
  declare conclusionComment: string | null

  @column()
  declare requestedById: number | null

  @column()
  declare decidedById: number | null

  @column.dateTime()
  declare decidedAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Project)
  declare project: BelongsTo<typeof Project>

  @hasMany(() => SettlementLine, { onQuery: (query) => query.orderBy('id') })
  declare lines: HasMany<typeof SettlementLine>

  @hasMany(() => AcceptanceCheck, { onQuery: (query) => query.orderBy('id') })
  declare checks: HasMany<typeof AcceptanceCheck>

  get isDecided() {
    return !requestMachine.can(this.status, 'pass') && !requestMachine.can(this.status, 'convene')
  }

  get isPassed() {
    return this.status === requestMachine.target('pass')
  }

  get needsRectification() {
    return this.status === requestMachine.target('rectify')
  }
}
