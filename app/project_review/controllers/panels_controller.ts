import type { HttpContext } from '@adonisjs/core/http'
import Project from '#project_review/models/project'
import ScoreSheet from '#project_review/models/score_sheet'
import ReviewPanel from '#project_review/models/review_panel'
import PanelMember from '#project_review/models/panel_member'
import audit, { actorFrom } from '#core/audit/audit_service'
import ProjectPolicy from '#project_review/policies/project_policy'
import panels from '#project_review/services/panels'
import sheets from '#project_review/services/sheets'
import decisions from '#project_review/services/decisions'
import { reviewActorFrom } from '#project_review/services/actor'
import {
  drawValidator,
  reasonValidator,
  withdrawValidator,
} from '#project_review/validators/review_validators'
import { reviewMessages } from '#project_review/validators/messages_provider'

/** The reviewer's panel actions: draw, verify, withdraw, resend, return a sheet, close. */
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
      panel.mail.failed > 0 ? 'warning' : 'success',
      i18n.t('review.panel.drawn_mail', {
        size: panel.result.panel.length,
        alternates: panel.result.alternates.length,
        ...panel.mail,
      })
    )
    return response.redirect(`/review/projects/${project.id}#panel`)
  }

  /** 复核: replays the recorded draw on the server and says whether it gives the same panel. */
  async verify(ctx: HttpContext) {
    const { params, response, session, bouncer, i18n } = ctx
    const project = await Project.findOrFail(params.id)
    await bouncer.with(ProjectPolicy).authorize('review')
    const panel = await ReviewPanel.query()
      .where('project_id', project.id)
      .where('purpose', 'review')
      .firstOrFail()
    const { matches } = panels.replay(panel)
    await audit.record({
      ...actorFrom(ctx),
      action: 'review.panel.verify',
      targetType: 'project',
      targetId: project.id,
      outcome: matches ? 'success' : 'failure',
      details: { panelId: panel.id, seed: panel.seed, matches },
    })
    session.flash(
      matches ? 'success' : 'error',
      i18n.t(matches ? 'review.panel.verified_same' : 'review.panel.verified_different')
    )
    return response.redirect(`/review/projects/${project.id}#panel`)
  }

  /** 撤换: withdraws a silent expert (reason required); the next alternate is invited. */
  async withdraw(ctx: HttpContext) {
    const { params, request, response, session, bouncer, i18n } = ctx
    await bouncer.with(ProjectPolicy).authorize('review')
    const member = await PanelMember.query()
      .where('id', params.id)
      .preload('panel')
      .preload('expert')
      .firstOrFail()
    const { withdrawReason } = await request.validateUsing(withdrawValidator, reviewMessages(ctx))
    const outcome = await panels.withdraw(member.id, withdrawReason, reviewActorFrom(ctx))
    const name = member.expert.name
    if (outcome.next) {
      await outcome.next.load('expert')
      session.flash(
        'success',
        i18n.t('review.panel.withdrawn_next', { name, next: outcome.next.expert.name })
      )
    } else {
      session.flash('warning', i18n.t('review.panel.withdrawn_none', { name }))
    }
    if (!outcome.withdrawal) {
      session.flash('error', i18n.t('review.panel.withdraw_mail_failed', { name }))
    }
    return response.redirect(`/review/projects/${member.panel.projectId}#panel`)
  }

  /** 重新发送 a failed invitation. */
  async resend(ctx: HttpContext) {
    const { params, response, session, bouncer, i18n } = ctx
    await bouncer.with(ProjectPolicy).authorize('review')
    const member = await PanelMember.query()
      .where('id', params.id)
      .preload('panel')
      .preload('expert')
      .firstOrFail()
    const outcome = await panels.resend(member.id, reviewActorFrom(ctx))
    if (outcome.sent) {
      session.flash('success', i18n.t('review.panel.resent', { name: member.expert.name }))
    } else {
      await member.refresh()
      session.flash(
        'error',
        i18n.t('review.panel.resend_failed', {
          name: member.expert.name,
          error: member.notifyError ?? '',
        })
      )
    }
    return response.redirect(`/review/projects/${member.panel.projectId}#panel`)
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
