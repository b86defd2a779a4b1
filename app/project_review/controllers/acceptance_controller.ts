import { DateTime } from 'luxon'
import type { HttpContext } from '@adonisjs/core/http'
import Project from '#project_review/models/project'
import ProjectPolicy from '#project_review/policies/project_policy'
import revisions from '#project_review/services/revisions'
import acceptance from '#project_review/services/acceptance'
import evaluations from '#project_review/services/evaluations'
import panels from '#project_review/services/panels'
import { reviewActorFrom } from '#project_review/services/actor'
import { reviewMessages } from '#project_review/validators/messages_provider'
import { lines } from '#project_review/validators/rules'
import {
  acceptanceDecisionValidator,
  acceptanceDrawValidator,
  acceptanceRequestValidator,
  checkValidator,
  constructionValidator,
  milestoneValidator,
  ratingValidator,
  revisionRequestValidator,
  revisionValidator,
  selfEvaluationValidator,
} from '#project_review/validators/acceptance_validators'

function day(value: Date) {
  return DateTime.fromJSDate(value, { zone: 'Asia/Shanghai' }).startOf('day').toUTC()
}

/**
 * After 批复: 修改后通过, construction, acceptance (申请, 抽取, 检查表, 通过 / 整改) and the
 * performance evaluation. Each action: load → authorize → validate → service → redirect.
 */
export default class AcceptanceController {
  async requestRevision(ctx: HttpContext) {
    const project = await this.load(ctx, 'review')
    const { reason } = await ctx.request.validateUsing(
      revisionRequestValidator,
      reviewMessages(ctx)
    )
    await revisions.requestRevision(project.id, reason, reviewActorFrom(ctx))
    return this.done(ctx, project, 'acceptance.revision.requested')
  }

  async submitRevision(ctx: HttpContext) {
    const project = await this.load(ctx, 'edit')
    const payload = await ctx.request.validateUsing(revisionValidator, reviewMessages(ctx))
    await revisions.submitRevision(project.id, payload, reviewActorFrom(ctx))
    return this.done(ctx, project, 'acceptance.revision.submitted')
  }

  async startConstruction(ctx: HttpContext) {
    const project = await this.load(ctx, 'edit')
    const payload = await ctx.request.validateUsing(constructionValidator, reviewMessages(ctx))
    await acceptance.startConstruction(
      project.id,
      day(payload.contractSignedOn),
      payload.note ?? null,
      reviewActorFrom(ctx)
    )
    return this.done(ctx, project, 'acceptance.construction.started')
  }

  async recordMilestone(ctx: HttpContext) {
    const project = await this.load(ctx, 'edit')
    const payload = await ctx.request.validateUsing(milestoneValidator, reviewMessages(ctx))
    await acceptance.recordMilestone(
      project.id,
      payload.kind,
      day(payload.happenedOn),
      payload.note ?? null,
      reviewActorFrom(ctx)
    )
    return this.done(ctx, project, 'acceptance.milestones.recorded')
  }

  async requestAcceptance(ctx: HttpContext) {
    const project = await this.load(ctx, 'edit')
    const payload = await ctx.request.validateUsing(acceptanceRequestValidator, reviewMessages(ctx))
    await acceptance.request(project.id, payload, reviewActorFrom(ctx))
    return this.done(ctx, project, 'acceptance.request.submitted')
  }

  async drawPanel(ctx: HttpContext) {
    const project = await this.load(ctx, 'review')
    const payload = await ctx.request.validateUsing(acceptanceDrawValidator, reviewMessages(ctx))
    const panel = await panels.drawAcceptance(
      project.id,
      { panelSize: payload.panelSize, alternates: payload.alternates ?? 0, specialties: [] },
      reviewActorFrom(ctx)
    )
    ctx.session.flash(
      'success',
      ctx.i18n.t('acceptance.panel.drawn', { size: panel.result.panel.length })
    )
    return ctx.response.redirect(`/review/projects/${project.id}#acceptance`)
  }

  async saveCheck(ctx: HttpContext) {
    const project = await Project.findOrFail(ctx.params.id)
    await ctx.bouncer.with(ProjectPolicy).authorize('score')
    const payload = await ctx.request.validateUsing(checkValidator, reviewMessages(ctx))
    const submit = payload.intent === 'submit'
    await acceptance.saveCheck(
      project.id,
      {
        results: payload.results ?? {},
        notes: this.notes(payload.notes),
        opinion: payload.opinion,
      },
      reviewActorFrom(ctx),
      submit
    )
    return this.done(ctx, project, submit ? 'acceptance.check.submitted' : 'acceptance.check.saved')
  }

  async decide(ctx: HttpContext) {
    const project = await this.load(ctx, 'review')
    const payload = await ctx.request.validateUsing(
      acceptanceDecisionValidator,
      reviewMessages(ctx)
    )
    await acceptance.decide(
      project.id,
      payload.outcome,
      lines(payload.items),
      payload.comment ?? null,
      reviewActorFrom(ctx)
    )
    return this.done(
      ctx,
      project,
      payload.outcome === 'pass'
        ? 'acceptance.panel.decided_pass'
        : 'acceptance.panel.decided_rectify'
    )
  }

  async saveSelfEvaluation(ctx: HttpContext) {
    const project = await this.load(ctx, 'edit')
    const payload = await ctx.request.validateUsing(selfEvaluationValidator, reviewMessages(ctx))
    await evaluations.saveSelf(project.id, payload, reviewActorFrom(ctx))
    return this.done(ctx, project, 'acceptance.evaluation.self_saved')
  }

  async rate(ctx: HttpContext) {
    const project = await this.load(ctx, 'review')
    const payload = await ctx.request.validateUsing(ratingValidator, reviewMessages(ctx))
    await evaluations.rate(project.id, payload.rating, payload.comment, reviewActorFrom(ctx))
    return this.done(ctx, project, 'acceptance.evaluation.rated')
  }

  protected notes(notes: Record<string, string | undefined> | undefined) {
    return Object.fromEntries(
      Object.entries(notes ?? {}).filter((entry): entry is [string, string] => Boolean(entry[1]))
    )
  }

  protected async load({ params, bouncer }: HttpContext, ability: 'review' | 'edit') {
    const project = await Project.findOrFail(params.id)
    if (ability === 'review') await bouncer.with(ProjectPolicy).authorize('review')
    else await bouncer.with(ProjectPolicy).authorize('edit', project)
    return project
  }

  protected done({ session, response, i18n }: HttpContext, project: Project, key: string) {
    session.flash('success', i18n.t(key, { title: project.title }))
    return response.redirect(`/review/projects/${project.id}#acceptance`)
  }
}
