/**
 * Field builders every validator uses instead of bare `vine.string()` / `vine.number()`:
 * single-line text refuses control and bidi-override characters, multi-line text refuses them
 * except line breaks and tabs, and numbers accept only plain decimal digits (full-width digits
 * folded) — never "1e2", "0x10" or " 12abc".
 */
import vine from '@vinejs/vine'
import type { FieldContext } from '@vinejs/vine/types'
import { canonicalIp } from '#core/ip_address'

/**
 * C0 and C1 controls, DEL, the bidi marks, embeddings, overrides and isolates, and the Unicode
 * line/paragraph separators: invisible, or able to make `报告\u202Efdp.exe` read as `报告exe.pdf`.
 */
/* eslint-disable no-control-regex -- matching control characters is the point */
const FORBIDDEN_IN_LINE =
  /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/
/** The same, but a textarea may hold line breaks and tabs. */
const FORBIDDEN_IN_TEXT =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/
/* eslint-enable no-control-regex */

/** True when single-line text holds a character a user cannot see or that reorders the text. */
export function hasForbiddenCharacters(value: string, multiline = false): boolean {
  return (multiline ? FORBIDDEN_IN_TEXT : FORBIDDEN_IN_LINE).test(value)
}

/** Removes control and bidi characters (for names that are sanitised rather than refused). */
export function stripForbiddenCharacters(value: string): string {
  return value.replace(new RegExp(FORBIDDEN_IN_LINE.source, 'g'), '')
}

/**
 * The name of an uploaded file as it is stored and shown: without control and bidi characters
 * (`报告\u202Efdp.exe` is kept as `报告fdp.exe`, its true order), without directories, at most 200
 * characters, never empty.
 */
export function uploadName(clientName: string | null | undefined, fallback: string): string {
  const name = stripForbiddenCharacters(clientName ?? '')
    .split(/[\\/]/)
    .pop()!
    .trim()
    .slice(-200)
  return name || fallback
}

/** Vine rule: refuses control and bidi-override characters (rule name `controlCharacters`). */
export const noControlCharacters = vine.createRule(
  (value: unknown, options: { multiline: boolean }, field: FieldContext) => {
    if (typeof value !== 'string') return
    if (hasForbiddenCharacters(value, options.multiline)) {
      field.report(
        'The {{ field }} field must not contain control characters',
        'controlCharacters',
        field
      )
    }
  }
)

/** Single-line text (names, titles, search boxes): trimmed, no control or bidi characters. */
export function singleLine() {
  return vine
    .string()
    .use(noControlCharacters({ multiline: false }))
    .trim()
}

/** Multi-line text (textareas): trimmed, line breaks and tabs allowed, other controls refused. */
export function multiLine() {
  return vine
    .string()
    .use(noControlCharacters({ multiline: true }))
    .trim()
}

const FULL_WIDTH = /[\uFF10-\uFF19\uFF0E\uFF0D]/g
const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/

/** Folds full-width digits, point and minus (０-９ ． －) to ASCII. */
export function foldDigits(value: string): string {
  return value.replace(FULL_WIDTH, (char) =>
    char === '\uFF0E' ? '.' : char === '\uFF0D' ? '-' : String(char.charCodeAt(0) - 0xff10)
  )
}

/**
 * What a number field gets before VineJS converts it: plain decimal text passes, empty text is
 * "not given", anything else (exponents, hex, arrays, booleans) becomes NaN so the `number` rule
 * refuses it.
 */
export function strictNumberInput(value: unknown): unknown {
  if (value === null || value === undefined) return value
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN
  if (typeof value !== 'string') return Number.NaN
  const folded = foldDigits(value).trim()
  if (folded === '') return undefined
  return PLAIN_DECIMAL.test(folded) ? folded : Number.NaN
}

/** A number typed as plain decimal digits; chain `.withoutDecimals()`, `.min()`… as usual. */
export function number() {
  return vine.number().parse(strictNumberInput)
}

/** Refuses an IPv6 zone index (`fe80::1%eth0`), which VineJS's ipAddress() lets through. */
const withoutZoneIndex = vine.createRule(
  (value: unknown, _options: undefined, field: FieldContext) => {
    if (typeof value === 'string' && value.includes('%')) {
      field.report('The {{ field }} field must be a valid IP address', 'ipAddress', field)
    }
  }
)

/** A management address, compared and stored in canonical form (`::ffff:127.0.0.1` is `127.0.0.1`). */
export function ipAddress() {
  return singleLine()
    .parse((value) => (typeof value === 'string' ? canonicalIp(value) : value))
    .ipAddress()
    .use(withoutZoneIndex())
}
