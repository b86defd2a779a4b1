import { SnmpError, SnmpType } from '#network_monitoring/snmp/client'
import type SnmpClient from '#network_monitoring/snmp/client'
import type {
  SnmpTarget,
  SnmpValue,
  SnmpVarbind,
  TableColumn,
} from '#network_monitoring/snmp/client'

/** OIDs the poller reads, named as in SNMPv2-MIB, IF-MIB and HOST-RESOURCES-MIB. */
export const OIDS = {
  sysDescr: '1.3.6.1.2.1.1.1',
  sysObjectID: '1.3.6.1.2.1.1.2',
  sysUpTime: '1.3.6.1.2.1.1.3',
  sysName: '1.3.6.1.2.1.1.5',
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
  hrProcessorLoad: '1.3.6.1.2.1.25.3.3.1.2',
} as const

const SYSTEM_SCALARS = [OIDS.sysDescr, OIDS.sysObjectID, OIDS.sysUpTime, OIDS.sysName]

/** Columns of the main stream: ifTable, then ifXTable, then CPU (absent on most switches). */
const STREAM_COLUMNS = [
  OIDS.ifDescr,
  OIDS.ifType,
  OIDS.ifSpeed,
  OIDS.ifAdminStatus,
  OIDS.ifOperStatus,
  OIDS.ifInDiscards,
  OIDS.ifInErrors,
  OIDS.ifOutDiscards,
  OIDS.ifOutErrors,
  OIDS.ifName,
  OIDS.ifHCInOctets,
  OIDS.ifHCOutOctets,
  OIDS.ifHighSpeed,
  OIDS.ifAlias,
  OIDS.hrProcessorLoad,
]

export interface SystemInfo {
  sysDescr: string | null
  sysObjectId: string | null
  /** Hundredths of a second since the agent (re)started. */
  sysUpTimeTicks: number | null
  sysName: string | null
}

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

export interface PollError {
  code: string
  message: string
}

export interface PollResult {
  ok: boolean
  /** Wall-clock time the poll started (epoch ms); rates are computed between these. */
  takenAtMs: number
  durationMs: number
  requests: number
  error?: PollError
  system: SystemInfo | null
  interfaces: InterfaceSample[]
  cpuLoads: number[]
}

export interface DevicePollOptions {
  signal?: AbortSignal
  /**
   * Rows seen on the previous poll; sizes max-repetitions so the whole table
   * fits the first GETBULK without over-fetching.
   */
  expectedInterfaces?: number
}

export interface DevicePollerOptions {
  maxRepetitions?: number
  /** Upper bound when sizing max-repetitions from expectedInterfaces. */
  maxRepetitionsCap?: number
}

const GAUGE32_MAX = 4294967295

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

function numberOf(value: SnmpValue): number | null {
  if (typeof value === 'number') return value
  if (typeof value === 'bigint') return Number(value)
  return null
}

function counterOf(value: SnmpValue): bigint | null {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number') return BigInt(value)
  return null
}

function textOf(value: SnmpValue): string | null {
  if (value === null) return null
  return typeof value === 'string' ? value : String(value)
}

/** The value of `base`.0 when the GETNEXT landed on it (not on some later object). */
function scalar(vb: SnmpVarbind | null, base: string): SnmpValue {
  return vb && !vb.exception && vb.oid === `${base}.0` ? vb.value : null
}

/**
 * Polls one device: system group, IF-MIB ifTable + ifXTable and HOST-RESOURCES
 * CPU in a single GETBULK stream (plus a second one only when a device lacks
 * 64-bit counters). Never throws: failures come back as `ok: false`.
 */
export default class DevicePoller {
  readonly #client: SnmpClient
  readonly #maxRepetitions: number
  readonly #maxRepetitionsCap: number

  constructor(client: SnmpClient, options: DevicePollerOptions = {}) {
    this.#client = client
    this.#maxRepetitions = options.maxRepetitions ?? client.options.maxRepetitions
    this.#maxRepetitionsCap = options.maxRepetitionsCap ?? 64
  }

