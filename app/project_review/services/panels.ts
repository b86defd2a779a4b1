import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import audit from '#core/audit/audit_service'
import Unit from '#identity/models/unit'
import Expert from '#project_review/models/expert'
import ReviewPanel, { type PanelPurpose } from '#project_review/models/review_panel'
import AcceptanceRequest from '#project_review/models/acceptance_request'
import PanelMember from '#project_review/models/panel_member'
import AcceptanceCheck from '#project_review/models/acceptance_check'
import ScoreSheet from '#project_review/models/score_sheet'
import type Project from '#project_review/models/project'
import {
  DrawError,
  drawPanel,
  nextAlternate,
  type DrawProject,
  type DrawResult,
  type ExpertCandidate,
} from '#project_review/domain/draw'
import { projectMachine } from '#project_review/lifecycle'
import { panelMachine, requestMachine, seatMachine } from '#project_review/state_machines'
import {
  DEFAULT_ACCEPTANCE_CHECKLIST,
  checkDeadline,
  weightedScoreForm,
  type FormTemplate,
} from '#project_review/domain/forms'
import type { Criterion } from '#project_review/domain/aggregation'
import { ReviewError } from '#project_review/errors'
import { lockProject, transition } from '#project_review/services/transitions'
import reviewSettings from '#project_review/services/review_settings'
import { queueMailable } from '#core/mail/outbox'
import PanelInvitationMail from '#project_review/mails/panel_invitation_mail'
import PanelWithdrawalMail from '#project_review/mails/panel_withdrawal_mail'
import type { ReviewActor } from '#project_review/services/actor'

export interface DrawRequest {
  panelSize: number
  alternates: number
  /** Specialty keys; empty accepts every expert. */
  specialties: string[]
}

/** Year of an instant as the bureau counts it (Asia/Shanghai), for the yearly assignment cap. */
export function reviewYear(at: DateTime = DateTime.utc()) {
  return at.setZone('Asia/Shanghai').year
}

/**
 * 随机抽取专家: draws a reproducible panel, seats its members, handles declines by calling the
 * next alternate, and invites everyone by e-mail once the change is committed.
 */
export class PanelService {
  /**
   * Draws the panel of an accepted project. The candidate list, the project facts the
   * exclusions used, the seed and the result are stored with the panel; too few eligible
   * experts refuse the draw and nothing is written.
   */
  async draw(projectId: number, request: DrawRequest, actor: ReviewActor, seed?: string) {
    const { drawn, invited } = await db.transaction(async (trx) => {
      const project = await lockProject(projectId, trx)
      projectMachine.assert(project.state, 'draw', actor.roles)
      const { scoreTemplate } = await reviewSettings.get(trx)
      const { panel, members, result } = await this.seat(trx, project, 'review', request, actor, {
        seed,
        criteria: scoreTemplate,
        form: weightedScoreForm(scoreTemplate),
      })
      await transition(project.id, 'draw', actor, trx, {
        details: this.drawDetails(panel, request, result),
      })
      return { drawn: panel, invited: members.filter((member) => member.isSitting) }
    })
    const sent = await this.notify(invited.map((member) => member.id))
    return Object.assign(drawn, { mail: sent })
  }

  /**
   * 抽取验收专家: draws the acceptance panel of a project whose acceptance was requested, with
   * the same exclusions and the same replayable record as a review panel (an expert of the
   * applicant unit is never drawn; one who sat on the review panel may be). After 整改 the
   * panel drawn for the first request sits again on the new one (the same experts check the
   * rectification) and nothing is drawn anew.
   */
  async drawAcceptance(
    projectId: number,
    request: DrawRequest,
    actor: ReviewActor,
    seed?: string
  ): Promise<ReviewPanel & { mail: { sent: number; failed: number } }> {
    const { drawn, invited } = await db.transaction(async (trx) => {
      const project = await lockProject(projectId, trx)
      projectMachine.assert(project.state, 'draw_acceptance', actor.roles)
      const acceptance = await AcceptanceRequest.query({ client: trx })
        .where('project_id', project.id)
        .orderBy('round', 'desc')
        .firstOrFail()
      const existing = await ReviewPanel.query({ client: trx })
        .where('project_id', project.id)
        .where('purpose', 'acceptance')
        .first()
      let panel: ReviewPanel
      let members: PanelMember[]
      if (existing) {
        if (existing.isClosed) {
          await panelMachine.apply({
            trx,
            id: existing.id,
            from: existing.status,
            action: 'reopen',
            actor,
            touch: false,
            columns: { acceptance_request_id: acceptance.id, closed_at: null },
          })
        }
        panel = await ReviewPanel.query({ client: trx }).where('id', existing.id).firstOrFail()
        members = await PanelMember.query({ client: trx })
          .where('panel_id', panel.id)
          .where('status', seatMachine.target('call'))
      } else {
        const drawnSeat = await this.seat(trx, project, 'acceptance', request, actor, {
          seed,
          criteria: [],
          form: DEFAULT_ACCEPTANCE_CHECKLIST,
          acceptanceRequestId: acceptance.id,
        })
        panel = drawnSeat.panel
        members = drawnSeat.members.filter((member) => member.isSitting)
      }
      await requestMachine.apply({
        trx,
        id: acceptance.id,
        from: acceptance.status,
        action: 'convene',
        actor,
      })
      await transition(project.id, 'draw_acceptance', actor, trx, {
        details: {
          ...this.drawDetails(panel, request, panel.result),
          acceptanceRequestId: acceptance.id,
          round: acceptance.round,
          redrawn: !existing,
        },
      })
      return { drawn: panel, invited: members }
    })
    const sent = await this.notify(invited.map((member) => member.id))
    return Object.assign(drawn, { mail: sent })
  }

