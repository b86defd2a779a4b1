import type { HttpContext } from '@adonisjs/core/http'
import sessionRegistry from '#identity/services/session_registry'
import audit, { actorFrom } from '#core/audit/audit_service'

/** 我的会话: a user sees where they are logged in and ends the other sessions. */
export default class AccountSessionsController {
  async index({ view, auth, session }: HttpContext) {
    const user = auth.getUserOrFail()
    const sessions = await sessionRegistry.list(user.id, session.sessionId)
    return view.render('pages/account/sessions', {
      sessions,
      hasOthers: sessions.some((s) => !s.current),
    })
  }

  async destroy(ctx: HttpContext) {
    const { auth, params, response, session, i18n } = ctx
    const user = auth.getUserOrFail()
    const ended = await sessionRegistry.end(user.id, String(params.handle))
    if (ended) {
      await audit.record({
        ...actorFrom(ctx),
        action: 'auth.session_end',
        targetType: 'user',
        targetId: user.id,
        details: { count: 1 },
      })
    }
    session.flash(
      ended ? 'success' : 'error',
      i18n.t(ended ? 'identity.sessions.ended' : 'identity.sessions.not_found')
    )
    return response.redirect('/account/sessions')
  }

  async destroyOthers(ctx: HttpContext) {
    const { auth, response, session, i18n } = ctx
    const user = auth.getUserOrFail()
    const count = await sessionRegistry.endAll(user.id, session.sessionId)
    await audit.record({
      ...actorFrom(ctx),
      action: 'auth.session_end',
      targetType: 'user',
      targetId: user.id,
      details: { count, others: true },
    })
    session.flash('success', i18n.t('identity.sessions.ended_others', { count }))
    return response.redirect('/account/sessions')
  }
}
