import type { PollResult } from '#network_monitoring/snmp/device_poller'

/** The counters of one interface at one poll (PollResult's InterfaceSample fits). */
export interface InterfaceCounters {
  ifIndex: number
  /** ifName (else ifDescr): tells a renumbered port from the one that had its ifIndex before. */
  name?: string | null
  descr?: string | null
  speedBps: number | null
  inOctets: bigint | null
  outOctets: bigint | null
  octetsCounterBits: 64 | 32 | null
  inErrors: number | null
  outErrors: number | null
  inDiscards: number | null
  outDiscards: number | null
}

export interface CounterSample {
  /** Wall-clock time of the poll (epoch ms). */
  takenAtMs: number
  sysUpTimeTicks: number | null
  interfaces: InterfaceCounters[]
}

export interface RateOptions {
  /** How far over the interface speed a delta may go before it is a discontinuity (default 1.1). */
  speedTolerance?: number
  /** Ceiling in bit/s for interfaces reporting no speed (default 100 Gbit/s). */
  unknownSpeedBps?: number
  /** Clock jitter tolerated between sysUpTime and wall time (default 5 s, plus 1 % of the interval). */
  clockSlackSeconds?: number
}

export type CounterStatus = 'ok' | 'wrapped' | 'discontinuity' | 'missing'

export interface CounterRate {
  /** Units per second; null when missing or discarded. Never negative. */
  perSecond: number | null
  status: CounterStatus
}

export interface InterfaceRates {
  ifIndex: number
  /** bit/s */
  inBps: number | null
  outBps: number | null
  /** 0…1 of speedBps (null without a speed or a rate) */
  inUtilisation: number | null
  outUtilisation: number | null
  inErrorsPerSec: number | null
  outErrorsPerSec: number | null
  inDiscardsPerSec: number | null
  outDiscardsPerSec: number | null
  /** Some counter wrapped and was unwrapped. */
  wrapped: boolean
  /** Some counter jumped implausibly (reset, replaced line card…): the whole row's rates were discarded. */
  discontinuity: boolean
  /** The ifIndex now names another port (renumbered after a reboot): no rate across it. */
  renumbered?: boolean
}

export interface RateResult {
  intervalSeconds: number
  /** sysUpTime went back (or is shorter than the interval): counters restarted, no rates. */
  reboot: boolean
  /** sysUpTime rolled over 2³² ticks (497 days) — not a reboot. */
  uptimeWrapped: boolean
  interfaces: InterfaceRates[]
}

const TICKS_MODULO = 2 ** 32
/** sysUpTime going back by this little is jitter, not a reboot. */
const UPTIME_JITTER_TICKS = 50
/** Smallest Ethernet frame: errors and discards count frames, so this bounds their rate. */
const MIN_FRAME_BITS = 64 * 8

/** Unwraps a counter once; a 64-bit counter going back is almost always a reset, left for the caller's plausibility check. */
export function counterDelta(
  previous: bigint,
  current: bigint,
  bits: 32 | 64
): { delta: bigint; wrapped: boolean } {
  if (current >= previous) return { delta: current - previous, wrapped: false }
  return { delta: current + (1n << BigInt(bits)) - previous, wrapped: true }
}

/**
 * Reboot when the agent's uptime advanced less than wall time did (it went
 * back, or restarted after the previous poll) — unless TimeTicks merely
 * rolled over at 2³².
 */
export function detectReboot(
  previous: Pick<CounterSample, 'takenAtMs' | 'sysUpTimeTicks'>,
  current: Pick<CounterSample, 'takenAtMs' | 'sysUpTimeTicks'>,
  clockSlackSeconds = 5
): { reboot: boolean; uptimeWrapped: boolean } {
  const before = previous.sysUpTimeTicks
  const after = current.sysUpTimeTicks
  if (before === null || after === null) return { reboot: false, uptimeWrapped: false }
  const elapsedTicks = Math.max(0, (current.takenAtMs - previous.takenAtMs) / 10)
  const slack = clockSlackSeconds * 100 + elapsedTicks * 0.01
  const expected = before + elapsedTicks
  if (after >= expected - slack) return { reboot: false, uptimeWrapped: false }
  // Uptime that stood still or went back a few ticks (agents caching sysUpTime,
  // sub-agents disagreeing) is jitter when it is still longer than the interval:
  // a restart after the previous poll would show less uptime than that.
  if (after >= before - UPTIME_JITTER_TICKS && after >= elapsedTicks - slack) {
    return { reboot: false, uptimeWrapped: false }
  }
  if (expected + slack >= TICKS_MODULO && Math.abs(after - (expected - TICKS_MODULO)) <= slack) {
    return { reboot: false, uptimeWrapped: true }
  }
  return { reboot: true, uptimeWrapped: false }
}

/** Rate of one counter between two samples, unwrapping once and discarding implausible jumps. */
export function counterRate(
  previous: bigint | number | null,
  current: bigint | number | null,
  bits: 32 | 64 | null,
  seconds: number,
  maxPerSecond: number
): CounterRate {
  if (previous === null || current === null || seconds <= 0)
    return { perSecond: null, status: 'missing' }
  const before = BigInt(previous)
  const after = BigInt(current)
  if (after < before && bits === null) return { perSecond: null, status: 'discontinuity' }
  // A real wrap passes the top of the range: the counter ends up far below where it
  // was. Going back by less than half the range ("clear counters", a glitch of a
  // few bytes) is a reset — even when the implied rate would fit the interface.
  if (after < before && before - after <= 1n << BigInt((bits ?? 64) - 1)) {
    return { perSecond: null, status: 'discontinuity' }
  }
  const { delta, wrapped } = counterDelta(before, after, bits ?? 64)
  const perSecond = Number(delta) / seconds
  if (perSecond > maxPerSecond) return { perSecond: null, status: 'discontinuity' }
  return { perSecond, status: wrapped ? 'wrapped' : 'ok' }
}