  /** What the audit trail keeps of a draw. */
  protected drawDetails(panel: ReviewPanel, request: DrawRequest, result: DrawResult) {
    return {
      panelId: panel.id,
      purpose: panel.purpose,
      algorithm: result.algorithm,
      seed: result.seed,
      specialties: request.specialties,
      eligible: result.eligible.length,
      excluded: result.excluded,
      panel: result.panel,
      alternates: result.alternates,
    }
  }

  /**
   * Draws and seats a panel of the given purpose: the candidate list, the project facts the
   * exclusions used, the seed and the result are stored with the panel; too few eligible
   * experts refuse the draw and nothing is written.
   */
  protected async seat(
    trx: TransactionClientContract,
    project: Project,
    purpose: PanelPurpose,
    request: DrawRequest,
    actor: ReviewActor,
    options: {
      seed?: string
      criteria: Criterion[]
      form: FormTemplate
      acceptanceRequestId?: number
    }
  ) {
    const year = reviewYear()
    const candidates = await this.candidates(year, trx)
    const drawProject = await this.drawProjectOf(project, trx)
    let result: DrawResult
    try {
      result = drawPanel(candidates, drawProject, {
        specialties: request.specialties,
        panelSize: request.panelSize,
        alternates: request.alternates,
        ...(options.seed ? { seed: options.seed } : {}),
      })
    } catch (error) {
      if (error instanceof DrawError) throw ReviewError.fromDomain(error)
      throw error
    }
    const drawnIds = [...result.panel, ...result.alternates]
    const logins = new Map(
      (drawnIds.length
        ? await Expert.query({ client: trx }).whereIn('id', drawnIds).select('id', 'user_id')
        : []
      ).map((expert) => [expert.id, expert.userId])
    )
    const now = DateTime.utc()
    const panel = await ReviewPanel.create(
      {
        projectId: project.id,
        purpose,
        year,
        algorithm: result.algorithm,
        seed: result.seed,
        panelSize: request.panelSize,
        alternatesCount: request.alternates,
        specialties: request.specialties,
        drawProject,
        candidates,
        result,
        criteria: options.criteria,
        form: options.form,
        acceptanceRequestId: options.acceptanceRequestId ?? null,
        status: 'open',
        drawnById: actor.actorId,
        drawnAt: now,
      },
      { client: trx }
    )
    const members = await PanelMember.createMany(
      [
        ...result.panel.map((expertId, index) => ({
          panelId: panel.id,
          expertId,
          userId: logins.get(expertId) ?? null,
          drawOrder: index + 1,
          seat: 'member' as const,
          status: seatMachine.target('call'),
          invitedAt: now,
        })),
        ...result.alternates.map((expertId, index) => ({
          panelId: panel.id,
          expertId,
          userId: logins.get(expertId) ?? null,
          drawOrder: result.panel.length + index + 1,
          seat: 'alternate' as const,
          status: 'standby' as const,
        })),
      ],
      { client: trx }
    )
    return { panel, members, result }
  }

  /** Replays a stored draw from its recorded input and seed; `matches` tells whether it agrees. */
  replay(panel: ReviewPanel) {
    const replayed = drawPanel(panel.candidates, panel.drawProject, {
      specialties: panel.specialties,
      panelSize: panel.panelSize,
      alternates: panel.alternatesCount,
      seed: panel.seed,
    })
    const same = (a: number[], b: number[]) => JSON.stringify(a) === JSON.stringify(b)
    const matches =
      replayed.algorithm === panel.result.algorithm &&
      same(replayed.eligible, panel.result.eligible) &&
      same(replayed.panel, panel.result.panel) &&
      same(replayed.alternates, panel.result.alternates)
    return { replayed, matches }
  }

