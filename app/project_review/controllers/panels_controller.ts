import type { HttpContext } from '@adonisjs/core/http'
import Project from '#project_review/models/project'
import ScoreSheet from '#project_review/models/score_sheet'
import ProjectPolicy from '#project_review/policies/project_policy'
import panels from '#project_review/services/panels'
import sheets from '#project_review/services/sheets'
import decisions from '#project_review/services/decisions'
import { reviewActorFrom } from '#project_review/services/actor'
import { drawValidator, reasonValidator } from '#project_review/validators/review_validators'
import { reviewMessages } from '#project_review/validators/messages_provider'

/** The reviewer's panel actions: draw, return a sheet, close the panel. */
export default class PanelsController {
  async draw(ctx: HttpContext) {
    const { params, request, response, session, bouncer, i18n } = ctx
    const project = await Project.findOrFail(params.id)
    await bouncer.with(ProjectPolicy).authorize('review')
    const payload = await request.validateUsing(drawValidator, reviewMessages(ctx))
    const panel = await panels.draw(
      project.id,
      { ...payload, specialties: payload.specialties ?? [] },
      reviewActorFrom(ctx)
    )
    session.flash(
      'success',
      i18n.t('review.panel.drawn', {
        size: panel.result.panel.length,
        alternates: panel.result.alternates.length,
      })
    )
    return response.redirect(`/review/projects/${project.id}#panel`)
  }

  async returnSheet(ctx: HttpContext) {
    const { params, request, response, session, bouncer, i18n } = ctx
    const sheet = await ScoreSheet.query().where('id', params.id).preload('panel').firstOrFail()
    await bouncer.with(ProjectPolicy).authorize('review')
    const { reason } = await request.validateUsing(reasonValidator, reviewMessages(ctx))
    await sheets.returnSheet(sheet.id, reason, reviewActorFrom(ctx))
    session.flash('success', i18n.t('review.sheets.returned'))
    return response.redirect(`/review/projects/${sheet.panel.projectId}#panel`)
  }

  async close(ctx: HttpContext) {
    const { params, response, session, bouncer, i18n } = ctx
    const project = await Project.findOrFail(params.id)
    await bouncer.with(ProjectPolicy).authorize('review')
    const aggregation = await decisions.closePanel(project.id, reviewActorFrom(ctx))
    session.flash('success', i18n.t('review.panel.closed', { score: aggregation.score }))
    return response.redirect(`/review/projects/${project.id}#decision`)
  }
}
