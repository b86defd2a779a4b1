import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import secondFactor from '#identity/services/second_factor'

const ALLOWED = ['/account/mfa', '/account/password', '/logout', '/locale']

/**
 * Where the second factor is enforced (MFA_ENFORCE, on in production) a user
 * of a required role without one must enrol before doing anything else.
 * Runs after the password-change redirect, so a new user sets a password first.
 */
export default class MfaEnrolmentMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const user = ctx.auth.user
    const url = ctx.request.url()
    if (
      user &&
      !user.mustChangePassword &&
      !user.hasSecondFactor &&
      !url.startsWith('/api/') &&
      !ALLOWED.some((path) => url === path || url.startsWith(`${path}/`)) &&
      secondFactor.isRequired(user)
    ) {
      ctx.session.flash('warning', ctx.i18n.t('identity.mfa.must_enrol'))
      return ctx.response.redirect('/account/mfa')
    }
    return next()
  }
}
