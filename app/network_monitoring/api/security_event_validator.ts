import vine from '@vinejs/vine'
import type { Infer } from '@vinejs/vine/types'
import { DateTime } from 'luxon'
import type { FieldContext } from '@vinejs/vine/types'
import { ipAddress, multiLine, singleLine } from '#core/validation'
import { MAX_EVENTS_PER_REQUEST } from '#network_monitoring/api/push_settings'

/** ISO 8601 date and time with seconds optional and a UTC offset required (`Z` or `+08:00`). */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/

/** How far ahead of our clock an event time may be (the sender's clock may run fast). */
export const FUTURE_TOLERANCE_HOURS = 24

/** Severity words senders use, on a 1 (info) … 5 (critical) scale. */
export const SEVERITY_WORDS: Record<string, number> = {
  info: 1,
  informational: 1,
  提示: 1,
  信息: 1,
  low: 2,
  低: 2,
  低危: 2,
  medium: 3,
  中: 3,
  中危: 3,
  high: 4,
  高: 4,
  高危: 4,
  critical: 5,
  严重: 5,
  危急: 5,
}

/** Refuses a time that does not exist (2026-02-30) or lies further ahead than the tolerance. */
const realInstant = vine.createRule((value: unknown, _options: undefined, field: FieldContext) => {
  if (typeof value !== 'string' || !ISO_WITH_OFFSET.test(value)) return
  const at = DateTime.fromISO(value, { setZone: true })
  if (!at.isValid) {
    field.report('The {{ field }} field is not a real date and time', 'isoInstant', field)
  } else if (at.toMillis() > Date.now() + FUTURE_TOLERANCE_HOURS * 3_600_000) {
    field.report('The {{ field }} field lies in the future', 'futureInstant', field)
  }
})

const event = vine.object({
  eventId: singleLine()
    .parse((value) => (typeof value === 'number' ? String(value) : value))
    .minLength(1)
    .maxLength(128),
  time: singleLine().regex(ISO_WITH_OFFSET).use(realInstant()),
  source: singleLine().minLength(1).maxLength(64),
  type: singleLine().maxLength(100).optional().requiredIfMissing('category'),
  category: singleLine().maxLength(100).optional(),
  severity: vine
    .enum(['1', '2', '3', '4', '5', ...Object.keys(SEVERITY_WORDS)])
    .parse((value) =>
      typeof value === 'number'
        ? String(value)
        : typeof value === 'string'
          ? value.trim().toLowerCase()
          : value
    )
    .optional(),
  srcIp: ipAddress().optional(),
  dstIp: ipAddress().optional(),
  device: singleLine().maxLength(100).optional(),
  description: multiLine().maxLength(2000).optional(),
})

/** `{ events: [...] }`, 1 to 500 events, each checked field by field. */
export const securityEventsValidator = vine.create({
  events: vine.array(event).minLength(1).maxLength(MAX_EVENTS_PER_REQUEST),
})

export type SecurityEventInput = Infer<typeof event>

/** The 1 … 5 severity of a validated event's `severity`, or null. */
export function severityOf(value: string | undefined): number | null {
  if (value === undefined) return null
  return SEVERITY_WORDS[value] ?? Number(value)
}
