import { BaseModel, column } from '@adonisjs/lucid/orm'
import { integer } from '#project_review/models/json_column'
import type { CutReason } from '#project_review/models/score_sheet'

/** An expert's recommendation for one budget line: approved quantity × unit price, and why cut. */
export default class SheetItem extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare scoreSheetId: number

  @column()
  declare budgetItemId: number

  @column(integer)
  declare quantity: number

  @column(integer)
  declare unitPriceFen: number

  @column(integer)
  declare amountFen: number

  @column()
  declare cutReason: CutReason | null

  @column()
  declare note: string | null
}
