import { BaseModel, column } from '@adonisjs/lucid/orm'
import { integer } from '#project_review/models/json_column'

export const ITEM_CATEGORIES = [
  'hardware',
  'software',
  'integration',
  'cloud',
  'operation',
  'security',
  'other',
] as const
export type ItemCategory = (typeof ITEM_CATEGORIES)[number]

/** One budget line (预算明细): amount = quantity × unit price, all money in integer fen. */
export default class BudgetItem extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare projectId: number

  @column(integer)
  declare position: number

  @column()
  declare category: ItemCategory

  @column()
  declare name: string

  @column()
  declare specification: string | null

  @column(integer)
  declare quantity: number

  @column(integer)
  declare unitPriceFen: number

  @column(integer)
  declare amountFen: number

  /** Median of the experts' recommendations, set when the panel is closed. */
  @column(integer)
  declare recommendedFen: number | null

  /** Fixed by the reviewer at approval. */
  @column(integer)
  declare approvedFen: number | null

  @column()
  declare approvalReason: string | null

  /** 修改后通过: the applicant's revised line (null when not revised). */
  @column(integer)
  declare revisedQuantity: number | null

  @column(integer)
  declare revisedUnitPriceFen: number | null

  @column(integer)
  declare revisedFen: number | null

  /** What the line asks for now: the revision if any, else the original request. */
  get currentFen() {
    return this.revisedFen ?? this.amountFen
  }
}
