import type { DateTime } from 'luxon'

/** What a screen shows for a device. */
export type DisplayStatus = 'up' | 'down' | 'unknown' | 'maintenance' | 'disabled'

/** Board order of the statuses (totals, legend). */
export const DISPLAY_STATUSES: DisplayStatus[] = [
  'up',
  'down',
  'maintenance',
  'unknown',
  'disabled',
]

export interface StatusInputs {
  isEnabled: boolean
  pollingSupported: boolean
  pollIntervalSeconds: number
  status: 'up' | 'down' | 'unknown' | null
  lastPollAt: DateTime | null
  /** Inside a maintenance window now: neither up nor down, whatever the last poll said. */
  inMaintenance?: boolean
}

/**
 * A state older than three poll intervals (plus a minute of slack) is no
 * longer news: the poller is not running, so the device shows unknown.
 */
export function isStale(lastPollAt: DateTime | null, intervalSeconds: number, now: DateTime) {
  if (!lastPollAt) return true
  return now.diff(lastPollAt, 'seconds').seconds > intervalSeconds * 3 + 60
}

export function displayStatus(input: StatusInputs, now: DateTime): DisplayStatus {
  if (!input.isEnabled) return 'disabled'
  if (input.inMaintenance) return 'maintenance'
  if (!input.pollingSupported || !input.status || input.status === 'unknown') return 'unknown'
  if (isStale(input.lastPollAt, input.pollIntervalSeconds, now)) return 'unknown'
  return input.status
}
