import { DateTime } from 'luxon'
import { formatYuan } from '#core/money'

/** Documents show time as the bureau reads it. */
export const PDF_ZONE = 'Asia/Shanghai'

/** A UTC instant shown in Asia/Shanghai ("2026-03-05 14:30"); empty for none. */
export function pdfDateTime(
  value: DateTime | Date | null | undefined,
  format = 'yyyy-MM-dd HH:mm'
) {
  if (!value) return ''
  const dt = value instanceof DateTime ? value : DateTime.fromJSDate(value)
  return dt.isValid ? dt.setZone(PDF_ZONE).toFormat(format) : ''
}

/** A date in Asia/Shanghai written the Chinese way (2026年3月5日). */
export function pdfDate(value: DateTime | Date | null | undefined) {
  return pdfDateTime(value, "yyyy'年'M'月'd'日'")
}

/** Integer fen as 元 with two decimals ("1,234.56"). */
export function pdfYuan(fen: number | null | undefined) {
  return fen === null || fen === undefined ? '' : formatYuan(fen)
}

/** A rate in basis points as a percentage with two decimals ("25.10%"); empty for none. */
export function pdfRateBp(bp: number | null | undefined) {
  if (bp === null || bp === undefined) return ''
  const sign = bp < 0 ? '-' : ''
  const abs = Math.abs(bp)
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}%`
}
