/**
 * Pure rules of the 值班表 (no database): overlaps, coverage gaps, calendar weeks in Beijing time.
 */
import { DateTime } from 'luxon'

export const DUTY_ZONE = 'Asia/Shanghai'

export interface Interval {
  start: number
  end: number
}

/** Two half-open intervals [start, end) share at least one instant. */
export function overlaps(a: Interval, b: Interval) {
  return a.start < b.end && b.start < a.end
}

/** The parts of [from, to) that no interval covers, in order. */
export function coverageGaps(intervals: Interval[], from: number, to: number): Interval[] {
  const sorted = intervals
    .filter((i) => i.end > from && i.start < to)
    .sort((a, b) => a.start - b.start)
  const gaps: Interval[] = []
  let cursor = from
  for (const interval of sorted) {
    if (interval.start > cursor) gaps.push({ start: cursor, end: Math.min(interval.start, to) })
    cursor = Math.max(cursor, interval.end)
    if (cursor >= to) break
  }
  if (cursor < to) gaps.push({ start: cursor, end: to })
  return gaps
}

/** Monday 00:00 (Beijing) of the week holding `at`. */
export function weekStartOf(at: DateTime) {
  return at.setZone(DUTY_ZONE).startOf('week')
}

/**
 * The years a roster date may fall in: a typo such as 0026 or 9999 is refused rather than
 * stored (year 0 even becomes a local-mean-time offset, and MariaDB refuses years < 1000).
 */
export const MIN_YEAR = 2000
export const MAX_YEAR = 2099

function inRange(at: DateTime) {
  return at.isValid && at.year >= MIN_YEAR && at.year <= MAX_YEAR
}

/** Parses `YYYY-MM-DD` as a Beijing date; null when invalid or outside MIN_YEAR..MAX_YEAR. */
export function beijingDay(value: string | null | undefined) {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null
  const day = DateTime.fromISO(value, { zone: DUTY_ZONE })
  return inRange(day) ? day.startOf('day') : null
}

/** Parses a `YYYY-MM` month as its first day in Beijing; null when invalid or out of range. */
export function beijingMonth(value: unknown) {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}$/.test(value)) return null
  const first = DateTime.fromISO(`${value}-01`, { zone: DUTY_ZONE })
  return inRange(first) ? first : null
}

/**
 * Parses a `datetime-local` value (`YYYY-MM-DDTHH:mm`) as Beijing time; null when it is no
 * real moment (2026-02-30) or outside MIN_YEAR..MAX_YEAR.
 */
export function beijingDateTime(value: string | null | undefined) {
  if (!value) return null
  const at = DateTime.fromISO(value, { zone: DUTY_ZONE })
  return inRange(at) ? at : null
}
