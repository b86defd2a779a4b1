import type { HttpContext } from '@adonisjs/core/http'
import Project from '#project_review/models/project'
import ProjectPolicy from '#project_review/policies/project_policy'
import decisions from '#project_review/services/decisions'
import { reviewActorFrom } from '#project_review/services/actor'
import { approveValidator, declineValidator } from '#project_review/validators/review_validators'
import { reviewMessages } from '#project_review/validators/messages_provider'

/**
 * 批复立项 / 不予立项, each in two steps: the first POST validates everything (every refusal
 * next to its field) and shows a confirmation with the figures; only the confirmation's POST
 * (confirm=1) commits. 返回修改 (back=1) posts the same figures back to the form, so nothing
 * the reviewer typed is lost.
 */
export default class DecisionsController {
  async approve(ctx: HttpContext) {
    const { params, request, response, session, bouncer, i18n, view } = ctx
    const project = await Project.findOrFail(params.id)
    await bouncer.with(ProjectPolicy).authorize('review')
    if (request.input('back')) return this.backToForm(ctx, project)
    const payload = await request.validateUsing(approveValidator, reviewMessages(ctx))
    const lines = payload.items.map((item) => ({
      budgetItemId: item.budgetItemId,
      approved: item.approved,
      reason: item.reason,
    }))
    const actor = reviewActorFrom(ctx)
    if (!payload.confirm) {
      const preview = await decisions.previewApproval(project.id, lines, actor)
      return view.render('pages/review/decisions/confirm', {
        kind: 'approve',
        ...preview,
        comment: payload.comment ?? '',
      })
    }
    await decisions.approve(project.id, lines, payload.comment ?? null, actor)
    session.flash('success', i18n.t('review.decision.approved', { title: project.title }))
    return response.redirect(`/review/projects/${project.id}#decision`)
  }

  async decline(ctx: HttpContext) {
    const { params, request, response, session, bouncer, i18n, view } = ctx
    const project = await Project.findOrFail(params.id)
    await bouncer.with(ProjectPolicy).authorize('review')
    if (request.input('back')) return this.backToForm(ctx, project)
    const { reason, confirm } = await request.validateUsing(declineValidator, reviewMessages(ctx))
    const actor = reviewActorFrom(ctx)
    if (!confirm) {
      const declining = await decisions.previewDecline(project.id, reason, actor)
      return view.render('pages/review/decisions/confirm', {
        kind: 'decline',
        project: declining,
        reason,
      })
    }
    await decisions.decline(project.id, reason, actor)
    session.flash('success', i18n.t('review.decision.declined', { title: project.title }))
    return response.redirect(`/review/projects/${project.id}#decision`)
  }

  /** 返回修改: the decision form again, filled with what the confirmation page carried. */
  protected backToForm({ session, response }: HttpContext, project: Project) {
    session.flashOnly(['items', 'comment', 'reason'])
    return response.redirect(`/review/projects/${project.id}#decision`)
  }
}
