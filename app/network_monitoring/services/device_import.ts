import vine, { errors as vineErrors } from '@vinejs/vine'
import db from '@adonisjs/lucid/services/db'
import type { I18n } from '@adonisjs/i18n'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Unit from '#identity/models/unit'
import { v3ProtocolFromText } from '#network_monitoring/snmp/v3_transport'
import Device, {
  CRITICALITIES,
  DEVICE_TYPES,
  MAX_POLL_INTERVAL_SECONDS,
  MIN_POLL_INTERVAL_SECONDS,
  SNMP_VERSIONS,
  V3_AUTH_PROTOCOLS,
  V3_PRIV_PROTOCOLS,
  V3_SECURITY_LEVELS,
} from '#network_monitoring/models/device'
import Site, { SITE_LEVELS, type SiteLevel } from '#network_monitoring/models/site'
import inventory, { type DeviceInput } from '#network_monitoring/services/inventory_service'
import { CsvSyntaxError, isBlankRecord, parseCsv } from '#network_monitoring/services/csv'
import {
  REQUIRED_CSV_COLUMNS,
  csvVocabulary,
  type CsvColumn,
} from '#network_monitoring/services/device_csv'
import { MonitoringMessagesProvider } from '#network_monitoring/validators/messages_provider'
import audit, { type AuditActor } from '#core/audit/audit_service'
import { ipAddress, singleLine, number } from '#core/validation'
import { canonicalIp } from '#core/ip_address'

/** Most rows one import takes (a county has hundreds of devices, not tens of thousands). */
export const MAX_IMPORT_ROWS = 5000

const rowValidator = vine.create({
  name: singleLine().minLength(1).maxLength(100),
  managementIp: ipAddress(),
  snmpPort: number().withoutDecimals().range([1, 65535]),
  snmpVersion: vine.enum(SNMP_VERSIONS),
  community: singleLine().maxLength(128).optional(),
  deviceType: vine.enum(DEVICE_TYPES),
  siteLevel: vine.enum(SITE_LEVELS),
  siteName: singleLine().minLength(1).maxLength(100),
  parentSite: singleLine().maxLength(100).optional(),
  unit: singleLine().maxLength(100).optional(),
  parentDevice: singleLine().maxLength(100).optional(),
  criticality: vine.enum(CRITICALITIES),
  pollIntervalSeconds: number()
    .withoutDecimals()
    .range([MIN_POLL_INTERVAL_SECONDS, MAX_POLL_INTERVAL_SECONDS]),
  enabled: vine.boolean(),
  description: singleLine().maxLength(500).optional(),
  v3Username: singleLine().maxLength(64).optional(),
  v3SecurityLevel: vine.enum(V3_SECURITY_LEVELS).optional(),
  v3AuthProtocol: vine.enum(V3_AUTH_PROTOCOLS).optional(),
  v3AuthKey: vine.string().minLength(8).maxLength(128).optional(),
  v3PrivProtocol: vine.enum(V3_PRIV_PROTOCOLS).optional(),
  v3PrivKey: vine.string().minLength(8).maxLength(128).optional(),
})

type Row = Awaited<ReturnType<typeof rowValidator.validate>>

export interface RowError {
  /** Line in the file (header = 1), as a spreadsheet numbers it. */
  line: number
  messages: string[]
}

export type ImportResult =
  | { ok: true; created: number; updated: number; unchanged: number; sitesCreated: number }
  | { ok: false; fileError?: string; errors: RowError[] }

interface PlannedSite {
  key: string
  name: string
  level: SiteLevel
  parentKey: string | null
}

interface ParsedRow {
  line: number
  row: Row
  siteKey?: string
  unitId?: number | null
  existing?: Device
}

/** Undoes the spreadsheet-formula guard of our own export ('=… → =…). */
function unguard(cell: string) {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell
}

const address = (ip: string, port: number) => `${canonicalIp(ip)}|${port}`

/** Separates the names of a site path (county, town, village) in internal keys. */
const SEP = '\u001f'

