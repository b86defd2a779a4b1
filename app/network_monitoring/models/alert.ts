import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import User from '#identity/models/user'
import Unit from '#identity/models/unit'
import Device from '#network_monitoring/models/device'
import Site from '#network_monitoring/models/site'
import DeviceInterface from '#network_monitoring/models/device_interface'
import AlertEvent from '#network_monitoring/models/alert_event'
import AlertHandlingRecord from '#network_monitoring/models/alert_handling_record'
import { booleanColumn, numberColumn } from '#network_monitoring/models/columns'
import type { AlertState } from '#network_monitoring/alerts/lifecycle'
import type { AlertSource } from '#network_monitoring/alerts/contract'
import type { GradeLevel } from '#network_monitoring/alerts/classification'
import { jsonColumn } from '#network_monitoring/alerts/json_column'

/**
 * One problem (告警): a fault or threat on a device, interface or site, classified per
 * GB/T 20986-2023, with its lifecycle (open → acknowledged → resolved → closed).
 * Repeats of the same condition update this row (count, last seen) while it is open.
 */
export default class Alert extends BaseModel {
  static table = 'alerts'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare conditionKey: string

  @column({ serializeAs: null })
  declare openKey: string | null

  @column()
  declare state: AlertState

  @column()
  declare categoryGroup: string

  @column()
  declare category: string

  @column()
  declare rawType: string | null

  @column(numberColumn)
  declare grade: GradeLevel

  @column(numberColumn)
  declare computedGrade: GradeLevel

  @column()
  declare gradeOverrideReason: string | null

  @column(numberColumn)
  declare deviceId: number | null

  @column(numberColumn)
  declare siteId: number | null

  @column(numberColumn)
  declare unitId: number | null

  @column(numberColumn)
  declare interfaceId: number | null

  @column()
  declare source: AlertSource

  @column()
  declare rule: string

  @column()
  declare externalId: string | null

  @column(numberColumn)
  declare severity: number | null

  @column()
  declare summaryKey: string | null

  @column(jsonColumn)
  declare summaryParams: Record<string, string | number> | null

  @column()
  declare summaryText: string | null

  @column(jsonColumn)
  declare details: Record<string, unknown> | null

  @column(numberColumn)
  declare count: number

  @column(numberColumn)
  declare sitesAffected: number

  @column.dateTime()
  declare firstSeenAt: DateTime

  @column.dateTime()
  declare lastSeenAt: DateTime

  @column.dateTime()
  declare acknowledgedAt: DateTime | null

  @column(numberColumn)
  declare acknowledgedById: number | null

  @column.dateTime()
  declare resolvedAt: DateTime | null

  /** Null with resolvedAt set: resolved automatically when the condition cleared. */
  @column(numberColumn)
  declare resolvedById: number | null

  @column.dateTime()
  declare closedAt: DateTime | null

  @column(numberColumn)
  declare closedById: number | null

  @column(numberColumn)
  declare assigneeId: number | null

  /** The alert whose cause this one shares (a town router down → its villages). */
  @column(numberColumn)
  declare parentAlertId: number | null

  /** 抖动: the condition changes state too often to raise/resolve each time. */
  @column(booleanColumn)
  declare isFlapping: boolean

  @column()
  declare srcIp: string | null

  @column()
  declare dstIp: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Device)
  declare device: BelongsTo<typeof Device>

  @belongsTo(() => Site)
  declare site: BelongsTo<typeof Site>

  @belongsTo(() => Unit)
  declare unit: BelongsTo<typeof Unit>

  @belongsTo(() => DeviceInterface, { foreignKey: 'interfaceId' })
  declare interface: BelongsTo<typeof DeviceInterface>

  @belongsTo(() => User, { foreignKey: 'assigneeId' })
  declare assignee: BelongsTo<typeof User>

  @belongsTo(() => Alert, { foreignKey: 'parentAlertId' })
  declare parent: BelongsTo<typeof Alert>

  @hasMany(() => Alert, { foreignKey: 'parentAlertId' })
  declare children: HasMany<typeof Alert>

  @hasMany(() => AlertEvent)
  declare events: HasMany<typeof AlertEvent>

  @hasMany(() => AlertHandlingRecord)
  declare handlingRecords: HasMany<typeof AlertHandlingRecord>

  get isOverridden() {
    return this.gradeOverrideReason !== null
  }

  /** Minutes from first seen to acknowledged (MTTA's sample), null until acknowledged. */
  get minutesToAcknowledge() {
    if (!this.acknowledgedAt) return null
    return Math.max(0, this.acknowledgedAt.diff(this.firstSeenAt, 'minutes').minutes)
  }

  /** Minutes from first seen to resolved (MTTR's sample), null until resolved. */
  get minutesToResolve() {
    if (!this.resolvedAt) return null
    return Math.max(0, this.resolvedAt.diff(this.firstSeenAt, 'minutes').minutes)
  }
}
