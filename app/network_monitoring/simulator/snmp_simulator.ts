import { readFile } from 'node:fs/promises'
import { unwatchFile, watchFile } from 'node:fs'
import netSnmp from '#network_monitoring/simulator/net_snmp'
import FaultSocket from '#network_monitoring/simulator/fault_socket'
import SimulatedDevice from '#network_monitoring/simulator/simulated_device'
import { buildCountyTopology, COUNTY_DEVICE_COUNT } from '#network_monitoring/simulator/topology'
import type { DeviceFaults } from '#network_monitoring/simulator/simulated_device'
import type { DeviceKind, DeviceSpec } from '#network_monitoring/simulator/topology'
import { netSnmpUser, type V3Credentials } from '#network_monitoring/snmp/v3_transport'
import type { MibRequest, NetSnmpAgent, NetSnmpMib } from '#network_monitoring/simulator/net_snmp'
import {
  SIM_THREAT_BASE,
  SIM_THREAT_COUNTERS,
  type SimThreatKind,
} from '#network_monitoring/alerts/rules/threat_map'

export interface SimulatorOptions {
  /** Devices to serve (default: the full county, 347). */
  devices?: number
  /** First UDP port; device N answers on basePort + N (default 16100). */
  basePort?: number
  host?: string
  community?: string
  /** Use these devices instead of the generated county. */
  topology?: DeviceSpec[]
  /** Clock the counters and uptime follow (tests advance it instead of sleeping). */
  now?: () => number
  /** Devices (by sysName) that answer SNMPv3 with this user only, no community (demo_v3.ts). */
  v3Users?: Record<string, V3Credentials>
  /**
   * Threat detections of the security appliances run this many times
   * faster than the seeds' ~140 a year (default 1; `npm start` uses
   * DEMO_THREAT_SPEEDUP so threats show up within minutes).
   */
  threatSpeedup?: number
}

/** The demo's time compression of threat detections: a year of them in about three hours. */
export const DEMO_THREAT_SPEEDUP = 3000

export interface SimulatedEndpoint {
  id: number
  name: string
  kind: DeviceKind
  host: string
  port: number
  community: string
  /** Set for a device served over SNMPv3 only (community unused). */
  v3?: V3Credentials
}

/** One entry of the fault file: standing faults plus one-shot actions. */
export interface FaultFileEntry extends DeviceFaults {
  reboot?: boolean
  flap?: { ifIndex: number; downForMs: number }
  nearWrapSeconds?: number
  /** Threat detections to add at once, e.g. { "trojan": 1 } (SHUZHI-SIM-THREAT-MIB). */
  threats?: Partial<Record<SimThreatKind, number>>
}

interface Served {
  device: SimulatedDevice
  agent: NetSnmpAgent
  socket: FaultSocket
  endpoint: SimulatedEndpoint
}

const { ObjectType: T, MibProviderType, MaxAccess } = netSnmp
const RO = MaxAccess['read-only']
const NA = MaxAccess['not-accessible']

function counter64(value: bigint): Buffer {
  const buffer = Buffer.alloc(8)
  buffer.writeBigUInt64BE(value)
  return buffer
}

function mac(deviceId: number, ifIndex: number): Buffer {
  return Buffer.from([0x00, 0xe0, 0xfc, (deviceId >> 8) & 0xff, deviceId & 0xff, ifIndex & 0xff])
}

/**
 * Serves the county's devices as real SNMP agents (net-snmp's Agent, one
 * UDP port per device: 127.0.0.1:basePort+id, community "public"), with
 * values computed at request time and faults injectable per device.
 */
export default class SnmpSimulator {
  readonly host: string
  readonly basePort: number
  readonly community: string
  readonly #v3Users: Record<string, V3Credentials>
  readonly #threatSpeedup: number
  #served: Served[] = []
  #byName = new Map<string, Served>()
  #byId = new Map<number, Served>()
  #watched: string | null = null
  #lastFaultFile = ''
  /** Requests the agents rejected (wrong community and the like). */
  rejected = 0

  private constructor(options: SimulatorOptions) {
    this.host = options.host ?? '127.0.0.1'
    this.basePort = options.basePort ?? 16100
    this.community = options.community ?? 'public'
    this.now = options.now ?? Date.now
    this.#v3Users = options.v3Users ?? {}
    this.#threatSpeedup = options.threatSpeedup ?? 1
  }

  readonly now: () => number

  static async start(options: SimulatorOptions = {}): Promise<SnmpSimulator> {
    const simulator = new SnmpSimulator(options)
    const topology = options.topology ?? buildCountyTopology(options.devices ?? COUNTY_DEVICE_COUNT)
    try {
      for (const spec of topology) await simulator.#serve(spec)
    } catch (error) {
      await simulator.stop()
      throw error
    }
    return simulator
  }

