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

/** Parses `YYYY-MM-DD` as a Beijing date; null when invalid. */
export function beijingDay(value: string | null | undefined) {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null
  const day = DateTime.fromISO(value, { zone: DUTY_ZONE })
  return day.isValid ? day.startOf('day') : null
}

/** Parses a `datetime-local` value (`YYYY-MM-DDTHH:mm`) as Beijing time. */
export function beijingDateTime(value: string | null | undefined) {
  if (!value) return null
  const at = DateTime.fromISO(value, { zone: DUTY_ZONE })
  return at.isValid ? at : null
}
