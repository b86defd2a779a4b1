import { seededRandom } from '#network_monitoring/simulator/topology'
import type { DeviceSpec, InterfaceSpec } from '#network_monitoring/simulator/topology'
import { ThreatCounters, hasThreatCounters } from '#network_monitoring/simulator/threat_counters'

/** Standing faults of one device; applied by its socket, before the agent sees a request. */
export interface DeviceFaults {
  /** Drop every request: looks like a dead device or a wrong community. */
  down?: boolean
  /** Answer after this many milliseconds. */
  delayMs?: number
  /** Reply with random bytes ('junk') or with the real reply cut in half ('truncated'). */
  garbage?: 'junk' | 'truncated'
}

interface Wave {
  /** rad/s */
  omega: number
  phase: number
}

interface InterfaceState {
  spec: InterfaceSpec
  inWave: Wave
  outWave: Wave
  inOffset: bigint
  outOffset: bigint
  flapStartMs: number | null
  flapEndMs: number | null
}

const MOD64 = 1n << 64n
const MOD32 = 2 ** 32
/** Traffic swings ±30 % around the interface mean over a 10–25 minute wave. */
const AMPLITUDE = 0.3
/**
 * The working day: from 06:00 to 20:00 Asia/Shanghai the traffic rises
 * smoothly by up to 40 % over its night level (peak at 13:00), every day.
 * Weekends look like weekdays (the anomaly rule's profile is a day, not a week).
 */
export const DAY_BOOST = 0.4
const DAY_START_S = 6 * 3600
const DAY_LENGTH_S = 14 * 3600
const SHANGHAI_OFFSET_S = 8 * 3600

/** ∫ of the day shape (0 at night, (1 − cos)/2 over the working day) from the epoch to t (seconds). */
export function dayShapeIntegral(epochSeconds: number): number {
  const local = epochSeconds + SHANGHAI_OFFSET_S
  const days = Math.floor(local / 86400)
  const intoDay = local - days * 86400
  const perDay = DAY_LENGTH_S / 2
  let partial = 0
  if (intoDay >= DAY_START_S + DAY_LENGTH_S) partial = perDay
  else if (intoDay > DAY_START_S) {
    const u = intoDay - DAY_START_S
    partial = (u - (DAY_LENGTH_S / (2 * Math.PI)) * Math.sin((2 * Math.PI * u) / DAY_LENGTH_S)) / 2
  }
  return days * perDay + partial
}

export interface SimulatedDeviceOptions {
  /** Threat detections run this many times faster than real time (default 1). */
  threatSpeedup?: number
}

/**
 * The live state of one simulated device: uptime, counters that integrate a
 * traffic wave since boot (so two polls see a consistent rate), interface
 * flaps and standing faults.
 */
export default class SimulatedDevice {
  readonly spec: DeviceSpec
  faults: DeviceFaults = {}
  #bootAtMs: number
  #interfaces = new Map<number, InterfaceState>()
  /** SHUZHI-SIM-THREAT-MIB counters (firewalls, IPS, anti-virus gateway only). */
  readonly threats: ThreatCounters | null

