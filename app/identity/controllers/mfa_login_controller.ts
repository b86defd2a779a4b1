import type { HttpContext } from '@adonisjs/core/http'
import limiter from '@adonisjs/limiter/services/main'
import User from '#identity/models/user'
import loginService from '#identity/services/login_service'
import secondFactor from '#identity/services/second_factor'
import SessionController, { MFA_PENDING_KEY } from '#identity/controllers/session_controller'
import { mfaCodeValidator } from '#identity/validators/auth_validators'
import audit from '#core/audit/audit_service'

/** How long a correct password waits for its second factor. */
const PENDING_MS = 5 * 60_000
/** Wrong codes before the password must be entered again (and the user is held for the window). */
const MAX_CODE_FAILURES = 5

/** The second login step: a TOTP code or a recovery code. */
export default class MfaLoginController {
  protected async pendingUser(ctx: HttpContext) {
    const pending = ctx.session.get(MFA_PENDING_KEY) as { userId: number; at: number } | undefined
    if (!pending || Date.now() - pending.at > PENDING_MS) return null
    const user = await User.query().where('id', pending.userId).preload('roleRows').first()
    return user?.isActive && user.hasSecondFactor ? user : null
  }

  protected restart(ctx: HttpContext, messageKey: string, data?: Record<string, unknown>) {
    ctx.session.forget(MFA_PENDING_KEY)
    ctx.session.flash('error', ctx.i18n.t(messageKey, data))
    return ctx.response.redirect('/login')
  }

  async create(ctx: HttpContext) {
    if (!(await this.pendingUser(ctx))) return this.restart(ctx, 'identity.mfa.login_expired')
    return ctx.view.render('pages/auth/mfa')
  }

  async store(ctx: HttpContext) {
    const { request, response, session, i18n } = ctx
    const user = await this.pendingUser(ctx)
    if (!user) return this.restart(ctx, 'identity.mfa.login_expired')
    const { code } = await request.validateUsing(mfaCodeValidator)
    const actor = { ip: request.ip(), actorId: user.id, actorName: user.username }

    const codes = limiter.use({ requests: MAX_CODE_FAILURES, duration: '15 mins' })
    const key = `login_mfa:${user.id}`
    let remaining: number
    try {
      const consumed = await codes.consume(key)
      remaining = consumed.remaining
    } catch {
      await audit.record({
        ...actor,
        action: 'auth.mfa',
        outcome: 'failure',
        targetType: 'user',
        targetId: user.id,
        details: { reason: 'locked' },
      })
      return this.restart(ctx, 'messages.auth.locked', { minutes: 15 })
    }

    const method = await secondFactor.verify(user, code)
    if (!method) {
      await audit.record({
        ...actor,
        action: 'auth.mfa',
        outcome: 'failure',
        targetType: 'user',
        targetId: user.id,
        details: { reason: 'bad_code' },
      })
      if (remaining <= 0) return this.restart(ctx, 'messages.auth.locked', { minutes: 15 })
      session.flash('error', i18n.t('identity.mfa.bad_code'))
      return response.redirect('/login/verify')
    }
    await codes.delete(key)
    await loginService.succeeded(user, { ip: request.ip() }, { secondFactor: method })
    if (method === 'recovery') {
      const left = await secondFactor.unusedRecoveryCodes(user.id)
      session.flash('warning', i18n.t('identity.mfa.recovery_used', { left }))
    }
    return SessionController.complete(ctx, user)
  }
}
