import type { HttpContext } from '@adonisjs/core/http'
import { errors } from '@adonisjs/lucid'
import Project from '#project_review/models/project'
import SimilarityCheck from '#project_review/models/similarity_check'
import type { TextPiece } from '#project_review/domain/similarity'
import ProjectPolicy from '#project_review/policies/project_policy'
import { reviewActorFrom } from '#project_review/services/actor'
import {
  comparison,
  dismissMatch,
  dismissalsOf,
  rerunDuplicateCheck,
} from '#project_review/services/duplicate_check'
import { reasonValidator } from '#project_review/validators/review_validators'
import { reviewMessages } from '#project_review/validators/messages_provider'

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

/** A text cut for display as HTML: every piece escaped, the shared ones in <mark>. */
function marked(pieces: TextPiece[]) {
  return pieces
    .map((piece) =>
      piece.shared
        ? `<mark class="shared">${escapeHtml(piece.text)}</mark>`
        : escapeHtml(piece.text)
    )
    .join('')
}

/** 重复建设审查 for reviewers: the side-by-side comparison, re-running, 已核实非重复. */
export default class SimilarityController {
  /** Both texts side by side with the shared words highlighted (only a match of the latest check). */
  async compare({ params, bouncer, view }: HttpContext) {
    const project = await Project.findOrFail(params.id)
    await bouncer.with(ProjectPolicy).authorize('viewSimilarity', project)
    const check = await SimilarityCheck.query()
      .where('project_id', project.id)
      .orderBy('id', 'desc')
      .firstOrFail()
    const match = check.matches.find((candidate) => candidate.projectId === Number(params.otherId))
    if (!match) throw new errors.E_ROW_NOT_FOUND()
    const other = await Project.query().where('id', match.projectId).preload('unit').firstOrFail()
    await project.load('unit')
    const dismissals = await dismissalsOf(project.id)
    const dismissal = dismissals.get(other.id) ?? null
    const { sharedTerms, left, right } = await comparison(project, other)
    return view.render('pages/review/projects/similarity', {
      project,
      other,
      match,
      dismissal,
      sharedTerms,
      left: left.map(marked),
      right: right.map(marked),
    })
  }

  async rerun(ctx: HttpContext) {
    const project = await Project.findOrFail(ctx.params.id)
    await ctx.bouncer.with(ProjectPolicy).authorize('review')
    await rerunDuplicateCheck(project.id, reviewActorFrom(ctx))
    ctx.session.flash('success', ctx.i18n.t('review.similarity.rerun_done'))
    return ctx.response.redirect(`/review/projects/${project.id}#similarity`)
  }

  async dismiss(ctx: HttpContext) {
    const project = await Project.findOrFail(ctx.params.id)
    await ctx.bouncer.with(ProjectPolicy).authorize('review')
    const { reason } = await ctx.request.validateUsing(reasonValidator, reviewMessages(ctx))
    await dismissMatch(project.id, Number(ctx.params.otherId), reason, reviewActorFrom(ctx))
    ctx.session.flash('success', ctx.i18n.t('review.similarity.dismiss_done'))
    return ctx.response.redirect(`/review/projects/${project.id}#similarity`)
  }
}
