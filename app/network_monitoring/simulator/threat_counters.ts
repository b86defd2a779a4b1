import { seededRandom } from '#network_monitoring/simulator/topology'
import type { DeviceKind } from '#network_monitoring/simulator/topology'
import {
  SIM_THREAT_COUNTERS,
  type SimThreatKind,
} from '#network_monitoring/alerts/rules/threat_map'

/**
 * Threats the county's security appliances detect in a year, as in the
 * seeds ("通过态势感知平台共预警监测140起安全事件，其中木马病毒攻击134起、
 * 安装恶意软件2起、勒索病毒4起"), spread over the firewalls, the IPS and
 * the anti-virus gateway by these shares.
 */
export const THREATS_PER_YEAR: Partial<Record<SimThreatKind, number>> = {
  trojan: 134,
  malware: 2,
  ransomware: 4,
}
const SHARE: Partial<Record<DeviceKind, number>> = {
  firewall: 0.25,
  ips: 0.2,
  av_gateway: 0.3,
}
const YEAR_MS = 365 * 86400 * 1000

/** Device kinds that expose SHUZHI-SIM-THREAT-MIB. */
export function hasThreatCounters(kind: DeviceKind) {
  return kind in SHARE
}

/**
 * The threat counters of one simulated appliance: a deterministic Poisson
 * process per threat kind (seeded by the device), running `speedup` times
 * faster than real time (the demo compresses a year into hours), on top of
 * a count from before the simulator started. Counters restart at 0 on a
 * reboot; `inject` adds detections at once (fault file, tests).
 */
export class ThreatCounters {
  readonly #rates = new Map<SimThreatKind, number>()
  readonly #initial = new Map<SimThreatKind, number>()
  readonly #events = new Map<SimThreatKind, number[]>()
  readonly #next = new Map<SimThreatKind, number>()
  readonly #injected = new Map<SimThreatKind, number>()
  readonly #random: () => number
  #resetOffset = new Map<SimThreatKind, number>()

  constructor(deviceId: number, kind: DeviceKind, startMs: number, speedup = 1) {
    this.#random = seededRandom(deviceId * 104729 + 7)
    const share = SHARE[kind] ?? 0
    for (const { kind: threat } of SIM_THREAT_COUNTERS) {
      const perYear = (THREATS_PER_YEAR[threat] ?? 0) * share * speedup
      this.#rates.set(threat, perYear / YEAR_MS)
      // Detections since the appliance booted, before the simulator started.
      this.#initial.set(threat, Math.floor(this.#random() * (threat === 'trojan' ? 400 : 20)))
      this.#events.set(threat, [])
      if (perYear > 0) this.#next.set(threat, startMs + this.#gap(perYear / YEAR_MS))
    }
  }

  #gap(ratePerMs: number) {
    return -Math.log(1 - this.#random()) / ratePerMs
  }

  #raw(threat: SimThreatKind, nowMs: number) {
    const events = this.#events.get(threat)!
    const rate = this.#rates.get(threat) ?? 0
    let next = this.#next.get(threat)
    while (next !== undefined && next <= nowMs) {
      events.push(next)
      next += this.#gap(rate)
      this.#next.set(threat, next)
    }
    // events are sorted: count those at or before now (a clock may go back)
    let low = 0
    let high = events.length
    while (low < high) {
      const mid = (low + high) >> 1
      if (events[mid] <= nowMs) low = mid + 1
      else high = mid
    }
    return this.#initial.get(threat)! + low + (this.#injected.get(threat) ?? 0)
  }

  /** The counter's value (Counter32 wraps at 2³²). */
  value(threat: SimThreatKind, nowMs: number): number {
    const value = this.#raw(threat, nowMs) - (this.#resetOffset.get(threat) ?? 0)
    return Math.max(0, value) % 2 ** 32
  }

  inject(threat: SimThreatKind, count: number) {
    this.#injected.set(threat, (this.#injected.get(threat) ?? 0) + count)
  }

  reboot(nowMs: number) {
    for (const { kind: threat } of SIM_THREAT_COUNTERS) {
      this.#resetOffset.set(threat, this.#raw(threat, nowMs))
    }
  }
}