export interface ImportOptions {
  /** Create the 县/乡镇/村 the file names and the tree lacks (else each is an error by line). */
  createSites?: boolean
}

/**
 * Imports devices from CSV all-or-nothing: every row is checked first (fields,
 * duplicates inside the file and against the inventory, sites, units, parent
 * devices); any error → nothing is written and every bad row is reported by
 * its line. Otherwise devices are created or updated (matched by name) in one
 * transaction; a row that changes nothing is counted as unchanged and leaves
 * no audit event. Sites missing from the tree are errors, unless asked for.
 */
export class DeviceImportService {
  async import(
    text: string,
    actor: AuditActor,
    i18n: I18n,
    filename = '',
    options: ImportOptions = {}
  ): Promise<ImportResult> {
    const provider = new MonitoringMessagesProvider(i18n)
    const t = (key: string, values?: Record<string, unknown>) =>
      i18n.t(`monitoring.import.${key}`, values)

    let records
    try {
      records = parseCsv(text)
    } catch (error) {
      if (error instanceof CsvSyntaxError) {
        return { ok: false, fileError: t('unterminated_quote', { line: error.line }), errors: [] }
      }
      throw error
    }
    const headerRecord = records.shift()
    if (!headerRecord) return { ok: false, fileError: t('empty_file'), errors: [] }
    const vocabulary = csvVocabulary()
    const columns: (CsvColumn | null)[] = headerRecord.cells.map(
      (cell) => vocabulary.headers.get(vocabulary.normalise(cell)) ?? null
    )
    const unknown = headerRecord.cells.filter((cell, i) => cell.trim() !== '' && !columns[i])
    if (unknown.length > 0) {
      return {
        ok: false,
        fileError: t('unknown_columns', { columns: unknown.join('、') }),
        errors: [],
      }
    }
    const missing = REQUIRED_CSV_COLUMNS.filter((column) => !columns.includes(column))
    if (missing.length > 0) {
      const names = missing.map((column) => i18n.t(`monitoring.csv.columns.${column}`))
      return {
        ok: false,
        fileError: t('missing_columns', { columns: names.join('、') }),
        errors: [],
      }
    }
    const dataRecords = records.filter((record) => !isBlankRecord(record))
    if (dataRecords.length === 0) return { ok: false, fileError: t('no_rows'), errors: [] }
    if (dataRecords.length > MAX_IMPORT_ROWS) {
      return { ok: false, fileError: t('too_many_rows', { max: MAX_IMPORT_ROWS }), errors: [] }
    }

    const errors = new Map<number, string[]>()
    const fail = (line: number, message: string) => {
      const list = errors.get(line) ?? []
      list.push(message)
      errors.set(line, list)
    }

    // 1. Each row on its own: field syntax and vocabulary.
    const parsed: ParsedRow[] = []
    for (const record of dataRecords) {
      const raw: Record<string, unknown> = {}
      columns.forEach((column, i) => {
        if (!column) return
        const cell = unguard((record.cells[i] ?? '').trim())
        if (cell !== '') raw[column] = cell
      })
      this.#normalise(raw, vocabulary)
      try {
        parsed.push({
          line: record.line,
          row: await rowValidator.validate(raw, { messagesProvider: provider }),
        })
      } catch (error) {
        if (!(error instanceof vineErrors.E_VALIDATION_ERROR)) throw error
        for (const message of error.messages as { message: string }[])
          fail(record.line, message.message)
      }
    }

    // 2. Rows against each other and against the inventory.
    const [devices, units, sites] = await Promise.all([
      Device.query().orderBy('id'),
      Unit.query(),
      Site.query().orderBy('id'),
    ])
    const byName = new Map(devices.map((device) => [device.name, device]))
    const firstLineOfName = new Map<string, number>()
    for (const item of parsed) {
      const earlier = firstLineOfName.get(item.row.name)
      if (earlier !== undefined) {
        fail(item.line, provider.ruleMessage('name', 'duplicateInFile', { line: earlier }))
      } else {
        firstLineOfName.set(item.row.name, item.line)
      }
      item.existing = byName.get(item.row.name)
    }

    const owners = new Map<string, { name: string; line?: number }[]>()
    const claim = (key: string, owner: { name: string; line?: number }) =>
      owners.set(key, [...(owners.get(key) ?? []), owner])
    for (const device of devices) {
      if (!firstLineOfName.has(device.name)) {
        claim(address(device.managementIp, device.snmpPort), { name: device.name })
      }
    }
    for (const item of parsed) {
      claim(address(item.row.managementIp, item.row.snmpPort), {
        name: item.row.name,
        line: item.line,
      })
    }
    for (const item of parsed) {
      const others = (owners.get(address(item.row.managementIp, item.row.snmpPort)) ?? []).filter(
        (owner) => owner.name !== item.row.name
      )
      const stored = others.find((owner) => owner.line === undefined)
      const inFile = others.find((owner) => owner.line !== undefined && owner.line < item.line)
      if (stored) {
        fail(
          item.line,
          provider.ruleMessage('managementIp', 'addressTaken', { device: stored.name })
        )
      } else if (inFile) {
        fail(
          item.line,
          provider.ruleMessage('managementIp', 'addressInFile', { line: inFile.line })
        )
      }
    }

    const unitByKey = new Map<string, Unit>()
    for (const unit of units) {
      unitByKey.set(unit.name, unit)
      unitByKey.set(unit.code.toLowerCase(), unit)
    }
    for (const item of parsed) {
      if (!item.row.unit) {
        item.unitId = null
        continue
      }
      const unit = unitByKey.get(item.row.unit) ?? unitByKey.get(item.row.unit.toLowerCase())
      if (unit) item.unitId = unit.id
      else fail(item.line, provider.ruleMessage('unit', 'unitUnknown', { value: item.row.unit }))
    }

    const planned = this.#resolveSites(
      parsed,
      sites,
      (line, rule, meta) => fail(line, provider.ruleMessage('siteName', rule, meta)),
      options.createSites ?? false
    )

