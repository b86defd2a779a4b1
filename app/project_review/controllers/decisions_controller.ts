import type { HttpContext } from '@adonisjs/core/http'
import Project from '#project_review/models/project'
import ProjectPolicy from '#project_review/policies/project_policy'
import decisions from '#project_review/services/decisions'
import { reviewActorFrom } from '#project_review/services/actor'
import { approveValidator, reasonValidator } from '#project_review/validators/review_validators'
import { reviewMessages } from '#project_review/validators/messages_provider'

/** 批复立项 / 不予立项. */
export default class DecisionsController {
  async approve(ctx: HttpContext) {
    const { params, request, response, session, bouncer, i18n } = ctx
    const project = await Project.findOrFail(params.id)
    await bouncer.with(ProjectPolicy).authorize('review')
    const { items, comment } = await request.validateUsing(approveValidator, reviewMessages(ctx))
    await decisions.approve(
      project.id,
      items.map((item) => ({
        budgetItemId: item.budgetItemId,
        approved: item.approved,
        reason: item.reason,
      })),
      comment ?? null,
      reviewActorFrom(ctx)
    )
    session.flash('success', i18n.t('review.decision.approved', { title: project.title }))
    return response.redirect(`/review/projects/${project.id}#decision`)
  }

  async decline(ctx: HttpContext) {
    const { params, request, response, session, bouncer, i18n } = ctx
    const project = await Project.findOrFail(params.id)
    await bouncer.with(ProjectPolicy).authorize('review')
    const { reason } = await request.validateUsing(reasonValidator, reviewMessages(ctx))
    await decisions.decline(project.id, reason, reviewActorFrom(ctx))
    session.flash('success', i18n.t('review.decision.declined', { title: project.title }))
    return response.redirect(`/review/projects/${project.id}#decision`)
  }
}
