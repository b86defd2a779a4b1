import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

/** 重点敏感时期: 24-hour duty, a lower mail threshold and faster escalation. */
export default class SensitivePeriod extends BaseModel {
  static table = 'sensitive_periods'

  @column({ isPrimary: true, consume: (v) => Number(v) })
  declare id: number

  @column()
  declare name: string

  @column.dateTime()
  declare startsAt: DateTime

  @column.dateTime()
  declare endsAt: DateTime

  @column({ consume: (v) => (v === null ? null : Number(v)) })
  declare createdById: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
