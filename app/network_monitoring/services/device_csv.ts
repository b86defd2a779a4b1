import i18nManager from '@adonisjs/i18n/services/main'
import type { I18n } from '@adonisjs/i18n'
import { CRITICALITIES, DEVICE_TYPES } from '#network_monitoring/models/device'
import type Device from '#network_monitoring/models/device'
import { SITE_LEVELS } from '#network_monitoring/models/site'

/**
 * Columns of the device CSV, in file order. Export writes them all (secrets
 * blank); import needs the required ones and treats blank secrets as "keep".
 */
export const CSV_COLUMNS = [
  'name',
  'managementIp',
  'snmpPort',
  'snmpVersion',
  'community',
  'deviceType',
  'siteLevel',
  'siteName',
  'parentSite',
  'unit',
  'parentDevice',
  'criticality',
  'pollIntervalSeconds',
  'enabled',
  'description',
  'v3Username',
  'v3SecurityLevel',
  'v3AuthProtocol',
  'v3AuthKey',
  'v3PrivProtocol',
  'v3PrivKey',
] as const
export type CsvColumn = (typeof CSV_COLUMNS)[number]

export const REQUIRED_CSV_COLUMNS: readonly CsvColumn[] = [
  'name',
  'managementIp',
  'deviceType',
  'siteLevel',
  'siteName',
]

const LOCALES = ['zh-CN', 'en']

const normalise = (text: string) => text.trim().toLowerCase().replace(/\s+/g, '')

/** label (any locale) or code → code, for one enumeration. */
function labelMap(prefix: string, codes: readonly string[]) {
  const map = new Map<string, string>()
  for (const code of codes) {
    map.set(normalise(code), code)
    for (const locale of LOCALES) {
      map.set(normalise(i18nManager.locale(locale).t(`${prefix}.${code}`)), code)
    }
  }
  return map
}

/** Lookup tables from what a person types in a spreadsheet to stored codes. */
export function csvVocabulary() {
  const headers = new Map<string, CsvColumn>()
  for (const column of CSV_COLUMNS) {
    headers.set(normalise(column), column)
    for (const locale of LOCALES) {
      headers.set(
        normalise(i18nManager.locale(locale).t(`monitoring.csv.columns.${column}`)),
        column
      )
    }
  }
  const yes = new Set(['1', 'true', 'yes', 'y', 'on', '是', '启用'])
  const no = new Set(['0', 'false', 'no', 'n', 'off', '否', '停用'])
  for (const locale of LOCALES) {
    yes.add(normalise(i18nManager.locale(locale).t('messages.common.yes')))
    no.add(normalise(i18nManager.locale(locale).t('messages.common.no')))
  }
  return {
    headers,
    deviceTypes: labelMap('monitoring.device_types', DEVICE_TYPES),
    siteLevels: labelMap('monitoring.site_levels', SITE_LEVELS),
    criticalities: labelMap('monitoring.criticalities', CRITICALITIES),
    yes,
    no,
    normalise,
  }
}

/** The CSV of devices (preloaded with site.parent, unit, parentDevice). Secrets stay blank. */
export function exportDevicesCsv(devices: Device[], i18n: I18n) {
  const header = CSV_COLUMNS.map((column) => i18n.t(`monitoring.csv.columns.${column}`))
  const rows = devices.map((device) => {
    const values: Record<CsvColumn, unknown> = {
      name: device.name,
      managementIp: device.managementIp,
      snmpPort: device.snmpPort,
      snmpVersion: device.snmpVersion,
      community: '',
      deviceType: i18n.t(`monitoring.device_types.${device.deviceType}`),
      siteLevel: device.site ? i18n.t(`monitoring.site_levels.${device.site.level}`) : '',
      siteName: device.site?.name ?? '',
      parentSite: device.site?.parent?.name ?? '',
      unit: device.unit?.name ?? '',
      parentDevice: device.parentDevice?.name ?? '',
      criticality: i18n.t(`monitoring.criticalities.${device.criticality}`),
      pollIntervalSeconds: device.pollIntervalSeconds,
      enabled: i18n.t(device.isEnabled ? 'messages.common.yes' : 'messages.common.no'),
      description: device.description ?? '',
      v3Username: device.v3Username ?? '',
      v3SecurityLevel: device.v3SecurityLevel ?? '',
      v3AuthProtocol: device.v3AuthProtocol ?? '',
      v3AuthKey: '',
      v3PrivProtocol: device.v3PrivProtocol ?? '',
      v3PrivKey: '',
    }
    return CSV_COLUMNS.map((column) => values[column])
  })
  return { header, rows }
}
