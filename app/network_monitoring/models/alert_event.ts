import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { numberColumn } from '#network_monitoring/models/columns'
import { jsonColumn } from '#network_monitoring/alerts/json_column'

export const ALERT_EVENT_TYPES = [
  'raised',
  'updated',
  'suppressed',
  'flapping',
  'acknowledged',
  'assigned',
  'resolved',
  'closed',
  'reopened',
  'reclassified',
  'note',
] as const
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number]

/** One entry of an alert's timeline (时间线). */
export default class AlertEvent extends BaseModel {
  static table = 'alert_events'

  @column({ isPrimary: true })
  declare id: number

  @column(numberColumn)
  declare alertId: number

  @column()
  declare type: AlertEventType

  @column.dateTime()
  declare at: DateTime

  @column(numberColumn)
  declare actorId: number | null

  @column()
  declare actorName: string | null

  @column(jsonColumn)
  declare details: Record<string, unknown> | null
}
