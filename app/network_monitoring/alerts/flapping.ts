/**
 * Flap damping after Nagios/Naemon's percent state change with hysteresis: a condition that
 * keeps changing between problem and OK is "flapping" (抖动) once the weighted share of
 * state changes over the recent window reaches `high`, and stops flapping only when it falls
 * to `low` — so one borderline change does not toggle it. While flapping, the store neither
 * raises a new alert nor resolves the open one per change; it marks the alert 抖动.
 *
 * Nagios weighs the last 21 checks; our rules only report changes, so the window is time:
 * `windowMs / slotMs` possible changes (one per poll), newer changes weigh more (0.8 → 1.2).
 */
export interface FlapSettings {
  windowMs: number
  /** The expected interval between two observations (the poll interval). */
  slotMs: number
  /** Start flapping at or above this percent. */
  high: number
  /** Stop flapping at or below this percent. */
  low: number
}

export const DEFAULT_FLAP_SETTINGS: FlapSettings = {
  windowMs: 20 * 60_000,
  slotMs: 60_000,
  high: 30,
  low: 15,
}

export interface ConditionHistory {
  isProblem: boolean
  isFlapping: boolean
  /** Epoch ms of the state changes inside the window, oldest first. */
  changes: number[]
}

export function emptyHistory(): ConditionHistory {
  return { isProblem: false, isFlapping: false, changes: [] }
}

/** Weighted percent of state changes over the window ending at `now` (0..100). */
export function percentStateChange(changes: readonly number[], now: number, s: FlapSettings) {
  const since = now - s.windowMs
  let weighted = 0
  for (const at of changes) {
    if (at <= since || at > now) continue
    const age = (now - at) / s.windowMs
    weighted += 1.2 - 0.4 * age
  }
  const possible = Math.max(1, s.windowMs / s.slotMs)
  return Math.min(100, (weighted / possible) * 100)
}

/** Hysteresis: starts at ≥ high, stops at ≤ low, otherwise keeps what it was. */
export function nextFlapping(wasFlapping: boolean, percent: number, s: FlapSettings) {
  if (!wasFlapping && percent >= s.high) return true
  if (wasFlapping && percent <= s.low) return false
  return wasFlapping
}

export interface ObserveResult {
  history: ConditionHistory
  /** The observation changed the state (problem ↔ OK). */
  changed: boolean
  percent: number
  startedFlapping: boolean
  stoppedFlapping: boolean
}

/**
 * Records an observation (problem or OK) at `at`. An observation older than the newest
 * recorded change (a clock that jumped back) is evaluated at the newest time instead, so
 * time never runs backwards inside the history.
 */
export function observe(
  previous: ConditionHistory,
  isProblem: boolean,
  at: number,
  s: FlapSettings = DEFAULT_FLAP_SETTINGS
): ObserveResult {
  const newest = previous.changes.length ? previous.changes[previous.changes.length - 1] : 0
  const now = Math.max(at, newest)
  const changed = previous.isProblem !== isProblem
  const changes = previous.changes.filter((t) => t > now - s.windowMs)
  if (changed) changes.push(now)
  const percent = percentStateChange(changes, now, s)
  const isFlapping = nextFlapping(previous.isFlapping, percent, s)
  return {
    history: { isProblem, isFlapping, changes },
    changed,
    percent,
    startedFlapping: isFlapping && !previous.isFlapping,
    stoppedFlapping: !isFlapping && previous.isFlapping,
  }
}

/** Re-evaluates flapping at `now` without a new observation (the window moved on). */
export function settle(
  previous: ConditionHistory,
  now: number,
  s: FlapSettings = DEFAULT_FLAP_SETTINGS
) {
  const changes = previous.changes.filter((t) => t > now - s.windowMs)
  const percent = percentStateChange(changes, now, s)
  const isFlapping = nextFlapping(previous.isFlapping, percent, s)
  return {
    history: { ...previous, isFlapping, changes },
    percent,
    stoppedFlapping: previous.isFlapping && !isFlapping,
  }
}
