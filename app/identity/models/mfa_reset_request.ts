import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#identity/models/user'

export type MfaResetState = 'pending' | 'approved' | 'rejected'

/** A request to remove someone's second factor, waiting for a second administrator. */
export default class MfaResetRequest extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare targetId: number

  @column()
  declare requestedBy: number

  @column()
  declare reason: string

  @column()
  declare state: MfaResetState

  @column()
  declare decidedBy: number | null

  @column.dateTime()
  declare decidedAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @belongsTo(() => User, { foreignKey: 'targetId' })
  declare target: BelongsTo<typeof User>

  @belongsTo(() => User, { foreignKey: 'requestedBy' })
  declare requester: BelongsTo<typeof User>
}
