import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Device from '#network_monitoring/models/device'
import User from '#identity/models/user'
import { numberColumn } from '#network_monitoring/models/columns'

/** A planned outage of a device (维护窗口): polls inside it do not count against availability. */
export default class MaintenanceWindow extends BaseModel {
  static table = 'maintenance_windows'

  @column({ isPrimary: true })
  declare id: number

  @column(numberColumn)
  declare deviceId: number

  @column.dateTime()
  declare startsAt: DateTime

  @column.dateTime()
  declare endsAt: DateTime

  @column()
  declare reason: string

  @column(numberColumn)
  declare createdById: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Device)
  declare device: BelongsTo<typeof Device>

  @belongsTo(() => User, { foreignKey: 'createdById' })
  declare createdBy: BelongsTo<typeof User>

  /** Whether the window covers the given instant. */
  covers(at: DateTime) {
    return this.startsAt <= at && at < this.endsAt
  }

  get isActive() {
    return this.covers(DateTime.utc())
  }
}
