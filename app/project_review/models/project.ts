import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany, hasOne, manyToMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany, HasOne, ManyToMany } from '@adonisjs/lucid/types/relations'
import Unit from '#identity/models/unit'
import User from '#identity/models/user'
import BudgetItem from '#project_review/models/budget_item'
import SharedPlatform from '#project_review/models/shared_platform'
import ProjectAttachment from '#project_review/models/project_attachment'
import ProjectTransition from '#project_review/models/project_transition'
import SimilarityCheck from '#project_review/models/similarity_check'
import ReviewPanel from '#project_review/models/review_panel'
import { bool, integer } from '#project_review/models/json_column'
import ProjectMilestone from '#project_review/models/project_milestone'
import AcceptanceRequest from '#project_review/models/acceptance_request'
import ProjectEvaluation from '#project_review/models/project_evaluation'
import {
  ACCEPTED_STATES,
  APPROVED_STATES,
  EDITABLE_STATES,
  projectMachine,
  type ProjectState,
} from '#project_review/lifecycle'

export const PROJECT_CATEGORIES = ['new', 'upgrade', 'operation', 'service'] as const
export type ProjectCategory = (typeof PROJECT_CATEGORIES)[number]

export const SECURITY_LEVELS = [1, 2, 3, 4] as const

/** A proposal (项目申报书) and, once submitted, the project it becomes. Money in integer fen. */
export default class Project extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare code: string | null

  @column()
  declare unitId: number

  @column()
  declare createdById: number | null

  @column(integer)
  declare year: number

  @column()
  declare title: string

  @column()
  declare category: ProjectCategory

  @column()
  declare content: string | null

  @column()
  declare necessity: string | null

  @column()
  declare technicalPlan: string | null

  @column(integer)
  declare securityLevel: number | null

  @column.date()
  declare plannedStart: DateTime | null

  @column.date()
  declare plannedEnd: DateTime | null

  @column()
  declare contactName: string | null

  @column()
  declare contactPhone: string | null

  @column()
  declare state: ProjectState

  @column(integer)
  declare returnCount: number

  @column(integer)
  declare requestedFen: number

  @column(integer)
  declare approvedFen: number | null

  @column(bool)
  declare similarityFlagged: boolean

  @column(integer)
  declare finalScoreHundredths: number | null

  @column()
  declare conclusion: 'pass' | 'revise' | 'fail' | null

  @column()
  declare decisionComment: string | null

  @column.dateTime()
  declare submittedAt: DateTime | null

  @column.dateTime()
  declare decidedAt: DateTime | null

  /** 修改后通过: the applicant's answer to the expert opinions */
  @column()
  declare revisionNote: string | null

  @column.dateTime()
  declare revisedAt: DateTime | null

  /** 决算 total of the passed acceptance request */
  @column(integer)
  declare settledFen: number | null

  /** when acceptance passed (已验收); the 12-month evaluation reminder counts from here */
  @column.dateTime()
  declare completedAt: DateTime | null

  @column.dateTime()
  declare evaluationRemindedAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Unit)
  declare unit: BelongsTo<typeof Unit>

  @belongsTo(() => User, { foreignKey: 'createdById' })
  declare createdBy: BelongsTo<typeof User>

  @hasMany(() => BudgetItem, { onQuery: (query) => query.orderBy('position') })
  declare items: HasMany<typeof BudgetItem>

  @manyToMany(() => SharedPlatform, {
    pivotTable: 'project_platforms',
    pivotRelatedForeignKey: 'shared_platform_id',
  })
  declare platforms: ManyToMany<typeof SharedPlatform>

  @hasMany(() => ProjectAttachment)
  declare attachments: HasMany<typeof ProjectAttachment>

  @hasMany(() => ProjectTransition, { onQuery: (query) => query.orderBy('id') })
  declare transitions: HasMany<typeof ProjectTransition>

  @hasMany(() => SimilarityCheck)
  declare similarityChecks: HasMany<typeof SimilarityCheck>

  @hasOne(() => ReviewPanel, { onQuery: (query) => query.where('purpose', 'review') })
  declare panel: HasOne<typeof ReviewPanel>

  @hasOne(() => ReviewPanel, { onQuery: (query) => query.where('purpose', 'acceptance') })
  declare acceptancePanel: HasOne<typeof ReviewPanel>

  @hasMany(() => ProjectMilestone)
  declare milestones: HasMany<typeof ProjectMilestone>

  @hasMany(() => AcceptanceRequest, { onQuery: (query) => query.orderBy('round') })
  declare acceptanceRequests: HasMany<typeof AcceptanceRequest>

  @hasOne(() => ProjectEvaluation)
  declare evaluation: HasOne<typeof ProjectEvaluation>

  get isEditable() {
    return EDITABLE_STATES.includes(this.state)
  }

  /** 批复 with a budget: construction, acceptance and evaluation states. */
  get isApproved() {
    return APPROVED_STATES.includes(this.state)
  }

  /** The applicant is revising the proposal against the expert opinions. */
  get isRevising() {
    return projectMachine.can(this.state, 'submit_revision')
  }

  /** 已验收 (evaluated or not). */
  get hasPassedAcceptance() {
    return ACCEPTED_STATES.includes(this.state)
  }

  get finalScore(): number | null {
    return this.finalScoreHundredths === null ? null : this.finalScoreHundredths / 100
  }
}
