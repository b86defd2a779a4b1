/**
 * Edge globals: time shown in Asia/Shanghai, the bureau's name, the navigation.
 */
import edge from 'edge.js'
import { DateTime } from 'luxon'
import { bureauName } from '#config/app'
import { navigationFor } from '#core/navigation'

export const DISPLAY_ZONE = 'Asia/Shanghai'

/** Formats a UTC instant (DateTime, Date, ISO string) in Asia/Shanghai. */
export function formatDateTime(
  value: DateTime | Date | string | null | undefined,
  format = 'yyyy-MM-dd HH:mm:ss'
) {
  if (!value) return ''
  const dt =
    value instanceof DateTime
      ? value
      : value instanceof Date
        ? DateTime.fromJSDate(value)
        : DateTime.fromISO(value, { zone: 'utc' })
  return dt.isValid ? dt.setZone(DISPLAY_ZONE).toFormat(format) : ''
}

edge.global('formatDateTime', formatDateTime)
edge.global('bureauName', bureauName)
edge.global('navigationFor', navigationFor)
