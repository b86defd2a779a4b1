import type { HttpContext } from '@adonisjs/core/http'
import secondFactor, { mfaPolicy } from '#identity/services/second_factor'
import { mfaCodeValidator } from '#identity/validators/auth_validators'
import { actorFrom } from '#core/audit/audit_service'

/** A user's own second factor (两步验证): status, enrolment with a QR code, recovery codes. */
export default class SecondFactorController {
  async show({ view, auth }: HttpContext) {
    const user = auth.getUserOrFail()
    return view.render('pages/account/mfa', {
      enrolled: user.hasSecondFactor,
      required: secondFactor.isRequired(user),
      enforced: mfaPolicy().enforced,
      unusedCodes: user.hasSecondFactor ? await secondFactor.unusedRecoveryCodes(user.id) : 0,
      enrolment: user.hasSecondFactor ? null : await secondFactor.pendingEnrolment(user),
    })
  }

  async start({ auth, response, session, i18n }: HttpContext) {
    const user = auth.getUserOrFail()
    if (user.hasSecondFactor) {
      session.flash('error', i18n.t('identity.mfa.already_enrolled'))
      return response.redirect('/account/mfa')
    }
    await secondFactor.beginEnrolment(user)
    return response.redirect('/account/mfa')
  }

  /**
   * Confirms enrolment. The recovery codes are rendered into this response
   * (never flashed into the session) and not stored in clear anywhere.
   */
  async confirm(ctx: HttpContext) {
    const { auth, request, response, session, i18n, view } = ctx
    const user = auth.getUserOrFail()
    if (user.hasSecondFactor) return response.redirect('/account/mfa')
    const { code } = await request.validateUsing(mfaCodeValidator)
    const codes = await secondFactor.confirmEnrolment(user, code, actorFrom(ctx))
    if (!codes) {
      session.flash('inputErrorsBag', { code: [i18n.t('identity.mfa.bad_code')] })
      return response.redirect('/account/mfa')
    }
    response.header('cache-control', 'no-store')
    return view.render('pages/account/mfa_codes', { codes })
  }
}
