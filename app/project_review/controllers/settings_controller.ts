import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import audit, { actorFrom } from '#core/audit/audit_service'
import { ATTACHMENT_KINDS } from '#project_review/models/project_attachment'
import SharedPlatform from '#project_review/models/shared_platform'
import ReviewAdminPolicy from '#project_review/policies/review_admin_policy'
import reviewSettings from '#project_review/services/review_settings'
import { platformValidator, settingsValidator } from '#project_review/validators/review_validators'
import { reviewMessages } from '#project_review/validators/messages_provider'

/** 评审设置 (sysadmin): thresholds, the score-sheet template, the shared-platform catalog. */
export default class SettingsController {
  async edit({ view, bouncer }: HttpContext) {
    await bouncer.with(ReviewAdminPolicy).authorize('manageSettings')
    return view.render('pages/review/settings/edit', {
      settings: await reviewSettings.get(),
      attachmentKinds: ATTACHMENT_KINDS,
      platforms: await SharedPlatform.query().orderBy('position'),
    })
  }

  async update(ctx: HttpContext) {
    const { request, response, session, bouncer, i18n } = ctx
    await bouncer.with(ReviewAdminPolicy).authorize('manageSettings')
    const payload = await request.validateUsing(settingsValidator, reviewMessages(ctx))
    const current = await reviewSettings.get()
    await reviewSettings.update(
      {
        similarityThreshold: payload.similarityThreshold,
        thresholds: { pass: payload.passThreshold, revise: payload.reviseThreshold },
        scoreTemplate: payload.criteria,
        requiredAttachments:
          request.input('requiredAttachments') === undefined
            ? current.requiredAttachments
            : (payload.requiredAttachments ?? []),
      },
      actorFrom(ctx)
    )
    session.flash('success', i18n.t('review.settings.saved'))
    return response.redirect('/review/settings')
  }

  async addPlatform(ctx: HttpContext) {
    const { request, response, session, bouncer, i18n } = ctx
    await bouncer.with(ReviewAdminPolicy).authorize('manageSettings')
    const { name } = await request.validateUsing(platformValidator, reviewMessages(ctx))
    await db.transaction(async (trx) => {
      const last = await SharedPlatform.query({ client: trx }).orderBy('position', 'desc').first()
      const platform = await SharedPlatform.create(
        { name, isActive: true, position: (last?.position ?? 0) + 1 },
        { client: trx }
      )
      await audit.record(
        {
          ...actorFrom(ctx),
          action: 'review.platform.create',
          targetType: 'shared_platform',
          targetId: platform.id,
          details: { name },
        },
        trx
      )
    })
    session.flash('success', i18n.t('review.settings.platform_added', { name }))
    return response.redirect('/review/settings#platforms')
  }

  async togglePlatform(ctx: HttpContext) {
    const { params, response, session, bouncer, i18n } = ctx
    await bouncer.with(ReviewAdminPolicy).authorize('manageSettings')
    const platform = await SharedPlatform.findOrFail(params.id)
    await db.transaction(async (trx) => {
      platform.useTransaction(trx)
      platform.isActive = !platform.isActive
      await platform.save()
      await audit.record(
        {
          ...actorFrom(ctx),
          action: platform.isActive ? 'review.platform.enable' : 'review.platform.disable',
          targetType: 'shared_platform',
          targetId: platform.id,
          details: { name: platform.name },
        },
        trx
      )
    })
    session.flash('success', i18n.t('review.settings.platform_toggled', { name: platform.name }))
    return response.redirect('/review/settings#platforms')
  }
}