  constructor(spec: DeviceSpec, nowMs = Date.now(), options: SimulatedDeviceOptions = {}) {
    this.spec = spec
    this.#bootAtMs = nowMs - spec.initialUptimeSeconds * 1000
    this.threats = hasThreatCounters(spec.kind)
      ? new ThreatCounters(spec.id, spec.kind, nowMs, options.threatSpeedup ?? 1)
      : null
    const random = seededRandom(spec.id * 7919 + 17)
    const wave = (): Wave => ({
      omega: (2 * Math.PI) / (600 + random() * 900),
      phase: random() * 2 * Math.PI,
    })
    for (const row of spec.interfaces) {
      this.#interfaces.set(row.ifIndex, {
        spec: row,
        inWave: wave(),
        outWave: wave(),
        inOffset: 0n,
        outOffset: 0n,
        flapStartMs: null,
        flapEndMs: null,
      })
    }
  }

  get bootAtMs(): number {
    return this.#bootAtMs
  }

  /** sysUpTime in hundredths of a second (TimeTicks wrap at 2³²). */
  uptimeTicks(nowMs = Date.now()): number {
    return Math.floor((nowMs - this.#bootAtMs) / 10) % MOD32
  }

  #seconds(nowMs: number) {
    return Math.max(0, (nowMs - this.#bootAtMs) / 1000)
  }

  #state(ifIndex: number): InterfaceState {
    const state = this.#interfaces.get(ifIndex)
    if (!state) throw new RangeError(`${this.spec.name} has no ifIndex ${ifIndex}`)
    return state
  }

  /**
   * Octets since boot: the integral of mean × (1 + a·sin(ωt + φ) + b·day(t))
   * — monotonic, smooth, the same at every poll of the same instant.
   */
  #integral(meanBps: number, wave: Wave, seconds: number): bigint {
    const bytesPerSecond = meanBps / 8
    const swing =
      ((AMPLITUDE * bytesPerSecond) / wave.omega) *
      (Math.cos(wave.phase) - Math.cos(wave.omega * seconds + wave.phase))
    const bootS = this.#bootAtMs / 1000
    const day =
      DAY_BOOST * bytesPerSecond * (dayShapeIntegral(bootS + seconds) - dayShapeIntegral(bootS))
    return BigInt(Math.floor(bytesPerSecond * seconds + swing + day))
  }

  /** ifHCInOctets / ifHCOutOctets (ifIn/OutOctets are these modulo 2³²). */
  octets(ifIndex: number, direction: 'in' | 'out', nowMs = Date.now()): bigint {
    const state = this.#state(ifIndex)
    const seconds = this.#seconds(nowMs)
    const value =
      direction === 'in'
        ? state.inOffset + this.#integral(state.spec.inBps, state.inWave, seconds)
        : state.outOffset + this.#integral(state.spec.outBps, state.outWave, seconds)
    return ((value % MOD64) + MOD64) % MOD64
  }

  /** Unicast packets, assuming 800-byte average frames. */
  packets(ifIndex: number, direction: 'in' | 'out', nowMs = Date.now()): number {
    return Number((this.octets(ifIndex, direction, nowMs) / 800n) % BigInt(MOD32))
  }

  errors(ifIndex: number, nowMs = Date.now()): number {
    const every = this.#state(ifIndex).spec.errorEverySeconds
    return every ? Math.floor(this.#seconds(nowMs) / every) % MOD32 : 0
  }

  discards(ifIndex: number, nowMs = Date.now()): number {
    const every = this.#state(ifIndex).spec.discardEverySeconds
    return every ? Math.floor(this.#seconds(nowMs) / every) % MOD32 : 0
  }

  /** ifOperStatus: 1 up, 2 down (admin down, or inside a flap). */
  operStatus(ifIndex: number, nowMs = Date.now()): number {
    const state = this.#state(ifIndex)
    if (!state.spec.adminUp) return 2
    const inFlap = state.flapStartMs !== null && state.flapEndMs !== null && nowMs < state.flapEndMs
    return inFlap && nowMs >= state.flapStartMs! ? 2 : 1
  }

  /** ifLastChange: sysUpTime at the last status change (0 = since boot). */
  lastChangeTicks(ifIndex: number, nowMs = Date.now()): number {
    const state = this.#state(ifIndex)
    if (state.flapStartMs === null || state.flapStartMs < this.#bootAtMs) return 0
    const changedAt =
      state.flapEndMs !== null && nowMs >= state.flapEndMs ? state.flapEndMs : state.flapStartMs
    return Math.floor((changedAt - this.#bootAtMs) / 10) % MOD32
  }

  /** hrProcessorLoad (percent over the last minute). */
  cpuLoad(cpu: number, nowMs = Date.now()): number {
    const minutes = nowMs / 60000
    return Math.round(
      18 + 12 * Math.sin(minutes / 7 + cpu + this.spec.id) + 4 * Math.sin(minutes * 1.3 + cpu)
    )
  }

  /** Restart: uptime from zero and every counter back to zero. */
  reboot(nowMs = Date.now()) {
    this.#bootAtMs = nowMs
    this.threats?.reboot(nowMs)
    for (const state of this.#interfaces.values()) {
      state.inOffset = 0n
      state.outOffset = 0n
      state.flapStartMs = null
      state.flapEndMs = null
    }
  }

  /** Takes an interface oper-down for `downForMs`, then back up. */
  flap(ifIndex: number, downForMs: number, nowMs = Date.now()) {
    const state = this.#state(ifIndex)
    state.flapStartMs = nowMs
    state.flapEndMs = nowMs + downForMs
  }

  /**
   * Moves every octet counter so it wraps (64-bit, and the 32-bit view with
   * it) about `secondsToWrap` from now, at each interface's current rate.
   */
  setCountersNearWrap(secondsToWrap: number, nowMs = Date.now()) {
    const seconds = this.#seconds(nowMs)
    for (const state of this.#interfaces.values()) {
      const place = (meanBps: number, wave: Wave) => {
        const ahead = BigInt(Math.max(1, Math.floor((meanBps / 8) * secondsToWrap)))
        return (((MOD64 - ahead - this.#integral(meanBps, wave, seconds)) % MOD64) + MOD64) % MOD64
      }
      state.inOffset = place(state.spec.inBps, state.inWave)
      state.outOffset = place(state.spec.outBps, state.outWave)
    }
  }
}
