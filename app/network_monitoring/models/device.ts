import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany, hasOne } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany, HasOne } from '@adonisjs/lucid/types/relations'
import Unit from '#identity/models/unit'
import Site from '#network_monitoring/models/site'
import DeviceState from '#network_monitoring/models/device_state'
import DeviceInterface from '#network_monitoring/models/device_interface'
import MaintenanceWindow from '#network_monitoring/models/maintenance_window'
import { booleanColumn, numberColumn } from '#network_monitoring/models/columns'

/** 核心交换机, 汇聚交换机, 接入交换机, 接入路由器, 防火墙, IPS/IDS, 防病毒网关, 服务器 */
export const DEVICE_TYPES = [
  'core_switch',
  'aggregation_switch',
  'access_switch',
  'access_router',
  'firewall',
  'ips_ids',
  'av_gateway',
  'server',
] as const
export type DeviceType = (typeof DEVICE_TYPES)[number]

/** v3 is polled with USM through net-snmp (snmp/v3_transport.ts). */
export const SNMP_VERSIONS = ['v1', 'v2c', 'v3'] as const
export type SnmpVersion = (typeof SNMP_VERSIONS)[number]
export const POLLABLE_VERSIONS: readonly SnmpVersion[] = ['v1', 'v2c', 'v3']

export const V3_SECURITY_LEVELS = ['noAuthNoPriv', 'authNoPriv', 'authPriv'] as const
export const V3_AUTH_PROTOCOLS = ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'] as const
/** AES-256 with Blumenthal (Net-SNMP "AES-256") or Reeder (Cisco "AES-256-C") key extension. */
export const V3_PRIV_PROTOCOLS = ['des', 'aes', 'aes256b', 'aes256r'] as const

/** 关键 / 重要 / 一般: feeds the incident grade (GB/T 20986) later. */
export const CRITICALITIES = ['critical', 'important', 'normal'] as const
export type Criticality = (typeof CRITICALITIES)[number]

export const MIN_POLL_INTERVAL_SECONDS = 10
export const MAX_POLL_INTERVAL_SECONDS = 3600

/**
 * An extranet device (外网设备). Credentials are stored encrypted with the
 * app key and never serialised; use the credentials service to read them.
 */
export default class Device extends BaseModel {
  static table = 'network_devices'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare name: string

  @column()
  declare managementIp: string

  @column(numberColumn)
  declare snmpPort: number

  @column()
  declare snmpVersion: SnmpVersion

  @column({ serializeAs: null })
  declare communityEncrypted: string | null

  @column({ columnName: 'v3_username' })
  declare v3Username: string | null

  @column({ columnName: 'v3_security_level' })
  declare v3SecurityLevel: (typeof V3_SECURITY_LEVELS)[number] | null

  @column({ columnName: 'v3_auth_protocol' })
  declare v3AuthProtocol: (typeof V3_AUTH_PROTOCOLS)[number] | null

  @column({ columnName: 'v3_auth_key_encrypted', serializeAs: null })
  declare v3AuthKeyEncrypted: string | null

  @column({ columnName: 'v3_priv_protocol' })
  declare v3PrivProtocol: (typeof V3_PRIV_PROTOCOLS)[number] | null

  @column({ columnName: 'v3_priv_key_encrypted', serializeAs: null })
  declare v3PrivKeyEncrypted: string | null

  @column()
  declare deviceType: DeviceType

  @column(numberColumn)
  declare siteId: number

  @column(numberColumn)
  declare parentDeviceId: number | null

  @column(numberColumn)
  declare unitId: number | null

  @column()
  declare criticality: Criticality

  @column(numberColumn)
  declare pollIntervalSeconds: number

  @column(booleanColumn)
  declare isEnabled: boolean

  @column()
  declare description: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Site)
  declare site: BelongsTo<typeof Site>

  @belongsTo(() => Device, { foreignKey: 'parentDeviceId' })
  declare parentDevice: BelongsTo<typeof Device>

  @belongsTo(() => Unit)
  declare unit: BelongsTo<typeof Unit>

  @hasOne(() => DeviceState)
  declare state: HasOne<typeof DeviceState>

  @hasMany(() => DeviceInterface)
  declare interfaces: HasMany<typeof DeviceInterface>

  @hasMany(() => MaintenanceWindow)
  declare maintenanceWindows: HasMany<typeof MaintenanceWindow>

  /** Whether the poller can talk to this device at all. */
  get pollingSupported() {
    return POLLABLE_VERSIONS.includes(this.snmpVersion)
  }

  get hasCommunity() {
    return Boolean(this.communityEncrypted)
  }

  get hasV3AuthKey() {
    return Boolean(this.v3AuthKeyEncrypted)
  }

  get hasV3PrivKey() {
    return Boolean(this.v3PrivKeyEncrypted)
  }
}
