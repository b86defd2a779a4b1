import type { HttpContext } from '@adonisjs/core/http'
import type User from '#identity/models/user'
import type Project from '#project_review/models/project'
import ReviewPanel from '#project_review/models/review_panel'
import ScoreSheet from '#project_review/models/score_sheet'
import SimilarityCheck from '#project_review/models/similarity_check'
import { dismissalsOf } from '#project_review/services/duplicate_check'
import { SPECIALTIES } from '#project_review/models/expert'
import ProjectPolicy, { sitsOnPanel } from '#project_review/policies/project_policy'
import { availableActions } from '#project_review/lifecycle'
import { seatState, type SeatState } from '#project_review/domain/seats'
import { projectCutFigures } from '#project_review/services/review_stats'
import proposals from '#project_review/services/proposals'
import reviewSettings from '#project_review/services/review_settings'
import { PROPOSAL_ATTACHMENT_KINDS } from '#project_review/models/project_attachment'
import { MIN_SHEETS } from '#project_review/services/decisions'

/**
 * Everything the project page shows, loaded according to what the viewer may see: the
 * similarity hits for reviewers and panel experts, the panel for reviewers, sealed sheets only
 * after the panel is closed.
 */
export class ProjectPage {
  async load(project: Project, user: User, bouncer: HttpContext['bouncer']) {
    await project.load((loader) =>
      loader
        .load('unit')
        .load('items')
        .load('platforms')
        .load('attachments')
        .load('createdBy')
        .load('transitions')
    )
    const policy = bouncer.with(ProjectPolicy)
    const isReviewer = await policy.allows('review')
    const canEdit = (await policy.allows('edit', project)) && project.isEditable
    const similarity = (await policy.allows('viewSimilarity', project))
      ? await SimilarityCheck.query().where('project_id', project.id).orderBy('id', 'desc').first()
      : null
    const similarityDismissals = similarity
      ? Object.fromEntries(await dismissalsOf(project.id))
      : {}
    const panel = await ReviewPanel.query()
      .where('project_id', project.id)
      .where('purpose', 'review')
      .preload('members', (q) => q.preload('expert'))
      .first()
    const seeSheets = panel ? await policy.allows('viewSheets', project, panel.isClosed) : false
    const sheets =
      panel && (isReviewer || seeSheets)
        ? await ScoreSheet.query()
            .where('panel_id', panel.id)
            .preload('expert')
            .preload('items')
            .orderBy('id')
        : []
    const seatSheets = panel
      ? await ScoreSheet.query().where('panel_id', panel.id).select('id', 'expert_id', 'status')
      : []
    const seatStates: Record<number, SeatState> = Object.fromEntries(
      (panel?.members ?? []).map((member) => [
        member.id,
        seatState(
          member,
          seatSheets.find((sheet) => sheet.expertId === member.expertId)
        ),
      ])
    )
    const mySeat = panel?.members.find((member) => member.userId === user.id && member.isSitting)
    const lastReturn = [...project.transitions].reverse().find((step) => step.action === 'return')
    const cut = projectCutFigures(project.items)
    const { requiredAttachments } = await reviewSettings.get()
    return {
      project,
      isReviewer,
      canEdit,
      isPanelExpert: await sitsOnPanel(user, project.id),
      seatStates,
      mySeatState: mySeat ? seatStates[mySeat.id] : null,
      actions: availableActions(project.state, user.roles),
      missing: canEdit ? proposals.missingFields(project) : [],
      missingAttachments: canEdit ? proposals.missingAttachments(project, requiredAttachments) : [],
      requiredAttachments,
      attachmentKinds: PROPOSAL_ATTACHMENT_KINDS,
      similarity,
      similarityDismissals,
      panel,
      showPanel: Boolean(panel) && isReviewer,
      sheets,
      seeSheets,
      lastReturn: project.state === 'returned' ? lastReturn : null,
      cut,
      minSheets: MIN_SHEETS,
      specialties: SPECIALTIES,
    }
  }
}

export default new ProjectPage()
