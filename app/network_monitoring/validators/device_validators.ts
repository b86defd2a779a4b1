import vine from '@vinejs/vine'
import { ipAddress, singleLine, number } from '#core/validation'
import type { FieldContext } from '@vinejs/vine/types'
import type { DatabaseQueryBuilderContract } from '@adonisjs/lucid/types/querybuilder'
import {
  CRITICALITIES,
  DEVICE_TYPES,
  MAX_POLL_INTERVAL_SECONDS,
  MIN_POLL_INTERVAL_SECONDS,
  SNMP_VERSIONS,
  V3_AUTH_PROTOCOLS,
  V3_PRIV_PROTOCOLS,
  V3_SECURITY_LEVELS,
} from '#network_monitoring/models/device'
import { SITE_LEVELS } from '#network_monitoring/models/site'

type Meta = { deviceId?: number }

function excludeSelf(db: DatabaseQueryBuilderContract, field: FieldContext) {
  const id = (field.meta as Meta).deviceId
  if (id) db.whereNot('id', id)
}

/** The port the IP is checked against: the sibling field, defaulting like the form does. */
function portOf(field: FieldContext) {
  const port = Number(field.parent?.snmpPort)
  return Number.isInteger(port) && port > 0 ? port : 161
}

/** Device fields shared by the form and the CSV import; credentials are optional (blank = keep). */
export const deviceFields = {
  name: singleLine()
    .minLength(1)
    .maxLength(100)
    .unique({
      table: 'network_devices',
      column: 'name',
      filter: (db, _value, field) => excludeSelf(db, field),
    }),
  managementIp: ipAddress().unique({
    table: 'network_devices',
    column: 'management_ip',
    filter: (db, _value, field) => {
      db.where('snmp_port', portOf(field))
      excludeSelf(db, field)
    },
  }),
  snmpPort: number().withoutDecimals().range([1, 65535]),
  snmpVersion: vine.enum(SNMP_VERSIONS),
  community: singleLine().maxLength(128).optional(),
  v3Username: singleLine().maxLength(64).optional(),
  v3SecurityLevel: vine.enum(V3_SECURITY_LEVELS).optional(),
  v3AuthProtocol: vine.enum(V3_AUTH_PROTOCOLS).optional(),
  v3AuthKey: vine.string().minLength(8).maxLength(128).optional(),
  v3PrivProtocol: vine.enum(V3_PRIV_PROTOCOLS).optional(),
  v3PrivKey: vine.string().minLength(8).maxLength(128).optional(),
  deviceType: vine.enum(DEVICE_TYPES),
  siteId: number().exists({ table: 'network_sites', column: 'id' }),
  parentDeviceId: number().exists({ table: 'network_devices', column: 'id' }).optional(),
  unitId: number().exists({ table: 'units', column: 'id' }).optional(),
  criticality: vine.enum(CRITICALITIES),
  pollIntervalSeconds: number()
    .withoutDecimals()
    .range([MIN_POLL_INTERVAL_SECONDS, MAX_POLL_INTERVAL_SECONDS]),
  isEnabled: vine.boolean().optional(),
  description: singleLine().maxLength(500).optional(),
}

export const deviceValidator = vine.withMetaData<Meta>().create(deviceFields)

export const deviceListValidator = vine.create({
  q: singleLine().maxLength(100).optional(),
  page: number().min(1).max(100000).optional(),
  type: vine.enum(DEVICE_TYPES).optional(),
  level: vine.enum(SITE_LEVELS).optional(),
  townId: number().optional(),
  unitId: number().optional(),
  criticality: vine.enum(CRITICALITIES).optional(),
  status: vine.enum(['enabled', 'disabled', 'up', 'down', 'unknown']).optional(),
})

export const maintenanceWindowValidator = vine.create({
  startsAt: vine.date({ formats: ['YYYY-MM-DDTHH:mm', 'YYYY-MM-DD HH:mm'] }),
  // compare to the minute: VineJS compares whole days by default, refusing 08:00 → 09:00
  endsAt: vine
    .date({ formats: ['YYYY-MM-DDTHH:mm', 'YYYY-MM-DD HH:mm'] })
    .afterField('startsAt', { compare: 'minute' }),
  reason: singleLine().minLength(2).maxLength(200),
})

export const deviceShowValidator = vine.create({
  ifIndex: number().withoutDecimals().min(0).optional(),
})