  get endpoints(): SimulatedEndpoint[] {
    return this.#served.map((served) => served.endpoint)
  }

  /** A device by id or sysName. */
  device(which: number | string): SimulatedDevice {
    return this.#find(which).device
  }

  endpoint(which: number | string): SimulatedEndpoint {
    return this.#find(which).endpoint
  }

  /** Requests dropped by the `down` fault, per device. */
  dropped(which: number | string): number {
    return this.#find(which).socket.dropped
  }

  setFaults(which: number | string, faults: DeviceFaults) {
    this.#find(which).device.faults = { ...faults }
  }

  clearFaults(which?: number | string) {
    const targets = which === undefined ? this.#served : [this.#find(which)]
    for (const served of targets) served.device.faults = {}
  }

  reboot(which: number | string) {
    this.#find(which).device.reboot(this.now())
  }

  flapInterface(which: number | string, ifIndex: number, downForMs: number) {
    this.#find(which).device.flap(ifIndex, downForMs, this.now())
  }

  setCountersNearWrap(which: number | string, secondsToWrap: number) {
    this.#find(which).device.setCountersNearWrap(secondsToWrap, this.now())
  }

  /** A security appliance detects `count` threats of a kind now (its counter goes up). */
  detectThreat(which: number | string, threat: SimThreatKind, count = 1) {
    const threats = this.#find(which).device.threats
    if (!threats) throw new RangeError(`${which} has no threat counters`)
    threats.inject(threat, count)
  }

  /**
   * Applies a fault file: `{ "<id or sysName>": { down, delayMs, garbage,
   * reboot, flap: {ifIndex, downForMs}, nearWrapSeconds } }`. Standing faults
   * of devices not listed are cleared; one-shot actions run on each change.
   */
  async applyFaultFile(path: string): Promise<number> {
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch {
      return 0
    }
    if (text === this.#lastFaultFile) return 0
    this.#lastFaultFile = text
    const entries = text.trim() === '' ? {} : (JSON.parse(text) as Record<string, FaultFileEntry>)
    const listed = new Set<Served>()
    for (const [key, entry] of Object.entries(entries)) {
      const served = this.#find(/^\d+$/.test(key) ? Number(key) : key)
      listed.add(served)
      served.device.faults = {
        down: entry.down,
        delayMs: entry.delayMs,
        garbage: entry.garbage,
      }
      if (entry.reboot) served.device.reboot()
      if (entry.flap) served.device.flap(entry.flap.ifIndex, entry.flap.downForMs)
      if (entry.nearWrapSeconds) served.device.setCountersNearWrap(entry.nearWrapSeconds)
      for (const [threat, count] of Object.entries(entry.threats ?? {})) {
        if (served.device.threats && Number.isInteger(count) && count! > 0) {
          served.device.threats.inject(threat as SimThreatKind, count!)
        }
      }
    }
    for (const served of this.#served) if (!listed.has(served)) served.device.faults = {}
    return listed.size
  }

  /** Re-reads the fault file whenever it changes; errors go to `onError`. */
  watchFaultFile(path: string, onError: (error: Error) => void = () => {}, intervalMs = 1000) {
    this.unwatchFaultFile()
    this.#watched = path
    const apply = () => this.applyFaultFile(path).catch(onError)
    watchFile(path, { interval: intervalMs }, apply)
    return apply()
  }

  unwatchFaultFile() {
    if (this.#watched) unwatchFile(this.#watched)
    this.#watched = null
  }

  async stop() {
    this.unwatchFaultFile()
    await Promise.all(
      this.#served.map(
        (served) => new Promise<void>((resolve) => served.socket.close(() => resolve()))
      )
    )
    this.#served = []
    this.#byName.clear()
    this.#byId.clear()
  }

  /** A device's own faults; `down` also when a device it is reached through is down. */
  #effectiveFaults(device: SimulatedDevice): DeviceFaults {
    if (device.faults.down) return device.faults
    let uplink = device.spec.uplinkId
    for (let hops = 0; uplink !== null && uplink !== undefined && hops < 8; hops++) {
      const above = this.#byId.get(uplink)?.device
      if (!above) break
      if (above.faults.down) return { ...device.faults, down: true }
      uplink = above.spec.uplinkId
    }
    return device.faults
  }

  #find(which: number | string): Served {
    const served = typeof which === 'number' ? this.#served[which] : this.#byName.get(which)
    if (!served) throw new RangeError(`no simulated device ${which}`)
    return served
  }

