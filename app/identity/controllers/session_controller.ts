import type { HttpContext } from '@adonisjs/core/http'
import loginService from '#identity/services/login_service'
import { loginValidator } from '#identity/validators/auth_validators'
import audit, { actorFrom } from '#core/audit/audit_service'
import { LAST_SEEN_KEY } from '#middleware/idle_timeout_middleware'
import { returnPath } from '#core/http_helpers'

/** Login and logout. */
export default class SessionController {
  async create({ view }: HttpContext) {
    return view.render('pages/auth/login')
  }

  async store(ctx: HttpContext) {
    const { request, response, session, auth, i18n } = ctx
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

    await auth.use('web').login(result.user)
    session.regenerate()
    session.put(LAST_SEEN_KEY, Date.now())
    session.flash('success', i18n.t('messages.auth.welcome', { name: result.user.fullName }))
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
    session.forget(LAST_SEEN_KEY)
    session.flash('success', i18n.t('messages.auth.logged_out'))
    return response.redirect('/login')
  }
}
