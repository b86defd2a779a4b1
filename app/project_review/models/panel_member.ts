import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Expert from '#project_review/models/expert'
import ReviewPanel from '#project_review/models/review_panel'
import { integer } from '#project_review/models/json_column'
import { isSitting, type SeatStatus } from '#project_review/state_machines'

export type MemberStatus = SeatStatus

/**
 * One drawn expert: `seat` is where the draw put them (member / alternate); `status` is where
 * they are now: invited (sitting on the panel), standby (alternate not yet called), declined
 * (回避 / 谢绝 by the expert), withdrawn (撤换 by the reviewer). `userId` is the login that holds
 * the seat; one login holds at most one seat per panel (unique index).
 */
export default class PanelMember extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare panelId: number

  @column()
  declare expertId: number

  @column(integer)
  declare drawOrder: number

  @column()
  declare seat: 'member' | 'alternate'

  @column()
  declare userId: number | null

  @column()
  declare status: MemberStatus

  @column()
  declare declineReason: string | null

  @column.dateTime()
  declare invitedAt: DateTime | null

  @column.dateTime()
  declare declinedAt: DateTime | null

  @column.dateTime()
  declare noConflictDeclaredAt: DateTime | null

  @column.dateTime()
  declare notifiedAt: DateTime | null

  @column()
  declare notifyError: string | null

  @column()
  declare withdrawReason: string | null

  @column.dateTime()
  declare withdrawnAt: DateTime | null

  @belongsTo(() => Expert)
  declare expert: BelongsTo<typeof Expert>

  @belongsTo(() => ReviewPanel, { foreignKey: 'panelId' })
  declare panel: BelongsTo<typeof ReviewPanel>

  /** Sitting on the panel (invited), as opposed to standby or vacated. */
  get isSitting() {
    return isSitting(this.status)
  }
}
