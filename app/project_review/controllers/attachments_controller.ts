import type { HttpContext } from '@adonisjs/core/http'
import Project from '#project_review/models/project'
import ProjectAttachment from '#project_review/models/project_attachment'
import ProjectPolicy from '#project_review/policies/project_policy'
import attachments from '#project_review/services/attachments'
import { reviewActorFrom } from '#project_review/services/actor'
import { attachmentValidator } from '#project_review/validators/proposal_validators'
import { reviewMessages } from '#project_review/validators/messages_provider'
import { ReviewError } from '#project_review/errors'
import { uploadName } from '#core/validation'

/** Upload, download and removal of proposal PDFs; every download passes the project's view policy. */
export default class AttachmentsController {
  async store(ctx: HttpContext) {
    const { params, request, response, session, bouncer, i18n } = ctx
    const project = await Project.findOrFail(params.id)
    await bouncer.with(ProjectPolicy).authorize('edit', project)
    const { kind } = await request.validateUsing(attachmentValidator, reviewMessages(ctx))
    const file = request.file('attachment')
    if (!file) throw new ReviewError('review.attachments.errors.missing', {}, { status: 422 })
    await attachments.store(project.id, kind, file, reviewActorFrom(ctx))
    session.flash(
      'success',
      i18n.t('review.attachments.uploaded', {
        name: uploadName(file.clientName, 'attachment.pdf'),
      })
    )
    return response.redirect(`/review/projects/${project.id}#attachments`)
  }

  async show({ params, response, bouncer }: HttpContext) {
    const attachment = await ProjectAttachment.findOrFail(params.id)
    const project = await Project.findOrFail(attachment.projectId)
    await bouncer.with(ProjectPolicy).authorize('view', project)
    response.header('content-type', 'application/pdf')
    response.header('x-content-type-options', 'nosniff')
    response.header(
      'content-disposition',
      `attachment; filename="${attachment.kind}.pdf"; filename*=UTF-8''${encodeURIComponent(attachment.originalName)}`
    )
    return response.stream(attachments.stream(attachment))
  }

  async destroy(ctx: HttpContext) {
    const { params, response, session, bouncer, i18n } = ctx
    const attachment = await ProjectAttachment.findOrFail(params.id)
    const project = await Project.findOrFail(attachment.projectId)
    await bouncer.with(ProjectPolicy).authorize('edit', project)
    await attachments.remove(attachment, reviewActorFrom(ctx))
    session.flash(
      'success',
      i18n.t('review.attachments.deleted', { name: attachment.originalName })
    )
    return response.redirect(`/review/projects/${project.id}#attachments`)
  }
}
