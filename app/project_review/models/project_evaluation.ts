import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { jsonText } from '#project_review/models/json_column'
import type { IndicatorValue } from '#project_review/domain/forms'

/** 绩效评价等级: 优 / 良 / 中 / 差 */
export const RATINGS = ['excellent', 'good', 'fair', 'poor'] as const
export type Rating = (typeof RATINGS)[number]

/**
 * 绩效评价 of an accepted project: indicators with target and actual, the unit's
 * self-evaluation, and the bureau's rating with its comment.
 */
export default class ProjectEvaluation extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare projectId: number

  @column(jsonText<IndicatorValue[]>([]))
  declare indicators: IndicatorValue[]

  @column()
  declare selfEvaluation: string | null

  @column()
  declare selfById: number | null

  @column.dateTime()
  declare selfSubmittedAt: DateTime | null

  @column()
  declare rating: Rating | null

  @column()
  declare ratingComment: string | null

  @column()
  declare ratedById: number | null

  @column.dateTime()
  declare ratedAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  get isSelfSubmitted() {
    return this.selfSubmittedAt !== null
  }
}
