import { configProvider } from '@adonisjs/core'
import type { ConfigProvider } from '@adonisjs/core/types'
import type { FormatterFactory, TranslationsFormatterContract } from '@adonisjs/i18n/types'

/** Distinct (locale, message) outputs kept; the language files hold a few thousand messages. */
const MAX_ENTRIES = 10_000

/**
 * Wraps a translations formatter so that a message is formatted once per locale (and per
 * data, when its values are small).
 * The ICU formatter parses the message on every call, and a page shows dozens of labels (menu,
 * filters, states, headings): parsing them again for every request was a tenth of its CPU.
 */
export class MemoFormatter implements TranslationsFormatterContract {
  readonly name: string
  #outputs = new Map<string, string>()

  constructor(private inner: TranslationsFormatterContract) {
    this.name = inner.name
  }

  format(message: string, locale: string, data?: Record<string, any>): string {
    let key = `${locale}\u0000${message}`
    if (data && Object.keys(data).length > 0) {
      // small values (a count, a day, a month) repeat from page to page: kept too; anything
      // else (dates, objects, long texts) is formatted every time
      const values = Object.values(data)
      const small = values.every(
        (value) =>
          typeof value === 'number' ||
          typeof value === 'boolean' ||
          (typeof value === 'string' && value.length <= 64)
      )
      if (!small) return this.inner.format(message, locale, data)
      key += `\u0000${JSON.stringify(data)}`
    }
    let output = this.#outputs.get(key)
    if (output === undefined) {
      output = this.inner.format(message, locale, data)
      if (this.#outputs.size >= MAX_ENTRIES) this.#outputs.clear()
      this.#outputs.set(key, output)
    }
    return output
  }
}

/** `formatter: memoized(formatters.icu())` in config/i18n.ts. */
export function memoized(
  formatter: FormatterFactory | ConfigProvider<FormatterFactory>
): ConfigProvider<FormatterFactory> {
  return configProvider.create(async (app) => {
    const factory = typeof formatter === 'function' ? formatter : await formatter.resolver(app)
    return (config) => new MemoFormatter(factory(config))
  })
}