    const inFileNames = new Set(parsed.map((item) => item.row.name))
    const parentOf = new Map<string, string | null>()
    for (const device of devices) {
      const parent = device.parentDeviceId
        ? devices.find((other) => other.id === device.parentDeviceId)
        : undefined
      parentOf.set(device.name, parent?.name ?? null)
    }
    for (const item of parsed) parentOf.set(item.row.name, item.row.parentDevice ?? null)
    for (const item of parsed) {
      const parent = item.row.parentDevice
      if (!parent) continue
      if (parent === item.row.name) {
        fail(item.line, provider.ruleMessage('parentDevice', 'parentSelf'))
      } else if (!byName.has(parent) && !inFileNames.has(parent)) {
        fail(item.line, provider.ruleMessage('parentDevice', 'parentUnknown', { value: parent }))
      } else if (this.#loops(item.row.name, parentOf)) {
        fail(item.line, provider.ruleMessage('parentDevice', 'parentCycle'))
      }
    }

    for (const item of parsed) {
      const problems = await inventory.check(this.#input(item, 0, null), item.existing ?? null)
      for (const problem of problems) {
        fail(item.line, provider.ruleMessage(problem.field, problem.rule))
      }
    }

    if (errors.size > 0) {
      return {
        ok: false,
        errors: [...errors.entries()]
          .sort(([a], [b]) => a - b)
          .map(([line, messages]) => ({ line, messages })),
      }
    }

    // 3. Everything or nothing.
    return db.transaction(async (trx) => {
      const siteIds = await this.#createSites(trx, planned, sites)
      const idByName = new Map(devices.map((device) => [device.name, device.id]))
      let created = 0
      let updated = 0
      let unchanged = 0
      const written: { id: number; parent?: string }[] = []
      for (const item of parsed) {
        const parentId = item.row.parentDevice
          ? (idByName.get(item.row.parentDevice) ?? null)
          : null
        const input = this.#input(item, siteIds.get(item.siteKey!)!, parentId)
        if (item.existing && !inventory.changes(item.existing, input).any) {
          unchanged++
        } else if (item.existing) {
          await inventory.updateIn(trx, item.existing, input, actor)
          updated++
        } else {
          const device = await inventory.createIn(trx, input, actor)
          idByName.set(device.name, device.id)
          created++
          written.push({ id: device.id, parent: item.row.parentDevice })
        }
      }
      for (const item of parsed) {
        const parent = item.row.parentDevice
        if (!parent || byName.has(parent)) continue
        await trx
          .from('network_devices')
          .where('id', idByName.get(item.row.name)!)
          .update({ parent_device_id: idByName.get(parent)! })
      }
      await audit.record(
        {
          ...actor,
          action: 'device.import',
          targetType: 'network_device',
          details: {
            filename,
            rows: parsed.length,
            created,
            updated,
            unchanged,
            sitesCreated: planned.length,
          },
        },
        trx
      )
      return { ok: true as const, created, updated, unchanged, sitesCreated: planned.length }
    })
  }

