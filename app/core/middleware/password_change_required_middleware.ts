import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

const ALLOWED = new Set(['/account/password', '/logout', '/locale'])

/**
 * After the sysadmin resets a password (or creates the account), the user
 * must choose their own before doing anything else.
 */
export default class PasswordChangeRequiredMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const user = ctx.auth.user
    if (user?.mustChangePassword && !ALLOWED.has(ctx.request.url())) {
      if (ctx.request.url().startsWith('/api/')) return next()
      ctx.session.flash('warning', ctx.i18n.t('messages.auth.must_change'))
      return ctx.response.redirect('/account/password')
    }
    return next()
  }
}
