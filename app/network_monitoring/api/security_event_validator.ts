import { setImmediate as nextTurn } from 'node:timers/promises'
import vine, { errors as vineErrors } from '@vinejs/vine'
import type { Infer, ValidationOptions } from '@vinejs/vine/types'
import type { FieldContext } from '@vinejs/vine/types'
import { ipAddress, multiLine, singleLine } from '#core/validation'
import { MAX_EVENTS_PER_REQUEST } from '#network_monitoring/api/push_settings'

/** ISO 8601 date and time with seconds optional and a UTC offset required (`Z` or `+08:00`). */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/

const PARTS =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):?(\d{2}))$/

/**
 * The instant (epoch ms) of an ISO 8601 time with offset, or null when that date and time does
 * not exist (2026-02-30, 25:00, an offset beyond ±14:00). Without luxon: this runs for every
 * pushed event (500 a request), and DateTime.fromISO cost more than the rest of the check.
 */
export function instantOf(text: string): number | null {
  const m = PARTS.exec(text)
  if (!m) return null
  const [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map((i) => Number(m[i]))
  const second = m[6] === undefined ? 0 : Number(m[6])
  const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3))
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null
  const at = new Date(0)
  at.setUTCFullYear(year, month - 1, day)
  if (at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day) return null
  at.setUTCHours(hour, minute, second, millis)
  if (m[8] === undefined) return at.getTime()
  const offsetHours = Number(m[9])
  const offsetMinutes = Number(m[10])
  // real UTC offsets lie within ±14:00
  if (offsetMinutes > 59 || offsetHours * 60 + offsetMinutes > 14 * 60) return null
  const offset = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes)
  return at.getTime() - offset * 60_000
}

/** How far ahead of our clock an event time may be (the sender's clock may run fast). */
export const FUTURE_TOLERANCE_HOURS = 24

/** Event times before this are a sender's broken clock (and year 1 does not fit a MySQL DATETIME). */
export const EARLIEST_EVENT_MS = Date.UTC(2000, 0, 1)

/** More fields than any real event has: refused before the field-by-field check. */
export const MAX_FIELDS_PER_EVENT = 32

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
  const at = instantOf(value)
  if (at === null) {
    field.report('The {{ field }} field is not a real date and time', 'isoInstant', field)
  } else if (at > Date.now() + FUTURE_TOLERANCE_HOURS * 3_600_000) {
    field.report('The {{ field }} field lies in the future', 'futureInstant', field)
  } else if (at < EARLIEST_EVENT_MS) {
    field.report('The {{ field }} field lies before 2000', 'pastInstant', field)
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

/** The envelope alone: 1 to 500 entries; each entry is checked by the chunk validator below. */
const envelopeValidator = vine.create({
  events: vine.array(vine.any()).minLength(1).maxLength(MAX_EVENTS_PER_REQUEST),
})
const chunkValidator = vine.create({ events: vine.array(event) })

/** Events validated between two turns of the event loop. */
const VALIDATION_CHUNK = 100

type Options = Omit<ValidationOptions<Record<string, unknown>>, 'meta'>

/**
 * Validates `{ events: [...] }` as securityEventsValidator does (same messages, same
 * `events.N.field` paths), in chunks of VALIDATION_CHUNK events with a turn of the event loop
 * between two, so a 500-event request never blocks other requests for its whole validation.
 */
export async function validateSecurityEvents(
  payload: unknown,
  options: Options
): Promise<SecurityEventInput[]> {
  const { events: raw } = (await envelopeValidator.validate(payload, options)) as {
    events: unknown[]
  }
  const valid: SecurityEventInput[] = []
  const messages: Array<{ field: string; index?: number }> = []
  for (let offset = 0; offset < raw.length; offset += VALIDATION_CHUNK) {
    if (offset > 0) await nextTurn()
    try {
      const { events } = await chunkValidator.validate(
        { events: raw.slice(offset, offset + VALIDATION_CHUNK) },
        options
      )
      valid.push(...events)
    } catch (error) {
      if (!(error instanceof vineErrors.E_VALIDATION_ERROR)) throw error
      for (const message of error.messages as Array<{ field: string; index?: number }>) {
        messages.push({
          ...message,
          field: message.field.replace(/^events\.(\d+)/, (_, n) => `events.${offset + Number(n)}`),
          ...(message.index === undefined ? {} : { index: offset + message.index }),
        })
      }
    }
  }
  if (messages.length > 0) throw new vineErrors.E_VALIDATION_ERROR(messages)
  return valid
}

/** The 1 … 5 severity of a validated event's `severity`, or null. */
export function severityOf(value: string | undefined): number | null {
  if (value === undefined) return null
  return SEVERITY_WORDS[value] ?? Number(value)
}
