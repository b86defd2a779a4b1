import type { HttpContext } from '@adonisjs/core/http'
import loginService from '#identity/services/login_service'
import sessionRegistry from '#identity/services/session_registry'
import type User from '#identity/models/user'
import { loginValidator } from '#identity/validators/auth_validators'
import audit, { actorFrom } from '#core/audit/audit_service'
import { LAST_SEEN_KEY } from '#middleware/idle_timeout_middleware'
import { returnPath } from '#core/http_helpers'

/** Set between a correct password and the second factor: who, and since when. */
export const MFA_PENDING_KEY = 'mfaPending'

/** Login (password, then the second factor when enrolled) and logout. */
export default class SessionController {
  async create({ view }: HttpContext) {
    return view.render('pages/auth/login')
  }

  async store(ctx: HttpContext) {
    const { request, response, session, i18n } = ctx
    const { username, password } = await request.validateUsing(loginValidator)
    const result = await loginService.attempt(username, password, { ip: request.ip() })

    if (!result.ok) {
      const message =
        result.reason === 'locked'
          ? i18n.t('messages.auth.locked', { minutes: result.minutes })
          : i18n.t(`messages.auth.${result.reason}`)
      session.flashOnly(['username'])
      session.flash('error', message)
      return response.redirect('/login')
    }

    if (result.user.hasSecondFactor) {
      session.regenerate()
      session.put(MFA_PENDING_KEY, { userId: result.user.id, at: Date.now() })
      return response.redirect('/login/verify')
    }
    await loginService.succeeded(result.user, { ip: request.ip() })
    return SessionController.complete(ctx, result.user)
  }

  /** Logs the user in (a fresh session id), tags the session with its device, welcomes them. */
  static async complete(ctx: HttpContext, user: User) {
    const { auth, session, i18n, response } = ctx
    session.forget(MFA_PENDING_KEY)
    await auth.use('web').login(user)
    session.put(LAST_SEEN_KEY, Date.now())
    await sessionRegistry.begin(ctx, user.id)
    session.flash('success', i18n.t('messages.auth.welcome', { name: user.fullName }))
    return response.redirect(returnPath(session.pullIntendedUrl()))
  }

  async destroy(ctx: HttpContext) {
    const { auth, response, session, i18n } = ctx
    await audit.record({
      ...actorFrom(ctx),
      action: 'auth.logout',
      targetType: 'user',
      targetId: auth.user?.id,
    })
    await auth.use('web').logout()
    // A new id and no data: the old session is deleted from the store, so a copy of the cookie is worthless.
    session.clear()
    session.regenerate()
    session.flash('success', i18n.t('messages.auth.logged_out'))
    return response.redirect('/login')
  }
}
