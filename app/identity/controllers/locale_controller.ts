import type { HttpContext } from '@adonisjs/core/http'
import i18nManager from '@adonisjs/i18n/services/main'
import { LOCALE_COOKIE } from '#middleware/detect_user_locale_middleware'

/** Switches the interface language (zh-CN / en). */
export default class LocaleController {
  async update({ request, response }: HttpContext) {
    const wanted = String(request.input('locale', ''))
    const locale = i18nManager.getSupportedLocaleFor([wanted]) ?? i18nManager.defaultLocale
    response.plainCookie(LOCALE_COOKIE, locale, {
      encode: false,
      maxAge: '365d',
      httpOnly: true,
      sameSite: 'lax',
    })
    return response.redirect().back()
  }
}
