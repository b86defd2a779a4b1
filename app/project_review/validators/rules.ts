import vine from '@vinejs/vine'
import type { FieldContext } from '@vinejs/vine/types'
import { MoneyError, parseYuan } from '#core/money'
import { singleLine } from '#core/validation'

/** Refuses 元 text that parseYuan refuses, with the precise reason as the rule name. */
export const yuanRule = vine.createRule((value: unknown, _: undefined, field: FieldContext) => {
  if (typeof value !== 'string') return
  try {
    parseYuan(value)
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error
    field.report(`Invalid amount: ${error.reason}`, `money_${error.reason}`, field)
  }
})

/** An amount typed in 元 (up to 2 decimals, ≤ 10^10 元) that validates into integer fen. */
export function yuan() {
  return singleLine()
    .maxLength(20)
    .use(yuanRule())
    .transform((value) => parseYuan(value))
}

/**
 * Form arrays past qs' arrayLimit (20) arrive as objects keyed "21", "22" …; this turns them back
 * into an array in index order so long budget tables validate like short ones.
 */
export function asArray(value: unknown): unknown {
  if (value === null || value === undefined || value === '') return []
  if (Array.isArray(value)) return value
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
    if (!entries.some(([key]) => /^\d+$/.test(key))) return [value]
    return entries
      .filter(([key]) => /^\d+$/.test(key))
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, item]) => item)
  }
  return [value]
}

/** Query-string text: qs turns "a,b" into an array, which a search box should not see. */
export function asText(value: unknown): unknown {
  return Array.isArray(value) ? value.join(',') : value
}

/** Text lines of a textarea, one reason per non-empty line. */
export function lines(text: string | null | undefined): string[] {
  return (text ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
}
