import type { V3Credentials } from '#network_monitoring/snmp/v3_transport'
import type { DeviceStatus } from '#network_monitoring/models/device_state'
import type { ModuleError, SystemInfo } from '#network_monitoring/snmp/device_poller'

/** A device the poller works on, as loaded for one tick. */
export interface PollTarget {
  deviceId: number
  name: string
  host: string
  port: number
  version: '1' | '2c' | '3'
  /** null when the stored community (v3: keys) cannot be decrypted (app key changed). */
  community: string | null
  /** USM credentials of a v3 device, decrypted. */
  v3?: V3Credentials
  intervalSeconds: number
  /** Start of the cycle that last polled it (epoch ms), from the database. */
  lastPollMs: number | null
  status: DeviceStatus
  consecutiveFailures: number
  interfaceCount: number
  /** Maintenance windows not yet over: [start, end) in epoch ms. */
  maintenance: Array<[number, number]>
}

export interface InterfaceRates {
  inBps: number | null
  outBps: number | null
  inUtilisation: number | null
  outUtilisation: number | null
  inErrorsPs: number | null
  outErrorsPs: number | null
  inDiscardsPs: number | null
  outDiscardsPs: number | null
}

/** One interface as one poll saw it. Octet counters are decimal strings (they exceed 2⁵³). */
export interface InterfaceRecord {
  ifIndex: number
  name: string | null
  descr: string | null
  alias: string | null
  type: number | null
  speedBps: number | null
  adminStatus: number | null
  operStatus: number | null
  counterBits: 64 | 32 | null
  inOctets: string | null
  outOctets: string | null
  inErrors: number | null
  outErrors: number | null
  inDiscards: number | null
  outDiscards: number | null
  /** null on the first poll and after a reboot or counter discontinuity. */
  rates: InterfaceRates | null
}

/**
 * The outcome of polling one device once: everything the store writes, so
 * it can wait in memory while the database is unavailable.
 */
export interface PollRecord {
  deviceId: number
  deviceName: string
  takenAtMs: number
  durationMs: number
  ok: boolean
  errorCode: string | null
  errorMessage: string | null
  inMaintenance: boolean
  status: DeviceStatus
  previousStatus: DeviceStatus
  consecutiveFailures: number
  system: SystemInfo | null
  cpuLoad: number | null
  reboot: boolean
  interfaces: InterfaceRecord[]
  /** False when the interfaces module failed: the stored interfaces stay as they were. */
  interfacesPolled: boolean
  /** Modules that failed alone on a device that answered (shown on the device page). */
  moduleErrors: ModuleError[]
  /** Threat counters of a security device (counter OID → value; snmp/modules/threats.ts). */
  threatCounters?: Record<string, number>
}
