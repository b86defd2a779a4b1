import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Device from '#network_monitoring/models/device'
import { numberColumn } from '#network_monitoring/models/columns'

/** What the last poll found; 'unknown' until a device has been polled. */
export const DEVICE_STATUSES = ['up', 'down', 'unknown'] as const
export type DeviceStatus = (typeof DEVICE_STATUSES)[number]

/** The latest state of one device, written by the poller (one row per device). */
export default class DeviceState extends BaseModel {
  static table = 'device_states'
  static selfAssignPrimaryKey = true

  @column({ isPrimary: true })
  declare deviceId: number

  @column()
  declare status: DeviceStatus

  @column.dateTime()
  declare statusChangedAt: DateTime | null

  @column.dateTime()
  declare lastPollAt: DateTime | null

  @column.dateTime()
  declare lastOkAt: DateTime | null

  @column(numberColumn)
  declare lastDurationMs: number | null

  @column(numberColumn)
  declare consecutiveFailures: number

  @column()
  declare lastErrorCode: string | null

  @column()
  declare lastErrorMessage: string | null

  @column()
  declare sysName: string | null

  @column()
  declare sysDescr: string | null

  @column()
  declare sysObjectId: string | null

  @column(numberColumn)
  declare sysUptimeTicks: number | null

  @column(numberColumn)
  declare lastSampleMs: number | null

  @column(numberColumn)
  declare cpuLoad: number | null

  @column(numberColumn)
  declare interfaceCount: number

  /** Poller modules that failed alone on the last answered poll (issue #8): [{ module, code, message }]. */
  @column({
    consume: (value: unknown) => {
      if (typeof value !== 'string' || value === '') return []
      try {
        const list = JSON.parse(value)
        return Array.isArray(list) ? list : []
      } catch {
        return []
      }
    },
    prepare: (value: unknown) =>
      Array.isArray(value) && value.length > 0 ? JSON.stringify(value) : null,
  })
  declare moduleErrors: Array<{ module: string; code: string; message: string }>

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Device)
  declare device: BelongsTo<typeof Device>
}
