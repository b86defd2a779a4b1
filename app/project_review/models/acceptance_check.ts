import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Expert from '#project_review/models/expert'
import { jsonText } from '#project_review/models/json_column'
import type { ChecklistAnswers } from '#project_review/domain/forms'
import { checkMachine, type CheckStatus } from '#project_review/state_machines'

/** An acceptance expert's checklist (验收检查表) for one acceptance request. */
export default class AcceptanceCheck extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare panelId: number

  @column()
  declare acceptanceRequestId: number

  @column()
  declare expertId: number

  @column()
  declare status: CheckStatus

  @column(jsonText<ChecklistAnswers>({ results: {}, notes: {} }))
  declare results: ChecklistAnswers

  @column()
  declare opinion: string | null

  @column.dateTime()
  declare submittedAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Expert)
  declare expert: BelongsTo<typeof Expert>

  get isEditable() {
    return checkMachine.can(this.status, 'submit')
  }
}
