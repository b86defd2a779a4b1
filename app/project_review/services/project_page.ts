import type { HttpContext } from '@adonisjs/core/http'
import type User from '#identity/models/user'
import type Project from '#project_review/models/project'
import ReviewPanel from '#project_review/models/review_panel'
import ScoreSheet from '#project_review/models/score_sheet'
import SimilarityCheck from '#project_review/models/similarity_check'
import { dismissalsOf } from '#project_review/services/duplicate_check'
import { SPECIALTIES } from '#project_review/models/expert'
import ProjectPolicy, { sitsOnPanel } from '#project_review/policies/project_policy'
import { DateTime } from 'luxon'
import { availableActions, projectMachine } from '#project_review/lifecycle'
import revisions from '#project_review/services/revisions'
import acceptance from '#project_review/services/acceptance'
import evaluations, { EVALUATION_DUE_MONTHS } from '#project_review/services/evaluations'
import { reviewActorOf } from '#project_review/services/actor'
import { MILESTONE_KINDS } from '#project_review/models/project_milestone'
import { SECURITY_RESULTS } from '#project_review/models/acceptance_request'
import { RATINGS } from '#project_review/models/project_evaluation'
import { seatState, type SeatState } from '#project_review/domain/seats'
import { projectCutFigures } from '#project_review/services/review_stats'
import proposals from '#project_review/services/proposals'
import reviewSettings from '#project_review/services/review_settings'
import {
  ACCEPTANCE_ATTACHMENT_KINDS,
  PROPOSAL_ATTACHMENT_KINDS,
} from '#project_review/models/project_attachment'
import { MIN_SHEETS } from '#project_review/services/decisions'
import { checkDeadline } from '#project_review/domain/forms'
import {
  isReturned,
  isUnsubmitted,
  panelShort,
  proposalCapabilities,
  reviewPanelCapabilities,
  seatCapabilities,
} from '#project_review/capabilities'

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
    const after = await this.afterApproval(
      project,
      user,
      isReviewer,
      await policy.allows('edit', project)
    )
    const { requiredAttachments } = await reviewSettings.get()
    const sheetOf = (expertId: number) =>
      seatSheets.find((sheet) => sheet.expertId === expertId) ?? null
    return {
      /** what the buttons of the page may offer, asked of the state machines */
      can: {
        ...proposalCapabilities(project),
        ...reviewPanelCapabilities(project.state, user.roles),
        /** the similarity card: reviewers once the proposal is submitted */
        similarity: isReviewer && !isUnsubmitted(project.state),
        panelShort: panel ? panelShort(panel, panel.members) : false,
      },
      seatCan: Object.fromEntries(
        (panel?.members ?? []).map((member) => [
          member.id,
          seatCapabilities(panel!, member, sheetOf(member.expertId)),
        ])
      ),
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
      lastReturn: isReturned(project.state) ? lastReturn : null,
      cut,
      minSheets: MIN_SHEETS,
      specialties: SPECIALTIES,
      ...after,
    }
  }

  /**
   * What the page shows after the review: 修改后通过 (the anonymised opinions, the revision
   * form), construction milestones, acceptance rounds with their settlement, the acceptance
   * panel and checklists, the evaluation; and flags saying who may do what now, so the view
   * never compares state names itself.
   */
  protected async afterApproval(
    project: Project,
    user: User,
    isReviewer: boolean,
    isUnit: boolean
  ) {
    const state = project.state
    const can = (action: Parameters<typeof projectMachine.can>[1]) =>
      projectMachine.can(state, action)
    const showRevision = can('submit_revision') || Boolean(project.revisedAt)
    const opinions =
      showRevision && (isUnit || isReviewer) ? await revisions.anonymisedOpinions(project.id) : []
    await project.load((loader) => loader.load('milestones').load('evaluation'))
    const requests = await acceptance.requestsOf(project.id)
    const progress = await acceptance.progress(project.id)
    const myCheck =
      user.hasRole('expert') && progress
        ? await acceptance.checkFor(project.id, reviewActorOf(user)).catch(() => null)
        : null
    const evaluation = project.evaluation ?? null
    const completedAt = project.completedAt
    const dueAt = completedAt ? completedAt.plus({ months: EVALUATION_DUE_MONTHS }) : null
    const overdueDays =
      dueAt && !evaluation?.rating ? Math.floor(DateTime.utc().diff(dueAt, 'days').days) : null
    const approvedItems = project.items.filter((item) => (item.approvedFen ?? 0) > 0)
    const lastRequest = requests[0] ?? null
    return {
      showAfterApproval: project.isApproved || showRevision || can('approve'),
      showRevision,
      opinions,
      canRequestRevision: isReviewer && can('request_revision'),
      canRevise: isUnit && can('submit_revision'),
      canStartConstruction: isUnit && can('start_construction'),
      canRecordMilestone: isUnit && can('request_acceptance') && !can('start_construction'),
      canRequestAcceptance: isUnit && can('request_acceptance'),
      canDrawAcceptance: isReviewer && can('draw_acceptance'),
      acceptancePanelExists: Boolean(progress),
      canDecideAcceptance: isReviewer && can('pass_acceptance'),
      canCheck: Boolean(myCheck) && can('pass_acceptance') && Boolean(progress?.panel.isOpen),
      myCheck: myCheck?.check ?? null,
      checkDeadlineDay: myCheck?.seat.notifiedAt
        ? checkDeadline(myCheck.seat.notifiedAt).toISODate()
        : null,
      canSelfEvaluate: isUnit && can('evaluate') && !evaluation?.rating,
      canRate: isReviewer && can('evaluate') && Boolean(evaluation?.isSelfSubmitted),
      showEvaluation: project.hasPassedAcceptance,
      milestoneKinds: MILESTONE_KINDS,
      milestones: project.milestones,
      requests,
      lastRequest,
      progress,
      evaluation,
      evaluationForm: evaluations.form(),
      dueAt,
      overdueDays: overdueDays !== null && overdueDays > 0 ? overdueDays : null,
      approvedItems,
      securityResults: SECURITY_RESULTS,
      ratings: RATINGS,
      acceptanceKinds: ACCEPTANCE_ATTACHMENT_KINDS,
    }
  }
}

export default new ProjectPage()
