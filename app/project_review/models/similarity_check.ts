import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { bool, integer, jsonText } from '#project_review/models/json_column'

/** One stored match of a duplicate-construction check, with what is needed to show it. */
export interface StoredMatch {
  projectId: number
  code: string | null
  title: string
  unitName: string
  year: number
  state: string
  score: number
  flagged: boolean
  sharedTerms: string[]
}

/** The result of the duplicate-construction check (重复建设审查) run at one submission. */
export default class SimilarityCheck extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare projectId: number

  @column(integer)
  declare corpusSize: number

  /** Threshold in hundredths of a percent of similarity (3000 = 0.30). */
  @column(integer)
  declare thresholdBp: number

  @column(bool)
  declare flagged: boolean

  @column(jsonText<StoredMatch[]>([]))
  declare matches: StoredMatch[]

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