  async #serve(spec: DeviceSpec) {
    const device = new SimulatedDevice(spec, Date.now(), { threatSpeedup: this.#threatSpeedup })
    const port = this.basePort + this.#served.length
    let socket: FaultSocket | undefined
    const agent = netSnmp.createAgent(
      {
        port,
        address: this.host,
        dgramModule: FaultSocket.moduleFor(
          () => this.#effectiveFaults(device),
          (created) => (socket = created)
        ),
      },
      (error) => {
        if (error) this.rejected++
      }
    )
    await socket!.ready
    const v3 = Object.hasOwn(this.#v3Users, spec.name) ? this.#v3Users[spec.name] : undefined
    if (v3) agent.getAuthorizer().addUser(netSnmpUser(v3, spec.name))
    else agent.getAuthorizer().addCommunity(this.community)
    populate(agent.getMib(), device, this.now)
    const served: Served = {
      device,
      agent,
      socket: socket!,
      endpoint: {
        id: spec.id,
        name: spec.name,
        kind: spec.kind,
        host: this.host,
        port,
        community: this.community,
        ...(v3 ? { v3 } : {}),
      },
    }
    this.#served.push(served)
    this.#byName.set(spec.name, served)
    this.#byId.set(spec.id, served)
  }
}

/** Registers system, IF-MIB and HOST-RESOURCES providers whose handlers compute live values. */
function populate(mib: NetSnmpMib, device: SimulatedDevice, now: () => number) {
  const spec = device.spec
  const scalars: [string, string, number, unknown][] = [
    ['sysDescr', '1.3.6.1.2.1.1.1', T.OctetString, spec.sysDescr],
    ['sysObjectID', '1.3.6.1.2.1.1.2', T.OID, spec.sysObjectId],
    ['sysUpTime', '1.3.6.1.2.1.1.3', T.TimeTicks, 0],
    ['sysContact', '1.3.6.1.2.1.1.4', T.OctetString, spec.sysContact],
    ['sysName', '1.3.6.1.2.1.1.5', T.OctetString, spec.name],
    ['sysLocation', '1.3.6.1.2.1.1.6', T.OctetString, Buffer.from(spec.sysLocation, 'utf8')],
    ['sysServices', '1.3.6.1.2.1.1.7', T.Integer, spec.kind === 'village_switch' ? 2 : 6],
    ['ifNumber', '1.3.6.1.2.1.2.1', T.Integer, spec.interfaces.length],
  ]
  for (const [name, oid, scalarType, value] of scalars) {
    mib.registerProvider({
      name,
      type: MibProviderType.Scalar,
      oid,
      scalarType,
      maxAccess: RO,
      handler:
        name === 'sysUpTime'
          ? (request: MibRequest) => {
              request.instanceNode.value = device.uptimeTicks(now())
              request.done()
            }
          : undefined,
    })
    mib.setScalarValue(name, value)
  }

  mib.registerProvider({
    name: 'ifTable',
    type: MibProviderType.Table,
    oid: '1.3.6.1.2.1.2.2.1',
    maxAccess: NA,
    tableColumns: [
      { number: 1, name: 'ifIndex', type: T.Integer, maxAccess: RO },
      { number: 2, name: 'ifDescr', type: T.OctetString, maxAccess: RO },
      { number: 3, name: 'ifType', type: T.Integer, maxAccess: RO },
      { number: 4, name: 'ifMtu', type: T.Integer, maxAccess: RO },
      { number: 5, name: 'ifSpeed', type: T.Gauge, maxAccess: RO },
      { number: 6, name: 'ifPhysAddress', type: T.OctetString, maxAccess: RO },
      { number: 7, name: 'ifAdminStatus', type: T.Integer, maxAccess: RO },
      { number: 8, name: 'ifOperStatus', type: T.Integer, maxAccess: RO },
      { number: 9, name: 'ifLastChange', type: T.TimeTicks, maxAccess: RO },
      { number: 10, name: 'ifInOctets', type: T.Counter, maxAccess: RO },
      { number: 11, name: 'ifInUcastPkts', type: T.Counter, maxAccess: RO },
      { number: 13, name: 'ifInDiscards', type: T.Counter, maxAccess: RO },
      { number: 14, name: 'ifInErrors', type: T.Counter, maxAccess: RO },
      { number: 16, name: 'ifOutOctets', type: T.Counter, maxAccess: RO },
      { number: 17, name: 'ifOutUcastPkts', type: T.Counter, maxAccess: RO },
      { number: 19, name: 'ifOutDiscards', type: T.Counter, maxAccess: RO },
      { number: 20, name: 'ifOutErrors', type: T.Counter, maxAccess: RO },
    ],
    tableIndex: [{ columnName: 'ifIndex' }],
    handler: (request: MibRequest) => {
      const column = request.address[9]
      const ifIndex = request.address[10]
      const node = request.instanceNode
      const at = now()
      if (column === 8) node.value = device.operStatus(ifIndex, at)
      else if (column === 9) node.value = device.lastChangeTicks(ifIndex, at)
      else if (column === 10) node.value = Number(device.octets(ifIndex, 'in', at) % 4294967296n)
      else if (column === 11) node.value = device.packets(ifIndex, 'in', at)
      else if (column === 13) node.value = Math.floor(device.discards(ifIndex, at) / 3)
      else if (column === 14) node.value = device.errors(ifIndex, at)
      else if (column === 16) node.value = Number(device.octets(ifIndex, 'out', at) % 4294967296n)
      else if (column === 17) node.value = device.packets(ifIndex, 'out', at)
      else if (column === 19) node.value = device.discards(ifIndex, at)
      else if (column === 20) node.value = 0
      request.done()
    },
  })
  for (const row of spec.interfaces) {
    mib.addTableRow('ifTable', [
      row.ifIndex,
      row.descr,
      row.type,
      1500,
      Math.min(row.speedBps, 4294967295),
      mac(spec.id, row.ifIndex),
      row.adminUp ? 1 : 2,
      row.adminUp ? 1 : 2,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
    ])
  }

  mib.registerProvider({
    name: 'ifXTable',
    type: MibProviderType.Table,
    oid: '1.3.6.1.2.1.31.1.1.1',
    maxAccess: NA,
    tableColumns: [
      { number: 1, name: 'ifName', type: T.OctetString, maxAccess: RO },
      { number: 6, name: 'ifHCInOctets', type: T.Counter64, maxAccess: RO },
      { number: 10, name: 'ifHCOutOctets', type: T.Counter64, maxAccess: RO },
      { number: 15, name: 'ifHighSpeed', type: T.Gauge, maxAccess: RO },
      { number: 18, name: 'ifAlias', type: T.OctetString, maxAccess: RO },
    ],
    tableAugments: 'ifTable',
    handler: (request: MibRequest) => {
      const column = request.address[10]
      const ifIndex = request.address[11]
      if (column === 6) request.instanceNode.value = counter64(device.octets(ifIndex, 'in', now()))
      else if (column === 10)
        request.instanceNode.value = counter64(device.octets(ifIndex, 'out', now()))
      request.done()
    },
  })
  for (const row of spec.interfaces) {
    mib.addTableRow('ifXTable', [
      row.ifIndex,
      row.name,
      counter64(0n),
      counter64(0n),
      Math.round(row.speedBps / 1e6),
      Buffer.from(row.alias, 'utf8'),
    ])
  }

  if (device.threats) {
    const threats = device.threats
    for (const { n, kind } of SIM_THREAT_COUNTERS) {
      const name = `shuzhiSimThreat${n}`
      mib.registerProvider({
        name,
        type: MibProviderType.Scalar,
        oid: `${SIM_THREAT_BASE}.${n}`,
        scalarType: T.Counter,
        maxAccess: RO,
        handler: (request: MibRequest) => {
          request.instanceNode.value = threats.value(kind, now())
          request.done()
        },
      })
      mib.setScalarValue(name, 0)
    }
  }

  if (spec.cpus > 0) {
    mib.registerProvider({
      name: 'hrDeviceTable',
      type: MibProviderType.Table,
      oid: '1.3.6.1.2.1.25.3.2.1',
      maxAccess: NA,
      tableColumns: [
        { number: 1, name: 'hrDeviceIndex', type: T.Integer, maxAccess: RO },
        { number: 2, name: 'hrDeviceType', type: T.OID, maxAccess: RO },
        { number: 3, name: 'hrDeviceDescr', type: T.OctetString, maxAccess: RO },
      ],
      tableIndex: [{ columnName: 'hrDeviceIndex' }],
    })
    mib.registerProvider({
      name: 'hrProcessorTable',
      type: MibProviderType.Table,
      oid: '1.3.6.1.2.1.25.3.3.1',
      maxAccess: NA,
      tableColumns: [
        { number: 1, name: 'hrProcessorFrwID', type: T.OID, maxAccess: RO },
        { number: 2, name: 'hrProcessorLoad', type: T.Integer, maxAccess: RO },
      ],
      tableAugments: 'hrDeviceTable',
      handler: (request: MibRequest) => {
        if (request.address[10] === 2) {
          request.instanceNode.value = device.cpuLoad(request.address[11] - 196608)
        }
        request.done()
      },
    })
    for (let cpu = 0; cpu < spec.cpus; cpu++) {
      const index = 196608 + cpu
      mib.addTableRow('hrDeviceTable', [index, '1.3.6.1.2.1.25.3.1.3', `CPU ${cpu}`])
      mib.addTableRow('hrProcessorTable', [index, '0.0', 0])
    }
  }
}
