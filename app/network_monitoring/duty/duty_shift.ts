import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#identity/models/user'

export const SHIFT_KINDS = ['primary', 'secondary', 'leader'] as const
export type ShiftKind = (typeof SHIFT_KINDS)[number]

/** One shift of the 值班表: who is on duty from when to when (UTC), reachable at which phone. */
export default class DutyShift extends BaseModel {
  static table = 'duty_shifts'

  @column({ isPrimary: true, consume: (v) => Number(v) })
  declare id: number

  @column({ consume: (v) => Number(v) })
  declare userId: number

  @column()
  declare kind: ShiftKind

  @column.dateTime()
  declare startsAt: DateTime

  @column.dateTime()
  declare endsAt: DateTime

  @column()
  declare phone: string | null

  @column()
  declare note: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => User)
  declare user: BelongsTo<typeof User>
}
