import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import BudgetItem from '#project_review/models/budget_item'
import { integer } from '#project_review/models/json_column'

/** 决算 of one approved budget line; above the approved amount it carries a justification. */
export default class SettlementLine extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare acceptanceRequestId: number

  @column()
  declare budgetItemId: number

  /** the approved amount when the request was filed */
  @column(integer)
  declare approvedFen: number

  @column(integer)
  declare settledFen: number

  @column()
  declare justification: string | null

  @belongsTo(() => BudgetItem)
  declare budgetItem: BelongsTo<typeof BudgetItem>

  /** 超批复: highlighted on every page that shows the settlement. */
  get isOverApproved() {
    return this.settledFen > this.approvedFen
  }
}
