import vine from '@vinejs/vine'
import type { HttpContext } from '@adonisjs/core/http'
import { DateTime } from 'luxon'
import Project from '#project_review/models/project'
import ProjectPolicy from '#project_review/policies/project_policy'
import { number } from '#core/validation'
import { compactQuery, validateFilters } from '#core/list_filters'
import { sendPdf } from '#core/pdf/documents'
import { PDF_ZONE } from '#core/pdf/format'
import { reviewMessages } from '#project_review/validators/messages_provider'
import { renderReviewOpinion } from '#project_review/reports/review_opinion'
import { renderDrawRecord } from '#project_review/reports/draw_record'
import { PANEL_PURPOSES } from '#project_review/models/review_panel'
import { renderAcceptanceOpinion } from '#project_review/reports/acceptance_opinion'
import { annualStatistics, renderAnnualStatistics } from '#project_review/reports/annual_statistics'

const purposeValidator = vine.create({
  purpose: vine.enum(PANEL_PURPOSES).optional(),
})

const yearValidator = vine.create({
  year: number().withoutDecimals().min(2000).max(2100).optional(),
})

/** PDF documents of the project review; each checks the same policy as the page it belongs to. */
export default class ReviewReportsController {
  /** 评审意见书: whoever may see the project; expert names only for reviewers. */
  async opinion(ctx: HttpContext) {
    const { params, bouncer, response, i18n } = ctx
    const project = await Project.findOrFail(params.id)
    await bouncer.with(ProjectPolicy).authorize('view', project)
    const revealExperts = await bouncer.with(ProjectPolicy).allows('review')
    return sendPdf(response, await renderReviewOpinion(project.id, { i18n, revealExperts }))
  }

  /**
   * 专家抽取记录表: the panel is the reviewers' (as on the project page). One per draw:
   * `?purpose=acceptance` gives the acceptance panel's record, otherwise the review panel's.
   */
  async drawRecord(ctx: HttpContext) {
    const { params, bouncer, response, i18n } = ctx
    const project = await Project.findOrFail(params.id)
    await bouncer.with(ProjectPolicy).authorize('view', project)
    await bouncer.with(ProjectPolicy).authorize('review')
    const { purpose } = await purposeValidator.validate(ctx.request.qs(), reviewMessages(ctx))
    return sendPdf(response, await renderDrawRecord(project.id, i18n, purpose ?? 'review'))
  }

  /** 验收意见书: whoever may see the project; expert names only for reviewers. */
  async acceptance(ctx: HttpContext) {
    const { params, bouncer, response, i18n } = ctx
    const project = await Project.findOrFail(params.id)
    await bouncer.with(ProjectPolicy).authorize('view', project)
    const revealExperts = await bouncer.with(ProjectPolicy).allows('review')
    return sendPdf(response, await renderAcceptanceOpinion(project.id, { i18n, revealExperts }))
  }

  /** The reports page: the year's figures on screen and the annual PDF. */
  async index(ctx: HttpContext) {
    await ctx.bouncer.with(ProjectPolicy).authorize('review')
    const { filters, errors, values } = await validateFilters(
      ctx,
      yearValidator,
      reviewMessages(ctx)
    )
    const year = filters.year ?? DateTime.now().setZone(PDF_ZONE).year
    return ctx.view.render('pages/review/reports/index', {
      year,
      values,
      filterErrors: errors,
      stats: await annualStatistics(year),
    })
  }

  async annual(ctx: HttpContext) {
    await ctx.bouncer.with(ProjectPolicy).authorize('review')
    const { year } = await yearValidator.validate(
      compactQuery(ctx.request.qs()),
      reviewMessages(ctx)
    )
    return sendPdf(
      ctx.response,
      await renderAnnualStatistics(year ?? DateTime.now().setZone(PDF_ZONE).year, ctx.i18n)
    )
  }
}
