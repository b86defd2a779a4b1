import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import Expert from '#project_review/models/expert'
import ReviewPanel from '#project_review/models/review_panel'
import SheetItem from '#project_review/models/sheet_item'
import { integer, jsonText } from '#project_review/models/json_column'
import { sheetMachine, type SheetStatus } from '#project_review/state_machines'

export const CUT_REASONS = [
  'duplicate',
  'overpriced',
  'excess_quantity',
  'unnecessary',
  'reuse',
  'other',
] as const
export type CutReason = (typeof CUT_REASONS)[number]

/** An expert's score sheet (评审表); immutable once submitted unless the reviewer returns it. */
export default class ScoreSheet extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare panelId: number

  @column()
  declare expertId: number

  @column()
  declare status: SheetStatus

  /** criterion key → score (up to 2 decimals) */
  @column(jsonText<Record<string, number>>({}))
  declare scores: Record<string, number>

  @column(integer)
  declare totalHundredths: number | null

  @column()
  declare opinion: string | null

  @column()
  declare returnReason: string | null

  @column(integer)
  declare version: number

  @column.dateTime()
  declare submittedAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Expert)
  declare expert: BelongsTo<typeof Expert>

  @belongsTo(() => ReviewPanel, { foreignKey: 'panelId' })
  declare panel: BelongsTo<typeof ReviewPanel>

  @hasMany(() => SheetItem, { foreignKey: 'scoreSheetId' })
  declare items: HasMany<typeof SheetItem>

  get isEditable() {
    return sheetMachine.can(this.status, 'submit')
  }

  get total(): number | null {
    return this.totalHundredths === null ? null : this.totalHundredths / 100
  }
}
