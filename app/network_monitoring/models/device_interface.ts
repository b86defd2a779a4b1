import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Device from '#network_monitoring/models/device'
import { numberColumn } from '#network_monitoring/models/columns'

/** IF-MIB ifOperStatus / ifAdminStatus values we name. */
export const IF_STATUS_UP = 1
export const IF_STATUS_DOWN = 2

/** ifIndex values from here on are rows of vanished ports (agents use 1…2³¹−1, mostly far below). */
export const PARKED_IF_INDEX = 3_000_000_000

/** The latest state of one interface of a device (one row per ifIndex). */
export default class DeviceInterface extends BaseModel {
  static table = 'device_interfaces'

  @column({ isPrimary: true })
  declare id: number

  @column(numberColumn)
  declare deviceId: number

  @column(numberColumn)
  declare ifIndex: number

  @column()
  declare name: string | null

  @column()
  declare descr: string | null

  @column()
  declare alias: string | null

  @column(numberColumn)
  declare ifType: number | null

  @column(numberColumn)
  declare speedBps: number | null

  @column(numberColumn)
  declare adminStatus: number | null

  @column(numberColumn)
  declare operStatus: number | null

  @column(numberColumn)
  declare inBps: number | null

  @column(numberColumn)
  declare outBps: number | null

  @column(numberColumn)
  declare inUtilisation: number | null

  @column(numberColumn)
  declare outUtilisation: number | null

  @column(numberColumn)
  declare inErrorsPs: number | null

  @column(numberColumn)
  declare outErrorsPs: number | null

  @column(numberColumn)
  declare inDiscardsPs: number | null

  @column(numberColumn)
  declare outDiscardsPs: number | null

  @column(numberColumn)
  declare counterBits: number | null

  @column({ serializeAs: null })
  declare lastInOctets: string | null

  @column({ serializeAs: null })
  declare lastOutOctets: string | null

  @column(numberColumn)
  declare lastSampleMs: number | null

  /** When the port stopped answering at its ifIndex (renumbered away or removed); null while current. */
  @column.dateTime()
  declare goneAt: DateTime | null

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Device)
  declare device: BelongsTo<typeof Device>

  /** The name people use: ifName, else ifDescr, else the index. */
  get label() {
    return this.name || this.descr || `ifIndex ${this.ifIndex}`
  }

  get isAdminUp() {
    return this.adminStatus === IF_STATUS_UP
  }

  /**
   * A port that vanished: marked gone, or parked at an ifIndex no agent uses
   * (PARKED_IF_INDEX in poll_store.ts) so its number is free for a new port.
   */
  get isGone() {
    return Boolean(this.goneAt) || this.ifIndex >= PARKED_IF_INDEX
  }

  get isOperUp() {
    return this.operStatus === IF_STATUS_UP
  }
}
