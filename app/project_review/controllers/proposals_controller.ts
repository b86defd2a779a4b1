import type { HttpContext } from '@adonisjs/core/http'
import Project from '#project_review/models/project'
import SharedPlatform from '#project_review/models/shared_platform'
import ProjectPolicy from '#project_review/policies/project_policy'
import proposals from '#project_review/services/proposals'
import reviewSettings from '#project_review/services/review_settings'
import { reviewActorFrom } from '#project_review/services/actor'
import { proposalValidator } from '#project_review/validators/proposal_validators'
import { reviewMessages } from '#project_review/validators/messages_provider'
import { isReturned } from '#project_review/capabilities'

/** Blank budget rows offered under the filled ones; "more rows" adds this many again. */
const BLANK_ROWS = 3

/** The applicant's proposal form (项目申报书): create, edit, save as draft, submit, delete. */
export default class ProposalsController {
  async create({ view, bouncer, request }: HttpContext) {
    await bouncer.with(ProjectPolicy).authorize('create')
    return view.render('pages/review/proposals/form', {
      project: null,
      returned: false,
      items: [],
      platformIds: [],
      platforms: await SharedPlatform.query().where('is_active', true).orderBy('position'),
      blankRows: this.blankRows(request.input('rows')),
    })
  }

  async store(ctx: HttpContext) {
    const { request, session, bouncer, i18n } = ctx
    await bouncer.with(ProjectPolicy).authorize('create')
    const payload = await request.validateUsing(proposalValidator, reviewMessages(ctx))
    const project = await proposals.create(payload, reviewActorFrom(ctx))
    session.flash('success', i18n.t('review.proposals.saved', { title: project.title }))
    return this.afterSave(ctx, project)
  }

  async edit({ params, view, bouncer, request }: HttpContext) {
    const project = await Project.query()
      .where('id', params.id)
      .preload('items')
      .preload('platforms')
      .firstOrFail()
    await bouncer.with(ProjectPolicy).authorize('edit', project)
    return view.render('pages/review/proposals/form', {
      project,
      returned: isReturned(project.state),
      items: project.items,
      platformIds: project.platforms.map((platform) => platform.id),
      platforms: await SharedPlatform.query().orderBy('position'),
      blankRows: this.blankRows(request.input('rows')),
    })
  }

  async update(ctx: HttpContext) {
    const { params, request, session, bouncer, i18n } = ctx
    const project = await Project.findOrFail(params.id)
    await bouncer.with(ProjectPolicy).authorize('edit', project)
    const payload = await request.validateUsing(proposalValidator, reviewMessages(ctx))
    await proposals.update(project.id, payload, reviewActorFrom(ctx))
    session.flash('success', i18n.t('review.proposals.saved', { title: payload.title }))
    return this.afterSave(ctx, project)
  }

  async submit(ctx: HttpContext) {
    const { params, response, session, bouncer, i18n } = ctx
    const project = await Project.findOrFail(params.id)
    await bouncer.with(ProjectPolicy).authorize('edit', project)
    await proposals.submit(project.id, reviewActorFrom(ctx))
    session.flash('success', i18n.t('review.proposals.submitted', { title: project.title }))
    return response.redirect(`/review/projects/${project.id}`)
  }

  async destroy(ctx: HttpContext) {
    const { params, response, session, bouncer, i18n } = ctx
    const project = await Project.findOrFail(params.id)
    await bouncer.with(ProjectPolicy).authorize('edit', project)
    await proposals.deleteDraft(project.id, reviewActorFrom(ctx))
    session.flash('success', i18n.t('review.proposals.deleted', { title: project.title }))
    return response.redirect('/review/projects')
  }

  /**
   * "保存并增加行" returns to the form with more blank rows; "保存并上传附件" goes to the project
   * page's upload step, saying which attachments are required; "保存" goes to the project page.
   */
  protected async afterSave({ request, response, session, i18n }: HttpContext, project: Project) {
    if (request.input('next') === 'attachments') {
      const { requiredAttachments } = await reviewSettings.get()
      const kinds = requiredAttachments.map((kind) => i18n.t(`review.attachments.kinds.${kind}`))
      session.flash(
        'success',
        kinds.length
          ? i18n.t('review.proposals.saved_attach_next', {
              title: project.title,
              kinds: kinds.join('、'),
            })
          : i18n.t('review.proposals.saved_attach_next_optional', { title: project.title })
      )
      return response.redirect(`/review/projects/${project.id}#attachments`)
    }
    if (request.input('more')) {
      const rows = this.blankRows(request.input('rows')) + BLANK_ROWS
      return response.redirect(`/review/projects/${project.id}/edit?rows=${rows}`)
    }
    return response.redirect(`/review/projects/${project.id}`)
  }

  protected blankRows(value: unknown) {
    const rows = Number(value)
    return Number.isInteger(rows) && rows >= BLANK_ROWS && rows <= 60 ? rows : BLANK_ROWS
  }
}
