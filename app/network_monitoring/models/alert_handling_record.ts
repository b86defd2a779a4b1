import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { numberColumn } from '#network_monitoring/models/columns'

/** 处置记录: what caused an alert, what was done, and the evidence. */
export default class AlertHandlingRecord extends BaseModel {
  static table = 'alert_handling_records'

  @column({ isPrimary: true })
  declare id: number

  @column(numberColumn)
  declare alertId: number

  @column()
  declare cause: string

  @column()
  declare action: string

  @column()
  declare evidence: string | null

  @column({ serializeAs: null })
  declare attachmentPath: string | null

  @column()
  declare attachmentName: string | null

  @column(numberColumn)
  declare createdById: number | null

  @column()
  declare createdByName: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
