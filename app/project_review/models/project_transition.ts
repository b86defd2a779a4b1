import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { jsonText } from '#project_review/models/json_column'
import type { ProjectState, TransitionAction } from '#project_review/lifecycle'

/** One step of a project's timeline: who moved it from which state to which, when and why. */
export default class ProjectTransition extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare projectId: number

  @column()
  declare action: TransitionAction

  @column()
  declare fromState: ProjectState

  @column()
  declare toState: ProjectState

  @column()
  declare actorId: number | null

  @column()
  declare actorName: string | null

  @column()
  declare comment: string | null

  @column(jsonText<string[]>([]))
  declare reasons: string[]

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