  /**
   * An invited expert declines (回避 or unavailable) with a reason; their unsubmitted draft is
   * discarded and the next alternate in draw order is invited. Returns the invited alternate.
   */
  async decline(memberId: number, reason: string, actor: ReviewActor) {
    const { next } = await this.vacate(memberId, 'declined', reason, actor)
    if (next) await this.notify([next.id])
    return next
  }

  /**
   * 撤换: the reviewer withdraws a sitting expert who has not submitted (a silent expert), with a
   * reason; the seat goes to the next alternate exactly as for a decline. The withdrawn expert
   * and the alternate are both told by e-mail once the change is committed.
   */
  async withdraw(memberId: number, reason: string, actor: ReviewActor) {
    const { member, next } = await this.vacate(memberId, 'withdrawn', reason, actor)
    const withdrawal = await this.sendWithdrawal(member.id)
    const invitation = next ? await this.notify([next.id]) : { sent: 0, failed: 0 }
    return { member, next, withdrawal, invitation }
  }

  /** Frees a sitting expert's seat (declined or withdrawn) and calls the next alternate. */
  protected async vacate(
    memberId: number,
    status: 'declined' | 'withdrawn',
    reason: string,
    actor: ReviewActor
  ) {
    return db.transaction(async (trx) => {
      const member = await PanelMember.query({ client: trx })
        .where('id', memberId)
        .preload('panel')
        .firstOrFail()
      const project = await lockProject(member.panel.projectId, trx)
      const seatsOpen = member.panel.isAcceptance
        ? projectMachine.can(project.state, 'pass_acceptance')
        : projectMachine.can(project.state, 'begin_review') ||
          projectMachine.can(project.state, 'close_panel')
      if (!member.panel.isOpen || !seatsOpen) {
        throw new ReviewError('review.panel.errors.closed')
      }
      if (!member.isSitting) throw new ReviewError('review.panel.errors.not_invited')
      const sheet = await ScoreSheet.query({ client: trx })
        .where('panel_id', member.panelId)
        .where('expert_id', member.expertId)
        .first()
      const check =
        member.panel.isAcceptance && member.panel.acceptanceRequestId
          ? await AcceptanceCheck.query({ client: trx })
              .where('acceptance_request_id', member.panel.acceptanceRequestId)
              .where('expert_id', member.expertId)
              .first()
          : null
      if ((sheet && !sheet.isEditable) || (check && !check.isEditable)) {
        throw new ReviewError(
          status === 'declined'
            ? 'review.panel.errors.decline_after_submit'
            : 'review.panel.errors.withdraw_after_submit'
        )
      }
      if (sheet) await sheet.delete()
      member.useTransaction(trx)
      if (status === 'declined') {
        member.merge({ status, declineReason: reason, declinedAt: DateTime.utc() })
      } else {
        member.merge({ status, withdrawReason: reason, withdrawnAt: DateTime.utc() })
      }
      await member.save()

      const vacated = await PanelMember.query({ client: trx })
        .where('panel_id', member.panelId)
        .whereIn('status', ['declined', 'withdrawn'])
      const nextId = nextAlternate(
        member.panel.result,
        vacated.map((row) => row.expertId)
      )
      let next: PanelMember | null = null
      if (nextId !== null) {
        next = await PanelMember.query({ client: trx })
          .where('panel_id', member.panelId)
          .where('expert_id', nextId)
          .where('status', 'standby')
          .first()
        if (next) {
          next.merge({ status: seatMachine.target('call'), invitedAt: DateTime.utc() })
          await next.save()
        }
      }
      await audit.record(
        {
          ...actor,
          action: status === 'declined' ? 'review.panel.decline' : 'review.panel.withdraw',
          targetType: 'project',
          targetId: project.id,
          details: {
            panelId: member.panelId,
            expertId: member.expertId,
            reason,
            discardedSheetId: sheet?.id ?? null,
            nextExpertId: next?.expertId ?? null,
          },
        },
        trx
      )
      return { member, next }
    })
  }

  /** 重新发送: sends the invitation again to a sitting expert whose mail failed. */
  async resend(memberId: number, actor: ReviewActor) {
    const member = await PanelMember.query().where('id', memberId).preload('panel').firstOrFail()
    if (!member.panel.isOpen || !member.isSitting) {
      throw new ReviewError('review.panel.errors.not_invited')
    }
    const outcome = await this.notify([member.id])
    await audit.record({
      ...actor,
      action: 'review.panel.resend',
      targetType: 'project',
      targetId: member.panel.projectId,
      details: { panelId: member.panelId, expertId: member.expertId, ...outcome },
    })
    return outcome
  }

