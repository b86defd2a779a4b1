import vine from '@vinejs/vine'
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
  name: vine
    .string()
    .trim()
    .minLength(1)
    .maxLength(100)
    .unique({
      table: 'network_devices',
      column: 'name',
      filter: (db, _value, field) => excludeSelf(db, field),
    }),
  managementIp: vine
    .string()
    .trim()
    .toLowerCase()
    .ipAddress()
    .unique({
      table: 'network_devices',
      column: 'management_ip',
      filter: (db, _value, field) => {
        db.where('snmp_port', portOf(field))
        excludeSelf(db, field)
      },
    }),
  snmpPort: vine.number().withoutDecimals().range([1, 65535]),
  snmpVersion: vine.enum(SNMP_VERSIONS),
  community: vine.string().trim().maxLength(128).optional(),
  v3Username: vine.string().trim().maxLength(64).optional(),
  v3SecurityLevel: vine.enum(V3_SECURITY_LEVELS).optional(),
  v3AuthProtocol: vine.enum(V3_AUTH_PROTOCOLS).optional(),
  v3AuthKey: vine.string().minLength(8).maxLength(128).optional(),
  v3PrivProtocol: vine.enum(V3_PRIV_PROTOCOLS).optional(),
  v3PrivKey: vine.string().minLength(8).maxLength(128).optional(),
  deviceType: vine.enum(DEVICE_TYPES),
  siteId: vine.number().exists({ table: 'network_sites', column: 'id' }),
  parentDeviceId: vine.number().exists({ table: 'network_devices', column: 'id' }).optional(),
  unitId: vine.number().exists({ table: 'units', column: 'id' }).optional(),
  criticality: vine.enum(CRITICALITIES),
  pollIntervalSeconds: vine
    .number()
    .withoutDecimals()
    .range([MIN_POLL_INTERVAL_SECONDS, MAX_POLL_INTERVAL_SECONDS]),
  isEnabled: vine.boolean().optional(),
  description: vine.string().trim().maxLength(500).optional(),
}

export const deviceValidator = vine.withMetaData<Meta>().create(deviceFields)

export const deviceListValidator = vine.create({
  q: vine.string().trim().maxLength(100).optional(),
  page: vine.number().min(1).max(100000).optional(),
  type: vine.enum(DEVICE_TYPES).optional(),
  level: vine.enum(SITE_LEVELS).optional(),
  townId: vine.number().optional(),
  unitId: vine.number().optional(),
  criticality: vine.enum(CRITICALITIES).optional(),
  status: vine.enum(['enabled', 'disabled', 'up', 'down', 'unknown']).optional(),
})

export const maintenanceWindowValidator = vine.create({
  startsAt: vine.date({ formats: ['YYYY-MM-DDTHH:mm', 'YYYY-MM-DD HH:mm'] }),
  // compare to the minute: VineJS compares whole days by default, refusing 08:00 → 09:00
  endsAt: vine
    .date({ formats: ['YYYY-MM-DDTHH:mm', 'YYYY-MM-DD HH:mm'] })
    .afterField('startsAt', { compare: 'minute' }),
  reason: vine.string().trim().minLength(2).maxLength(200),
})

export const deviceShowValidator = vine.create({
  ifIndex: vine.number().withoutDecimals().min(0).optional(),
})
