/**
 * Filters of every list page. An HTML filter form sends every field, empty ones as `x=` (全部, an
 * empty 年度 or date); an empty field means "no filter", exactly as if the URL left it out. A
 * field whose value is invalid gets its own message next to it while the other filters still
 * apply, instead of the whole request being refused.
 */
import vine, { errors as vineErrors } from '@vinejs/vine'
import type { MessagesProviderContact } from '@vinejs/vine/types'
import type { HttpContext } from '@adonisjs/core/http'
import { number } from '#core/validation'

export type FilterErrors = Record<string, string>

/** What a list controller gets back: the valid filters, one message per refused field, the raw values. */
export interface ListFilters<T> {
  filters: T
  errors: FilterErrors
  /** The query string without empty and refused fields, for pagination and CSV links. */
  query: Record<string, string | string[]>
  /** The non-empty values as typed, to show again in the form (refused ones included). */
  values: Record<string, string | string[]>
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && !value.trim())
}

/** The query string without empty fields (and without empty entries of repeated fields). */
export function compactQuery(qs: Record<string, unknown>): Record<string, any> {
  const result: Record<string, any> = {}
  for (const [key, value] of Object.entries(qs)) {
    if (Array.isArray(value)) {
      const kept = value.filter((item) => !isBlank(item))
      if (kept.length > 0) result[key] = kept
    } else if (!isBlank(value)) {
      result[key] = value
    }
  }
  return result
}

/** A `vine.create(...)` validator without metadata. */
interface FilterValidator<T> {
  validate(data: unknown, options: { messagesProvider: MessagesProviderContact }): Promise<T>
}

/** Lists without filters still validate their page number like every other list. */
export const pageValidator = vine.create({
  page: number().withoutDecimals().min(1).max(100000).optional(),
})

type ValidationMessage = { field: string; message: string }

/**
 * Validates list filters from the query string: empty fields are dropped first; a refused field
 * is reported in `errors` and left out, and the rest is validated again, so one bad value never
 * throws the whole list away.
 */
export async function validateFilters<T>(
  ctx: Pick<HttpContext, 'request' | 'i18n'>,
  validator: FilterValidator<T>,
  options: { messagesProvider?: MessagesProviderContact } = {}
): Promise<ListFilters<T>> {
  const values = compactQuery(ctx.request.qs())
  const input = { ...values }
  const errors: FilterErrors = {}
  const provider = options.messagesProvider ?? ctx.i18n.createMessagesProvider()
  for (;;) {
    try {
      const filters = await validator.validate(input, { messagesProvider: provider })
      const query = { ...input }
      delete query.page
      return { filters, errors, query, values }
    } catch (error) {
      if (!(error instanceof vineErrors.E_VALIDATION_ERROR)) throw error
      const refused = (error.messages as ValidationMessage[])
        .map((message) => ({ ...message, field: message.field.split('.')[0] }))
        .filter((message) => message.field in input)
      if (refused.length === 0) throw error
      for (const { field, message } of refused) {
        errors[field] ??= message
        delete input[field]
      }
    }
  }
}
