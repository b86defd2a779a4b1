import type { TableColumn } from '#network_monitoring/snmp/table_walk'
import type { SnmpValue } from '#network_monitoring/snmp/ber'
import { ModuleFailure, type PollModule } from '#network_monitoring/snmp/poll_module'
import {
  counter64Of,
  enumOf,
  INT32_MAX,
  isBad,
  textOf,
  uint32Of,
  UINT32_MAX,
} from '#network_monitoring/snmp/modules/values'

export const INTERFACE_OIDS = {
  ifDescr: '1.3.6.1.2.1.2.2.1.2',
  ifType: '1.3.6.1.2.1.2.2.1.3',
  ifSpeed: '1.3.6.1.2.1.2.2.1.5',
  ifAdminStatus: '1.3.6.1.2.1.2.2.1.7',
  ifOperStatus: '1.3.6.1.2.1.2.2.1.8',
  ifInOctets: '1.3.6.1.2.1.2.2.1.10',
  ifInDiscards: '1.3.6.1.2.1.2.2.1.13',
  ifInErrors: '1.3.6.1.2.1.2.2.1.14',
  ifOutOctets: '1.3.6.1.2.1.2.2.1.16',
  ifOutDiscards: '1.3.6.1.2.1.2.2.1.19',
  ifOutErrors: '1.3.6.1.2.1.2.2.1.20',
  ifName: '1.3.6.1.2.1.31.1.1.1.1',
  ifHCInOctets: '1.3.6.1.2.1.31.1.1.1.6',
  ifHCOutOctets: '1.3.6.1.2.1.31.1.1.1.10',
  ifHighSpeed: '1.3.6.1.2.1.31.1.1.1.15',
  ifAlias: '1.3.6.1.2.1.31.1.1.1.18',
} as const

export interface InterfaceSample {
  ifIndex: number
  descr: string | null
  name: string | null
  alias: string | null
  type: number | null
  /** Best known speed in bit/s: ifHighSpeed × 10⁶ when ifSpeed saturates or is missing. */
  speedBps: number | null
  adminStatus: number | null
  operStatus: number | null
  inOctets: bigint | null
  outOctets: bigint | null
  /** Width of the octet counters read: 64 (ifHC*) or 32 (ifIn/OutOctets fallback). */
  octetsCounterBits: 64 | 32 | null
  inErrors: number | null
  outErrors: number | null
  inDiscards: number | null
  outDiscards: number | null
}

/** An interface being assembled from the columns of one walk. */
interface RowDraft {
  sample: InterfaceSample
  speed: number | null
  highSpeed: number | null
  hcIn: bigint | null
  hcOut: bigint | null
  lowIn: bigint | null
  lowOut: bigint | null
}

function newRow(ifIndex: number): RowDraft {
  return {
    sample: {
      ifIndex,
      descr: null,
      name: null,
      alias: null,
      type: null,
      speedBps: null,
      adminStatus: null,
      operStatus: null,
      inOctets: null,
      outOctets: null,
      octetsCounterBits: null,
      inErrors: null,
      outErrors: null,
      inDiscards: null,
      outDiscards: null,
    },
    speed: null,
    highSpeed: null,
    hcIn: null,
    hcOut: null,
    lowIn: null,
    lowOut: null,
  }
}

const I = INTERFACE_OIDS
const MAIN_COLUMNS = [
  I.ifDescr,
  I.ifType,
  I.ifSpeed,
  I.ifAdminStatus,
  I.ifOperStatus,
  I.ifInDiscards,
  I.ifInErrors,
  I.ifOutDiscards,
  I.ifOutErrors,
  I.ifName,
  I.ifHCInOctets,
  I.ifHCOutOctets,
  I.ifHighSpeed,
  I.ifAlias,
]

/** Rows above this are refused (a 10,000-port chassis fits; a runaway agent does not). */
const MAX_INTERFACES = 20_000

/**
 * IF-MIB ifTable + ifXTable, with the 32-bit octet counters walked
 * afterwards only for rows lacking 64-bit ones. Every value is range
 * checked; out-of-range cells become null and are reported as a warning.
 */
