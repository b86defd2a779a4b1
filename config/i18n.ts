import app from '@adonisjs/core/services/app'
import { defineConfig, formatters, loaders } from '@adonisjs/i18n'
import { memoized } from '#core/i18n/memo_formatter'

/** zh-CN first; English is the second locale, chosen by the user (cookie) or the browser. */
const i18nConfig = defineConfig({
  defaultLocale: 'zh-CN',
  supportedLocales: ['zh-CN', 'en'],
  fallbackLocales: { en: 'zh-CN' },
  // labels without data are formatted once per locale, not once per request
  formatter: memoized(formatters.icu()),
  loaders: [loaders.fs({ location: app.languageFilesPath() })],
})

export default i18nConfig