/** Per-second rates for every interface present in both samples. */
export function computeRates(
  previous: CounterSample,
  current: CounterSample,
  options: RateOptions = {}
): RateResult {
  const tolerance = options.speedTolerance ?? 1.1
  const unknownSpeed = options.unknownSpeedBps ?? 100e9
  const intervalSeconds = (current.takenAtMs - previous.takenAtMs) / 1000
  const { reboot, uptimeWrapped } = detectReboot(previous, current, options.clockSlackSeconds)
  if (reboot || intervalSeconds <= 0) {
    return { intervalSeconds, reboot, uptimeWrapped, interfaces: [] }
  }

  const before = new Map(previous.interfaces.map((row) => [row.ifIndex, row]))
  const interfaces: InterfaceRates[] = []
  for (const now of current.interfaces) {
    const then = before.get(now.ifIndex)
    if (!then) continue
    if (isRenumbered(then, now)) {
      interfaces.push(emptyRates(now.ifIndex, { renumbered: true }))
      continue
    }
    const speed = now.speedBps && now.speedBps > 0 ? now.speedBps : null
    const maxBytes = ((speed ?? unknownSpeed) / 8) * tolerance
    const maxFrames = ((speed ?? unknownSpeed) / MIN_FRAME_BITS) * tolerance
    // The poller falls back to 32-bit octets when 64-bit ones vanish; mixing widths is no delta.
    const sameWidth = then.octetsCounterBits === now.octetsCounterBits
    const bits = sameWidth ? now.octetsCounterBits : null
    const octets = (a: bigint | null, b: bigint | null) =>
      sameWidth
        ? counterRate(a, b, bits, intervalSeconds, maxBytes)
        : { perSecond: null, status: 'discontinuity' as const }
    const inOctets = octets(then.inOctets, now.inOctets)
    const outOctets = octets(then.outOctets, now.outOctets)
    const frames = (a: number | null, b: number | null) =>
      counterRate(a, b, 32, intervalSeconds, maxFrames)
    const inErrors = frames(then.inErrors, now.inErrors)
    const outErrors = frames(then.outErrors, now.outErrors)
    const inDiscards = frames(then.inDiscards, now.inDiscards)
    const outDiscards = frames(then.outDiscards, now.outDiscards)
    const all = [inOctets, outOctets, inErrors, outErrors, inDiscards, outDiscards]
    // One counter reset on a row (clear counters, line card swap) discards all its deltas.
    if (all.some((rate) => rate.status === 'discontinuity')) {
      interfaces.push(emptyRates(now.ifIndex, { discontinuity: true }))
      continue
    }

    const inBps = inOctets.perSecond === null ? null : inOctets.perSecond * 8
    const outBps = outOctets.perSecond === null ? null : outOctets.perSecond * 8
    interfaces.push({
      ifIndex: now.ifIndex,
      inBps,
      outBps,
      inUtilisation: inBps === null || speed === null ? null : inBps / speed,
      outUtilisation: outBps === null || speed === null ? null : outBps / speed,
      inErrorsPerSec: inErrors.perSecond,
      outErrorsPerSec: outErrors.perSecond,
      inDiscardsPerSec: inDiscards.perSecond,
      outDiscardsPerSec: outDiscards.perSecond,
      wrapped: all.some((rate) => rate.status === 'wrapped'),
      discontinuity: all.some((rate) => rate.status === 'discontinuity'),
    })
  }
  return { intervalSeconds, reboot, uptimeWrapped, interfaces }
}

function emptyRates(
  ifIndex: number,
  flags: { discontinuity?: boolean; renumbered?: boolean }
): InterfaceRates {
  return {
    ifIndex,
    inBps: null,
    outBps: null,
    inUtilisation: null,
    outUtilisation: null,
    inErrorsPerSec: null,
    outErrorsPerSec: null,
    inDiscardsPerSec: null,
    outDiscardsPerSec: null,
    wrapped: false,
    discontinuity: flags.discontinuity ?? false,
    renumbered: flags.renumbered ?? false,
  }
}

/** The port behind an ifIndex changed (ifName, else ifDescr): known on both sides and different. */
export function isRenumbered(
  before: Pick<InterfaceCounters, 'name' | 'descr'>,
  after: Pick<InterfaceCounters, 'name' | 'descr'>
): boolean {
  if (before.name && after.name) return before.name !== after.name
  if (before.descr && after.descr) return before.descr !== after.descr
  return false
}

/** The counter part of a successful poll, or null for a failed one. */
export function sampleFromPoll(result: PollResult): CounterSample | null {
  if (!result.ok || result.modules.interfaces !== 'ok') return null
  return {
    takenAtMs: result.takenAtMs,
    sysUpTimeTicks: result.system?.sysUpTimeTicks ?? null,
    interfaces: result.interfaces,
  }
}
