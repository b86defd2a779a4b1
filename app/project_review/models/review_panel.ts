import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import Project from '#project_review/models/project'
import PanelMember from '#project_review/models/panel_member'
import ScoreSheet from '#project_review/models/score_sheet'
import { integer, jsonText } from '#project_review/models/json_column'
import { panelMachine, type PanelStatus } from '#project_review/state_machines'
import type { Criterion } from '#project_review/domain/aggregation'
import type { DrawProject, DrawResult, ExpertCandidate } from '#project_review/domain/draw'
import type { FormTemplate } from '#project_review/domain/forms'

export const PANEL_PURPOSES = ['review', 'acceptance'] as const
export type PanelPurpose = (typeof PANEL_PURPOSES)[number]

/** What closing the panel computed, kept so the page and reports show the same figures. */
export interface PanelAggregation {
  sheetIds: number[]
  totals: number[]
  droppedHighestSheetId: number | null
  droppedLowestSheetId: number | null
  score: number
  conclusion: 'pass' | 'revise' | 'fail'
  thresholds: { pass: number; revise: number }
}

/**
 * A review panel (评审专家组) of one project with its draw record: the input snapshot (candidates
 * and project), the seed and the result, so `review:replay-draw` can reproduce it exactly.
 */
export default class ReviewPanel extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare projectId: number

  /** review (立项评审) or acceptance (竣工验收): one panel of each per project */
  @column()
  declare purpose: PanelPurpose

  /** the form the experts fill (weighted score for review, checklist for acceptance) */
  @column(jsonText<FormTemplate | null>(null))
  declare form: FormTemplate | null

  /** the acceptance request the panel is sitting on (acceptance panels) */
  @column()
  declare acceptanceRequestId: number | null

  @column(integer)
  declare year: number

  @column()
  declare algorithm: string

  @column()
  declare seed: string

  @column(integer)
  declare panelSize: number

  @column(integer)
  declare alternatesCount: number

  @column(jsonText<string[]>([]))
  declare specialties: string[]

  @column(jsonText<DrawProject>({ applicantUnitId: 0, drafterExpertIds: [] }))
  declare drawProject: DrawProject

  @column(jsonText<ExpertCandidate[]>([]))
  declare candidates: ExpertCandidate[]

  @column(jsonText<DrawResult | null>(null))
  declare result: DrawResult

  /** The score-sheet template in force when the panel was drawn. */
  @column(jsonText<Criterion[]>([]))
  declare criteria: Criterion[]

  @column()
  declare status: PanelStatus

  @column(integer)
  declare finalScoreHundredths: number | null

  @column()
  declare conclusion: 'pass' | 'revise' | 'fail' | null

  @column(jsonText<PanelAggregation | null>(null))
  declare aggregation: PanelAggregation | null

  @column()
  declare drawnById: number | null

  @column.dateTime()
  declare drawnAt: DateTime

  @column.dateTime()
  declare closedAt: DateTime | null

  @belongsTo(() => Project)
  declare project: BelongsTo<typeof Project>

  @hasMany(() => PanelMember, { foreignKey: 'panelId', onQuery: (q) => q.orderBy('draw_order') })
  declare members: HasMany<typeof PanelMember>

  @hasMany(() => ScoreSheet, { foreignKey: 'panelId' })
  declare sheets: HasMany<typeof ScoreSheet>

  get isClosed() {
    return panelMachine.can(this.status, 'reopen')
  }

  get isOpen() {
    return panelMachine.can(this.status, 'close')
  }

  get isAcceptance() {
    return this.purpose === 'acceptance'
  }
}