  /** Spreadsheet words to codes; empty optional cells take the form's defaults. */
  #normalise(raw: Record<string, unknown>, vocabulary: ReturnType<typeof csvVocabulary>) {
    const { normalise } = vocabulary
    const map = (key: string, table: Map<string, string>) => {
      if (typeof raw[key] === 'string')
        raw[key] = table.get(normalise(raw[key] as string)) ?? raw[key]
    }
    map('deviceType', vocabulary.deviceTypes)
    map('siteLevel', vocabulary.siteLevels)
    map('criticality', vocabulary.criticalities)
    if (typeof raw.snmpVersion === 'string') {
      const version = normalise(raw.snmpVersion).replace(/^snmp/, '').replace(/^v?/, 'v')
      raw.snmpVersion = version
    }
    if (typeof raw.v3AuthProtocol === 'string')
      raw.v3AuthProtocol = v3ProtocolFromText('auth', raw.v3AuthProtocol)
    if (typeof raw.v3PrivProtocol === 'string')
      raw.v3PrivProtocol = v3ProtocolFromText('priv', raw.v3PrivProtocol)
    if (typeof raw.enabled === 'string') {
      const value = normalise(raw.enabled)
      if (vocabulary.yes.has(value)) raw.enabled = true
      else if (vocabulary.no.has(value)) raw.enabled = false
    }
    raw.snmpPort ??= 161
    raw.snmpVersion ??= 'v2c'
    raw.criticality ??= 'normal'
    raw.pollIntervalSeconds ??= 60
    raw.enabled ??= true
  }

  #input(item: ParsedRow, siteId: number, parentDeviceId: number | null): DeviceInput {
    const { row } = item
    return {
      name: row.name,
      managementIp: row.managementIp,
      snmpPort: row.snmpPort,
      snmpVersion: row.snmpVersion,
      community: row.community,
      v3Username: row.v3Username,
      v3SecurityLevel: row.v3SecurityLevel,
      v3AuthProtocol: row.v3AuthProtocol,
      v3AuthKey: row.v3AuthKey,
      v3PrivProtocol: row.v3PrivProtocol,
      v3PrivKey: row.v3PrivKey,
      deviceType: row.deviceType,
      siteId,
      parentDeviceId,
      unitId: item.unitId ?? null,
      criticality: row.criticality,
      pollIntervalSeconds: row.pollIntervalSeconds,
      isEnabled: row.enabled,
      description: row.description ?? null,
    }
  }

  /** Whether following parents from `name` comes back to it. */
  #loops(name: string, parentOf: Map<string, string | null>) {
    const seen = new Set<string>()
    let current = parentOf.get(name) ?? null
    while (current !== null && !seen.has(current)) {
      if (current === name) return true
      seen.add(current)
      current = parentOf.get(current) ?? null
    }
    return false
  }

  /**
   * Finds each row's site by path 县/乡镇/村. A name the tree lacks is an error
   * on its line, unless `createSites`: then the missing ones are planned (a
   * town without a parent county, or a village whose town is new, goes under
   * the county when there is exactly one).
   */
  #resolveSites(
    parsed: ParsedRow[],
    sites: Site[],
    fail: (line: number, rule: string, meta?: Record<string, unknown>) => void,
    createSites: boolean
  ): PlannedSite[] {
    const byId = new Map(sites.map((site) => [site.id, site]))
    const keyOf = (site: Site): string => {
      const parent = site.parentId ? byId.get(site.parentId) : undefined
      return parent ? `${keyOf(parent)}${SEP}${site.name}` : site.name
    }
    const known = new Map<string, SiteLevel>()
    for (const site of sites) known.set(keyOf(site), site.level)
    const planned: PlannedSite[] = []
    /** Whether the site exists or may be created; else the caller reports the line. */
    const plan = (key: string, name: string, level: SiteLevel, parentKey: string | null) => {
      if (known.has(key)) return true
      if (!createSites) return false
      known.set(key, level)
      planned.push({ key, name, level, parentKey })
      return true
    }
    const ofLevel = (level: SiteLevel) => [...known].filter(([, l]) => l === level).map(([k]) => k)
    const soleCounty = () => {
      const counties = ofLevel('county')
      return counties.length === 1 ? counties[0] : null
    }

    const order: SiteLevel[] = ['county', 'town', 'village']
    for (const level of order) {
      for (const item of parsed.filter((p) => p.row.siteLevel === level)) {
        const { siteName, parentSite } = item.row
        if (level === 'county') {
          if (parentSite) fail(item.line, 'siteParentLevel')
          else if (!plan(siteName, siteName, 'county', null)) {
            fail(item.line, 'countyNotFound', { value: siteName })
          } else {
            item.siteKey = siteName
          }
        } else if (level === 'town') {
          const county = parentSite ?? soleCounty()
          if (!county || known.get(county) !== 'county') {
            fail(item.line, parentSite ? 'parentSiteUnknown' : 'countyNeeded', {
              value: parentSite,
            })
            continue
          }
          const key = `${county}${SEP}${siteName}`
          if (!plan(key, siteName, 'town', county)) {
            fail(item.line, 'townNotFound', { value: siteName })
            continue
          }
          item.siteKey = key
        } else {
          if (!parentSite) {
            fail(item.line, 'villageNeedsTown')
            continue
          }
          const towns = ofLevel('town').filter((key) => key.endsWith(`${SEP}${parentSite}`))
          let town: string | null = towns.length === 1 ? towns[0] : null
          if (towns.length > 1) {
            fail(item.line, 'parentSiteAmbiguous', { value: parentSite })
            continue
          }
          if (!town && !createSites) {
            fail(item.line, 'townNotFound', { value: parentSite })
            continue
          }
          if (!town) {
            const county = soleCounty()
            if (!county) {
              fail(item.line, 'townUnknown', { value: parentSite })
              continue
            }
            town = `${county}${SEP}${parentSite}`
            plan(town, parentSite, 'town', county)
          }
          const key = `${town}${SEP}${siteName}`
          if (!plan(key, siteName, 'village', town)) {
            fail(item.line, 'villageNotFound', { town: parentSite, value: siteName })
            continue
          }
          item.siteKey = key
        }
      }
    }
    return planned
  }

  async #createSites(trx: TransactionClientContract, planned: PlannedSite[], sites: Site[]) {
    const byId = new Map(sites.map((site) => [site.id, site]))
    const ids = new Map<string, number>()
    const keyOf = (site: Site): string => {
      const parent = site.parentId ? byId.get(site.parentId) : undefined
      return parent ? `${keyOf(parent)}${SEP}${site.name}` : site.name
    }
    for (const site of sites) ids.set(keyOf(site), site.id)
    for (const site of planned) {
      const created = await Site.create(
        {
          name: site.name,
          level: site.level,
          parentId: site.parentKey ? ids.get(site.parentKey)! : null,
          sortOrder: 0,
        },
        { client: trx }
      )
      ids.set(site.key, created.id)
    }
    return ids
  }
}

export default new DeviceImportService()