  /** Tells a withdrawn expert their seat was withdrawn and why (after commit). */
  protected async sendWithdrawal(memberId: number) {
    const member = await PanelMember.query()
      .where('id', memberId)
      .preload('expert')
      .preload('panel', (query) => query.preload('project'))
      .firstOrFail()
    if (!member.expert.email) return false
    try {
      await queueMailable(
        new PanelWithdrawalMail(
          member.expert,
          member.panel.project,
          member.withdrawReason ?? '',
          member.panel.purpose
        ),
        { kind: 'review.withdrawal', refType: 'project', refId: member.panel.projectId }
      )
      return true
    } catch (error) {
      logger.warn({ err: error, memberId }, 'withdrawal notice could not be sent')
      return false
    }
  }

  /**
   * Sends the invitation to each member (after commit: a mail server that is down must not undo
   * a draw). The outcome is kept on the seat: notified_at, or the error to show the reviewer.
   * A seat on an acceptance panel gets the 竣工验收 invitation: the checklist and its deadline.
   */
  async notify(memberIds: number[]) {
    const outcome = { sent: 0, failed: 0 }
    for (const memberId of memberIds) {
      const member = await PanelMember.query()
        .where('id', memberId)
        .preload('expert')
        .preload('panel', (query) => query.preload('project', (p) => p.preload('unit')))
        .firstOrFail()
      const project = member.panel.project
      if (!member.expert.email) {
        member.notifyError = 'no_email'
        await member.save()
        outcome.failed++
        continue
      }
      try {
        await queueMailable(
          new PanelInvitationMail(
            member.expert,
            project,
            project.unit?.name ?? '',
            member.seat === 'alternate',
            await this.acceptanceInvitation(member.panel)
          ),
          { kind: 'review.invitation', refType: 'project', refId: project.id }
        )
        member.merge({ notifiedAt: DateTime.utc(), notifyError: null })
        outcome.sent++
      } catch (error) {
        logger.warn({ err: error, memberId }, 'panel invitation could not be sent')
        member.notifyError = String((error as Error).message ?? error).slice(0, 255)
        outcome.failed++
      }
      await member.save()
    }
    return outcome
  }

  /** The checklist, round and deadline an acceptance invitation names; null for a review panel. */
  protected async acceptanceInvitation(panel: ReviewPanel) {
    if (!panel.isAcceptance) return null
    const request = panel.acceptanceRequestId
      ? await AcceptanceRequest.find(panel.acceptanceRequestId)
      : null
    const form = panel.form?.kind === 'checklist' ? panel.form : DEFAULT_ACCEPTANCE_CHECKLIST
    return {
      round: request?.round ?? 1,
      items: form.items.map((item) => item.label),
      deadline: checkDeadline(DateTime.utc()).toISODate()!,
    }
  }

  /** Every expert as the draw sees them, with this year's assignments counted. */
  protected async candidates(
    year: number,
    trx: TransactionClientContract
  ): Promise<ExpertCandidate[]> {
    const experts = await Expert.query({ client: trx }).orderBy('id')
    const counts = await trx
      .from('panel_members')
      .join('review_panels', 'review_panels.id', 'panel_members.panel_id')
      .where('review_panels.year', year)
      .where('panel_members.status', seatMachine.target('call'))
      .groupBy('panel_members.expert_id')
      .select('panel_members.expert_id as expertId')
      .count('* as total')
    const assignments = new Map<number, number>(
      counts.map((row: { expertId: number; total: number | string }) => [
        Number(row.expertId),
        Number(row.total),
      ])
    )
    return experts.map((expert) => ({
      id: expert.id,
      employerUnitId: expert.employerUnitId,
      employer: expert.employer,
      specialties: expert.specialties,
      active: expert.isActive,
      assignmentsThisYear: assignments.get(expert.id) ?? 0,
      yearlyCap: expert.yearlyCap,
      declaredConflictUnitIds: expert.conflictUnitIds,
    }))
  }

  /** The project facts the exclusions need: applicant unit, and the expert who drafted it. */
  protected async drawProjectOf(
    project: Project,
    trx: TransactionClientContract
  ): Promise<DrawProject> {
    const unit = await Unit.query({ client: trx }).where('id', project.unitId).firstOrFail()
    const drafters = project.createdById
      ? await Expert.query({ client: trx }).where('user_id', project.createdById).select('id')
      : []
    return {
      applicantUnitId: unit.id,
      applicantUnitName: unit.name,
      drafterExpertIds: drafters.map((expert) => expert.id),
    }
  }
}

export default new PanelService()
