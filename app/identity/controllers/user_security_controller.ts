import type { HttpContext } from '@adonisjs/core/http'
import User from '#identity/models/user'
import MfaResetRequest from '#identity/models/mfa_reset_request'
import AdminPolicy from '#identity/policies/admin_policy'
import sessionRegistry from '#identity/services/session_registry'
import mfaReset, { MfaResetError } from '#identity/services/mfa_reset_service'
import { mfaResetRequestValidator } from '#identity/validators/admin_validators'
import audit, { actorFrom } from '#core/audit/audit_service'

/** The sysadmin's view of one user's sessions and second factor (账户安全). */
export default class UserSecurityController {
  async show({ params, view, bouncer, auth }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('manageUsers')
    const user = await User.query().where('id', params.id).preload('roleRows').firstOrFail()
    return view.render('pages/admin/users/security', {
      user,
      sessions: await sessionRegistry.list(user.id),
      pending: await mfaReset.pendingFor(user.id),
      me: auth.getUserOrFail(),
    })
  }

  async endSessions(ctx: HttpContext) {
    const { params, response, session, bouncer, i18n } = ctx
    await bouncer.with(AdminPolicy).authorize('manageUsers')
    const user = await User.findOrFail(params.id)
    const count = await sessionRegistry.endAll(user.id)
    await audit.record({
      ...actorFrom(ctx),
      action: 'auth.session_end',
      targetType: 'user',
      targetId: user.id,
      details: { username: user.username, count },
    })
    session.flash(
      'success',
      i18n.t('identity.sessions.ended_for', { username: user.username, count })
    )
    return response.redirect().back()
  }

  async requestMfaReset(ctx: HttpContext) {
    const { params, request, response, session, bouncer, i18n, auth } = ctx
    await bouncer.with(AdminPolicy).authorize('manageUsers')
    const user = await User.query().where('id', params.id).preload('roleRows').firstOrFail()
    const { reason } = await request.validateUsing(mfaResetRequestValidator)
    try {
      await mfaReset.request(user, reason, auth.getUserOrFail(), actorFrom(ctx))
    } catch (error) {
      if (!(error instanceof MfaResetError)) throw error
      session.flash('error', i18n.t(error.i18nKey))
      return response.redirect().back()
    }
    session.flash('success', i18n.t('identity.mfa_reset.requested', { username: user.username }))
    return response.redirect().back()
  }

  async decideMfaReset(ctx: HttpContext) {
    const { params, request, response, session, bouncer, i18n, auth } = ctx
    await bouncer.with(AdminPolicy).authorize('manageUsers')
    const resetRequest = await MfaResetRequest.findOrFail(params.requestId)
    const approve = request.input('decision') === 'approve'
    try {
      await mfaReset.decide(resetRequest, approve, auth.getUserOrFail(), actorFrom(ctx))
    } catch (error) {
      if (!(error instanceof MfaResetError)) throw error
      session.flash('error', i18n.t(error.i18nKey))
      return response.redirect().back()
    }
    session.flash(
      'success',
      i18n.t(approve ? 'identity.mfa_reset.approved' : 'identity.mfa_reset.rejected')
    )
    return response.redirect().back()
  }
}
