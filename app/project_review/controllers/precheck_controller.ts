import type { HttpContext } from '@adonisjs/core/http'
import Project from '#project_review/models/project'
import ProjectPolicy from '#project_review/policies/project_policy'
import precheck from '#project_review/services/precheck'
import { reviewActorFrom } from '#project_review/services/actor'
import {
  acceptValidator,
  reasonValidator,
  returnValidator,
} from '#project_review/validators/review_validators'
import { reviewMessages } from '#project_review/validators/messages_provider'
import { lines } from '#project_review/validators/rules'

/** 形式审查: accept, return for correction with itemised reasons, or reject. */
export default class PrecheckController {
  async accept(ctx: HttpContext) {
    const project = await this.authorized(ctx)
    const { comment } = await ctx.request.validateUsing(acceptValidator, reviewMessages(ctx))
    await precheck.accept(project.id, reviewActorFrom(ctx), comment)
    return this.done(ctx, project, 'review.precheck.accepted')
  }

  async return(ctx: HttpContext) {
    const project = await this.authorized(ctx)
    const { reasons } = await ctx.request.validateUsing(returnValidator, reviewMessages(ctx))
    await precheck.returnForCorrection(project.id, lines(reasons), reviewActorFrom(ctx))
    return this.done(ctx, project, 'review.precheck.returned')
  }

  async reject(ctx: HttpContext) {
    const project = await this.authorized(ctx)
    const { reason } = await ctx.request.validateUsing(reasonValidator, reviewMessages(ctx))
    await precheck.reject(project.id, reason, reviewActorFrom(ctx))
    return this.done(ctx, project, 'review.precheck.rejected')
  }

  protected async authorized({ params, bouncer }: HttpContext) {
    const project = await Project.findOrFail(params.id)
    await bouncer.with(ProjectPolicy).authorize('review')
    return project
  }

  protected done({ session, response, i18n }: HttpContext, project: Project, key: string) {
    session.flash('success', i18n.t(key, { title: project.title }))
    return response.redirect(`/review/projects/${project.id}`)
  }
}