  async poll(target: SnmpTarget, options: DevicePollOptions = {}): Promise<PollResult> {
    const takenAtMs = Date.now()
    const started = performance.now()
    let requests = 0
    const maxRepetitions =
      options.expectedInterfaces && options.expectedInterfaces > 0
        ? Math.min(options.expectedInterfaces + 1, this.#maxRepetitionsCap)
        : this.#maxRepetitions

    try {
      const walk = await this.#client.walkTables(target, STREAM_COLUMNS, {
        scalars: SYSTEM_SCALARS,
        maxRepetitions,
        signal: options.signal,
      })
      requests += walk.requests
      const [descr, objectId, upTime, name] = walk.scalars
      const system: SystemInfo = {
        sysDescr: textOf(scalar(descr, OIDS.sysDescr)),
        sysObjectId: textOf(scalar(objectId, OIDS.sysObjectID)),
        sysUpTimeTicks: numberOf(scalar(upTime, OIDS.sysUpTime)),
        sysName: textOf(scalar(name, OIDS.sysName)),
      }

      const rows = new Map<string, RowDraft>()
      const fill = (
        columns: Map<string, TableColumn>,
        oid: string,
        apply: (row: RowDraft, value: SnmpValue) => void
      ) => {
        const column = columns.get(oid)
        if (!column) return
        for (let k = 0; k < column.length; k++) {
          const index = column.indexes[k]
          let row = rows.get(index)
          if (!row) {
            const ifIndex = Number(index)
            if (!Number.isInteger(ifIndex)) continue
            row = newRow(ifIndex)
            rows.set(index, row)
          }
          apply(row, column.values[k])
        }
      }
      const table = walk.columns
      fill(table, OIDS.ifDescr, (row, value) => (row.sample.descr = textOf(value)))
      fill(table, OIDS.ifType, (row, value) => (row.sample.type = numberOf(value)))
      fill(table, OIDS.ifSpeed, (row, value) => (row.speed = numberOf(value)))
      fill(table, OIDS.ifAdminStatus, (row, value) => (row.sample.adminStatus = numberOf(value)))
      fill(table, OIDS.ifOperStatus, (row, value) => (row.sample.operStatus = numberOf(value)))
      fill(table, OIDS.ifInDiscards, (row, value) => (row.sample.inDiscards = numberOf(value)))
      fill(table, OIDS.ifInErrors, (row, value) => (row.sample.inErrors = numberOf(value)))
      fill(table, OIDS.ifOutDiscards, (row, value) => (row.sample.outDiscards = numberOf(value)))
      fill(table, OIDS.ifOutErrors, (row, value) => (row.sample.outErrors = numberOf(value)))
      fill(table, OIDS.ifName, (row, value) => (row.sample.name = textOf(value)))
      fill(table, OIDS.ifHCInOctets, (row, value) => (row.hcIn = counterOf(value)))
      fill(table, OIDS.ifHCOutOctets, (row, value) => (row.hcOut = counterOf(value)))
      fill(table, OIDS.ifHighSpeed, (row, value) => (row.highSpeed = numberOf(value)))
      fill(table, OIDS.ifAlias, (row, value) => (row.sample.alias = textOf(value)))

      let lacksHc = false
      for (const row of rows.values()) if (row.hcIn === null || row.hcOut === null) lacksHc = true
      if (lacksHc) {
        const low = await this.#client.walkTables(target, [OIDS.ifInOctets, OIDS.ifOutOctets], {
          maxRepetitions,
          signal: options.signal,
        })
        requests += low.requests
        fill(low.columns, OIDS.ifInOctets, (row, value) => (row.lowIn = counterOf(value)))
        fill(low.columns, OIDS.ifOutOctets, (row, value) => (row.lowOut = counterOf(value)))
      }

      const interfaces: InterfaceSample[] = []
      for (const row of rows.values()) {
        const sample = row.sample
        const { speed, highSpeed } = row
        sample.speedBps =
          highSpeed !== null &&
          highSpeed > 0 &&
          (speed === null || speed >= GAUGE32_MAX || highSpeed * 1e6 > speed)
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

      const cpuLoads: number[] = []
      const cpu = walk.columns.get(OIDS.hrProcessorLoad)
      for (let k = 0; cpu && k < cpu.length; k++) {
        if (cpu.types[k] === SnmpType.Integer) cpuLoads.push(cpu.values[k] as number)
      }

      return {
        ok: true,
        takenAtMs,
        durationMs: performance.now() - started,
        requests,
        system,
        interfaces,
        cpuLoads,
      }
    } catch (error) {
      const failure: PollError =
        error instanceof SnmpError
          ? { code: error.code, message: error.message }
          : { code: 'E_POLL_FAILED', message: (error as Error).message ?? String(error) }
      return {
        ok: false,
        takenAtMs,
        durationMs: performance.now() - started,
        requests,
        error: failure,
        system: null,
        interfaces: [],
        cpuLoads: [],
      }
    }
  }
}
