import { DateTime } from 'luxon'
import hash from '@adonisjs/core/services/hash'
import db from '@adonisjs/lucid/services/db'
import type { HttpContext } from '@adonisjs/core/http'
import { changePasswordValidator } from '#identity/validators/auth_validators'
import audit, { actorFrom } from '#core/audit/audit_service'
import sessionRegistry from '#identity/services/session_registry'

/** A user changes their own password. */
export default class PasswordController {
  async edit({ view, bouncer }: HttpContext) {
    await bouncer.authorize('changeOwnPassword')
    return view.render('pages/account/password')
  }

  async update(ctx: HttpContext) {
    const { request, response, session, auth, bouncer, i18n } = ctx
    await bouncer.authorize('changeOwnPassword')
    const user = auth.getUserOrFail()
    const payload = await request.validateUsing(changePasswordValidator, {
      meta: { username: user.username },
    })

    if (!(await hash.verify(user.password, payload.currentPassword))) {
      await audit.record({
        ...actorFrom(ctx),
        action: 'user.change_password',
        outcome: 'failure',
        targetType: 'user',
        targetId: user.id,
        details: { reason: 'bad_current_password' },
      })
      session.flash('errorsBag', {})
      session.flash('inputErrorsBag', {
        currentPassword: [i18n.t('messages.password.current_wrong')],
      })
      return response.redirect().back()
    }
    if (await hash.verify(user.password, payload.newPassword)) {
      session.flash('inputErrorsBag', { newPassword: [i18n.t('messages.password.same_as_old')] })
      return response.redirect().back()
    }

    await db.transaction(async (trx) => {
      user.useTransaction(trx)
      user.password = payload.newPassword
      user.mustChangePassword = false
      user.passwordChangedAt = DateTime.utc()
      await user.save()
      await audit.record(
        {
          ...actorFrom(ctx),
          action: 'user.change_password',
          targetType: 'user',
          targetId: user.id,
        },
        trx
      )
    })
    // Every other session of this user ends: a stolen cookie dies with the old password.
    await sessionRegistry.endAll(user.id, session.sessionId)
    session.flash('success', i18n.t('messages.password.changed'))
    return response.redirect('/')
  }
}