export const interfacesModule: PollModule<InterfaceSample[]> = {
  name: 'interfaces',
  scalars: [],
  columns: MAIN_COLUMNS,
  shouldPoll: () => true,
  async parse(view, context, warn) {
    const error = view.errorOf(MAIN_COLUMNS)
    if (error) throw new ModuleFailure(error.code, error.message)
    const rows = new Map<string, RowDraft>()
    const bad: string[] = []
    const fill = <T>(
      column: TableColumn | undefined,
      label: string,
      check: (type: number, value: SnmpValue) => T | null,
      apply: (row: RowDraft, value: T | null) => void
    ) => {
      if (!column) return
      for (let k = 0; k < column.length; k++) {
        const index = column.indexes[k]
        let row = rows.get(index)
        if (!row) {
          const ifIndex = Number(index)
          if (!Number.isInteger(ifIndex) || ifIndex < 1 || ifIndex > INT32_MAX) continue
          if (rows.size >= MAX_INTERFACES) {
            throw new ModuleFailure(
              'E_SNMP_TOO_MUCH_DATA',
              `more than ${MAX_INTERFACES} interfaces`
            )
          }
          row = newRow(ifIndex)
          rows.set(index, row)
        }
        const value = check(column.types[k], column.values[k])
        if (isBad(column.types[k], value) && bad.length < 1000) bad.push(`${label}.${index}`)
        apply(row, value)
      }
    }
    const col = (oid: string) => view.column(oid)
    fill(col(I.ifDescr), 'ifDescr', textOf, (row, v) => (row.sample.descr = v))
    fill(
      col(I.ifType),
      'ifType',
      (t, v) => enumOf(t, v, 1, INT32_MAX),
      (row, v) => (row.sample.type = v)
    )
    // ifSpeed is a Gauge32; a negative INTEGER from a broken agent is "unknown", not -1
    fill(col(I.ifSpeed), 'ifSpeed', uint32Of, (row, v) => (row.speed = v))
    fill(
      col(I.ifAdminStatus),
      'ifAdminStatus',
      (t, v) => enumOf(t, v, 1, 3),
      (row, v) => (row.sample.adminStatus = v)
    )
    fill(
      col(I.ifOperStatus),
      'ifOperStatus',
      (t, v) => enumOf(t, v, 1, 7),
      (row, v) => (row.sample.operStatus = v)
    )
    fill(col(I.ifInDiscards), 'ifInDiscards', uint32Of, (row, v) => (row.sample.inDiscards = v))
    fill(col(I.ifInErrors), 'ifInErrors', uint32Of, (row, v) => (row.sample.inErrors = v))
    fill(col(I.ifOutDiscards), 'ifOutDiscards', uint32Of, (row, v) => (row.sample.outDiscards = v))
    fill(col(I.ifOutErrors), 'ifOutErrors', uint32Of, (row, v) => (row.sample.outErrors = v))
    fill(col(I.ifName), 'ifName', textOf, (row, v) => (row.sample.name = v))
    fill(col(I.ifHCInOctets), 'ifHCInOctets', counter64Of, (row, v) => (row.hcIn = v))
    fill(col(I.ifHCOutOctets), 'ifHCOutOctets', counter64Of, (row, v) => (row.hcOut = v))
    fill(col(I.ifHighSpeed), 'ifHighSpeed', uint32Of, (row, v) => (row.highSpeed = v))
    fill(col(I.ifAlias), 'ifAlias', textOf, (row, v) => (row.sample.alias = v))

    let lacksHc = false
    for (const row of rows.values()) if (row.hcIn === null || row.hcOut === null) lacksHc = true
    if (lacksHc) {
      const low = await context.client.walkTables(context.target, [I.ifInOctets, I.ifOutOctets], {
        maxRepetitions: context.maxRepetitions,
        signal: context.signal,
        onResponse: context.onResponse,
      })
      context.addRequests(low.requests)
      const lowCounter = (t: number, v: SnmpValue) => {
        const value = counter64Of(t, v)
        return value !== null && value <= BigInt(UINT32_MAX) ? value : null
      }
      fill(low.columns.get(I.ifInOctets), 'ifInOctets', lowCounter, (row, v) => (row.lowIn = v))
      fill(low.columns.get(I.ifOutOctets), 'ifOutOctets', lowCounter, (row, v) => (row.lowOut = v))
    }

    const interfaces: InterfaceSample[] = []
    for (const row of rows.values()) {
      const sample = row.sample
      const { speed, highSpeed } = row
      sample.speedBps =
        highSpeed !== null &&
        highSpeed > 0 &&
        (speed === null || speed >= UINT32_MAX || highSpeed * 1e6 > speed)
          ? highSpeed * 1e6
          : speed
      const useHc = row.hcIn !== null && row.hcOut !== null
      sample.inOctets = useHc ? row.hcIn : row.lowIn
      sample.outOctets = useHc ? row.hcOut : row.lowOut
      sample.octetsCounterBits =
        sample.inOctets === null && sample.outOctets === null ? null : useHc ? 64 : 32
      interfaces.push(sample)
    }
    interfaces.sort((x, y) => x.ifIndex - y.ifIndex)
    if (bad.length > 0) {
      warn(
        'E_SNMP_BAD_VALUE',
        `${bad.length} value(s) out of range dropped: ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? '…' : ''}`
      )
    }
    return interfaces
  },
}
