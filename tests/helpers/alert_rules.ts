import type { AlertSignal, AlertSink, RaiseOutcome } from '#network_monitoring/alerts/contract'
import type { InterfaceRecord, PollRecord } from '#network_monitoring/services/poll_records'
import type { DeviceMeta } from '#network_monitoring/alerts/rules/rule'
import RuleEngine, { type RuleBackend } from '#network_monitoring/alerts/rules/rule_engine'
import { defaultConfig, type RulesConfig } from '#network_monitoring/alerts/rules/rule_registry'
import {
  DEFAULT_THREAT_COUNTERS,
  type ThreatCounterDef,
} from '#network_monitoring/alerts/rules/threat_map'

/** A sink that records what the rules hand it. */
export class RecordingSink implements AlertSink {
  raised: AlertSignal[] = []
  recovered: string[] = []
  failNext = false

  async raise(signals: AlertSignal[]): Promise<RaiseOutcome> {
    if (this.failNext) {
      this.failNext = false
      throw new Error('sink unavailable')
    }
    this.raised.push(...signals)
    return { created: signals.length, updated: 0, duplicates: 0, suppressed: 0 }
  }

  async recover(conditionKeys: string[]) {
    this.recovered.push(...conditionKeys)
    return conditionKeys.length
  }

  rules() {
    return this.raised.map((signal) => signal.rule)
  }
}

/** The engine's backend in memory: inventory, settings and the saved state rows. */
export class MemoryRuleBackend implements RuleBackend {
  devices = new Map<number, DeviceMeta>()
  interfaces: Array<[number, number, number]> = []
  states = new Map<string, string>()
  config: RulesConfig = defaultConfig()
  threatDefs: ThreatCounterDef[] = [...DEFAULT_THREAT_COUNTERS]
  saves = 0

  addDevice(id: number, interfaceCount = 0, meta: Partial<DeviceMeta> = {}) {
    this.devices.set(id, {
      id,
      siteId: 100 + id,
      deviceType: 'access_switch',
      parentDeviceId: null,
      ...meta,
    })
    for (let ifIndex = 1; ifIndex <= interfaceCount; ifIndex++) {
      this.interfaces.push([id, ifIndex, id * 1000 + ifIndex])
    }
  }

  async loadDevices(ids: number[]) {
    return ids.flatMap((id) => (this.devices.has(id) ? [this.devices.get(id)!] : []))
  }

  async loadInterfaces(deviceIds: number[]) {
    return this.interfaces.filter(([deviceId]) => deviceIds.includes(deviceId))
  }

  async loadStates(keys: string[]) {
    return new Map(
      keys.flatMap((key) => (this.states.has(key) ? [[key, this.states.get(key)!]] : [])) as Array<
        [string, string]
      >
    )
  }

  async saveStates(rows: Array<[string, string]>) {
    this.saves++
    for (const [key, value] of rows) this.states.set(key, value)
  }

  async loadConfig() {
    return structuredClone(this.config)
  }

  async loadThreatDefs() {
    return [...this.threatDefs]
  }
}

/** An engine over a memory backend and a recording sink, on a clock the test moves. */
export function engineFor(backend = new MemoryRuleBackend(), sink = new RecordingSink()) {
  const clock = { ms: Date.UTC(2026, 10, 2, 0, 0, 0) }
  const engine = new RuleEngine(backend, () => sink, { now: () => clock.ms })
  return { engine, backend, sink, clock }
}

export function interfaceRecord(
  ifIndex: number,
  overrides: Partial<InterfaceRecord> = {}
): InterfaceRecord {
  return {
    ifIndex,
    name: `GE0/0/${ifIndex}`,
    descr: `GigabitEthernet0/0/${ifIndex}`,
    alias: null,
    type: 6,
    speedBps: 1e9,
    adminStatus: 1,
    operStatus: 1,
    counterBits: 64,
    inOctets: '0',
    outOctets: '0',
    inErrors: 0,
    outErrors: 0,
    inDiscards: 0,
    outDiscards: 0,
    rates: null,
    ...overrides,
  }
}

/** Rates of an interface record (bit/s in and out on a 1 Gbit/s port, no errors). */
export function rates(inBps: number, outBps: number, speedBps = 1e9) {
  return {
    inBps,
    outBps,
    inUtilisation: (inBps / speedBps) * 100,
    outUtilisation: (outBps / speedBps) * 100,
    inErrorsPs: 0,
    outErrorsPs: 0,
    inDiscardsPs: 0,
    outDiscardsPs: 0,
  }
}

/** One poll of a device that answered (override for failures, interfaces, counters). */
export function pollRecord(
  deviceId: number,
  takenAtMs: number,
  overrides: Partial<PollRecord> = {}
): PollRecord {
  const ok = overrides.ok ?? true
  return {
    deviceId,
    deviceName: `dev-${deviceId}`,
    takenAtMs,
    durationMs: 12,
    ok,
    errorCode: ok ? null : 'E_SNMP_TIMEOUT',
    errorMessage: null,
    inMaintenance: false,
    status: ok ? 'up' : 'down',
    previousStatus: 'up',
    consecutiveFailures: ok ? 0 : 1,
    system: ok
      ? {
          sysDescr: 'test',
          sysObjectId: '1.3.6.1.4.1.2011.2.23.629',
          sysUpTimeTicks: 100_000,
          sysName: `dev-${deviceId}`,
        }
      : null,
    cpuLoad: null,
    reboot: false,
    interfaces: [],
    interfacesPolled: ok,
    moduleErrors: [],
    ...overrides,
  }
}
