import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import audit from '#core/audit/audit_service'
import { sumFen } from '#core/money'
import AcceptanceCheck from '#project_review/models/acceptance_check'
import AcceptanceRequest, {
  SECURITY_RESULTS,
  type SecurityResult,
} from '#project_review/models/acceptance_request'
import BudgetItem from '#project_review/models/budget_item'
import PanelMember from '#project_review/models/panel_member'
import type Project from '#project_review/models/project'
import ProjectAttachment from '#project_review/models/project_attachment'
import ProjectMilestone, { type MilestoneKind } from '#project_review/models/project_milestone'
import ReviewPanel from '#project_review/models/review_panel'
import SettlementLine from '#project_review/models/settlement_line'
import Expert from '#project_review/models/expert'
import {
  DEFAULT_ACCEPTANCE_CHECKLIST,
  checklistGaps,
  tallyChecklists,
  type ChecklistAnswers,
  type ChecklistForm,
} from '#project_review/domain/forms'
import { projectMachine } from '#project_review/lifecycle'
import { checkMachine, panelMachine, requestMachine } from '#project_review/state_machines'
import { ReviewError, forbidden, refuseFields, type FieldRefusal } from '#project_review/errors'
import { lockProject, transition } from '#project_review/services/transitions'
import notices from '#project_review/services/notices'
import type { ReviewActor } from '#project_review/services/actor'

export interface SettlementInput {
  budgetItemId: number
  /** integer fen */
  settled: number
  justification?: string | null
}

export interface AcceptanceInput {
  deliverables: string
  securityResult: SecurityResult
  securityNote?: string | null
  trialRunSummary: string
  lines: SettlementInput[]
}

export interface CheckInput {
  results: Record<string, string>
  notes: Record<string, string>
  opinion?: string | null
}

function sqlNow() {
  return DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')
}

/**
 * After 批复: construction milestones, 申请验收 with the settlement (决算) per approved line,
 * the acceptance panel's checklists, and the reviewer's 通过 / 整改; after 整改 the unit files
 * a new request (a new round) and the same panel checks it again.
 */
export class AcceptanceService {
  /** 合同签订: construction starts on the contract date. */
  async startConstruction(
    projectId: number,
    contractSignedOn: DateTime,
    note: string | null,
    actor: ReviewActor
  ) {
    return db.transaction(async (trx) => {
      const project = await this.ownProject(projectId, actor, trx, 'start_construction')
      await transition(project.id, 'start_construction', actor, trx, {
        comment: note,
        details: { contractSignedOn: contractSignedOn.toISODate() },
      })
      await this.writeMilestone(project.id, 'contract_signed', contractSignedOn, note, actor, trx)
    })
  }

  /** 上线 / 试运行 (or a corrected 合同签订 date) while the project is being built. */
  async recordMilestone(
    projectId: number,
    kind: MilestoneKind,
    happenedOn: DateTime,
    note: string | null,
    actor: ReviewActor
  ) {
    return db.transaction(async (trx) => {
      const project = await this.ownProject(projectId, actor, trx)
      if (!projectMachine.can(project.state, 'request_acceptance')) {
        throw new ReviewError('acceptance.errors.not_in_construction')
      }
      await this.writeMilestone(project.id, kind, happenedOn, note, actor, trx)
    })
  }

  protected async writeMilestone(
    projectId: number,
    kind: MilestoneKind,
    happenedOn: DateTime,
    note: string | null,
    actor: ReviewActor,
    trx: TransactionClientContract
  ) {
    if (!happenedOn.isValid || happenedOn > DateTime.utc().plus({ days: 1 })) {
      throw new ReviewError('acceptance.errors.milestone_date', {}, { status: 422 })
    }
    await ProjectMilestone.query({ client: trx })
      .where('project_id', projectId)
      .where('kind', kind)
      .delete()
    const milestone = await ProjectMilestone.create(
      { projectId, kind, happenedOn, note: note?.trim() || null, recordedById: actor.actorId },
      { client: trx }
    )
    await audit.record(
      {
        ...actor,
        action: 'review.milestone.record',
        targetType: 'project',
        targetId: projectId,
        details: { kind, happenedOn: happenedOn.toISODate(), note: milestone.note },
      },
      trx
    )
    return milestone
  }

  /**
   * 申请验收: the settlement of every approved line (none for a line outside the approved
   * budget, never negative; above the approved amount only with a written justification),
   * deliverables, 等保测评 result and trial-run report (PDFs attached beforehand). Every refusal
   * at once, each next to its field; nothing is written unless all are fine.
   */
  async request(projectId: number, input: AcceptanceInput, actor: ReviewActor) {
    const created = await db.transaction(async (trx) => {
      const project = await this.ownProject(projectId, actor, trx, 'request_acceptance')
      const items = await BudgetItem.query({ client: trx })
        .where('project_id', project.id)
        .orderBy('position')
      const refusals: FieldRefusal[] = []
      if (!input.deliverables?.trim()) {
        refusals.push({ field: 'deliverables', i18nKey: 'acceptance.errors.deliverables_required' })
      }
      if (!input.trialRunSummary?.trim()) {
        refusals.push({
          field: 'trialRunSummary',
          i18nKey: 'acceptance.errors.trial_run_required',
        })
      }
      if (!SECURITY_RESULTS.includes(input.securityResult)) {
        refusals.push({ field: 'securityResult', i18nKey: 'acceptance.errors.security_required' })
      }
      const lines = this.checkSettlement(items, input.lines, refusals)
      const kinds = await ProjectAttachment.query({ client: trx })
        .where('project_id', project.id)
        .select('kind')
      const attached = new Set(kinds.map((row) => row.kind))
      const needed = [
        'trial_run',
        ...(input.securityResult === 'not_required' ? [] : ['security_report']),
      ]
      for (const kind of needed) {
        if (!attached.has(kind as ProjectAttachment['kind'])) {
          refusals.push({
            field: 'attachments',
            i18nKey: `acceptance.errors.attachment_missing_${kind}`,
          })
        }
      }
      refuseFields(refusals)

      const previous = await AcceptanceRequest.query({ client: trx })
        .where('project_id', project.id)
        .max('round as last')
        .first()
      const round = Number(previous?.$extras.last ?? 0) + 1
      const settledFen = sumFen(lines.map((line) => line.settledFen))
      const request = await AcceptanceRequest.create(
        {
          projectId: project.id,
          round,
          status: 'submitted',
          deliverables: input.deliverables.trim(),
          securityResult: input.securityResult,
          securityNote: input.securityNote?.trim() || null,
          trialRunSummary: input.trialRunSummary.trim(),
          settledFen,
          rectificationItems: [],
          requestedById: actor.actorId,
        },
        { client: trx }
      )
      await SettlementLine.createMany(
        lines.map((line) => ({ ...line, acceptanceRequestId: request.id })),
        { client: trx }
      )
      const approvedFen = sumFen(lines.map((line) => line.approvedFen))
      await transition(project.id, 'request_acceptance', actor, trx, {
        details: {
          acceptanceRequestId: request.id,
          round,
          approvedFen,
          settledFen,
          overApproved: lines
            .filter((line) => line.settledFen > line.approvedFen)
            .map((line) => line.budgetItemId),
        },
      })
      return request
    })
    await notices.send(projectId, 'acceptance_requested', ['reviewers'], {
      round: created.round,
    })
    return created
  }

  /** One settlement row per approved line; refusals collected next to their field. */
  protected checkSettlement(
    items: BudgetItem[],
    input: SettlementInput[],
    refusals: FieldRefusal[]
  ) {
    const approved = items.filter((item) => (item.approvedFen ?? 0) > 0)
    const rows = Array.isArray(input) ? input : []
    rows.forEach((row, index) => {
      const item = approved.find((candidate) => candidate.id === Number(row.budgetItemId))
      if (!item) {
        refusals.push({
          field: `lines.${index}.budgetItemId`,
          i18nKey: 'acceptance.errors.line_not_in_budget',
          values: { id: String(row.budgetItemId) },
        })
      }
    })
    const lines: Omit<SettlementLine['$attributes'], 'id' | 'acceptanceRequestId'>[] = []
    approved.forEach((item, index) => {
      const row = rows.findIndex((candidate) => Number(candidate.budgetItemId) === item.id)
      const at = (name: string) => `lines.${row === -1 ? index : row}.${name}`
      const line = row === -1 ? undefined : rows[row]
      const number = items.indexOf(item) + 1
      if (!line || line.settled === undefined || line.settled === null) {
        refusals.push({
          field: at('settled'),
          i18nKey: 'acceptance.errors.settlement_missing',
          values: { line: number },
        })
        return
      }
      if (!Number.isSafeInteger(line.settled) || line.settled < 0) {
        refusals.push({
          field: at('settled'),
          i18nKey: 'acceptance.errors.settlement_negative',
          values: { line: number },
        })
        return
      }
      const justification = line.justification?.trim() || null
      if (line.settled > item.approvedFen! && !justification) {
        refusals.push({
          field: at('justification'),
          i18nKey: 'acceptance.errors.justification_required',
          values: { line: number },
        })
        return
      }
      lines.push({
        budgetItemId: item.id,
        approvedFen: item.approvedFen!,
        settledFen: line.settled,
        justification,
      })
    })
    return lines as {
      budgetItemId: number
      approvedFen: number
      settledFen: number
      justification: string | null
    }[]
  }

  /** The acceptance panel, its current request and this expert's seat and checklist. */
  async checkFor(projectId: number, actor: ReviewActor, trx?: TransactionClientContract) {
    const options = trx ? { client: trx } : {}
    const panel = await ReviewPanel.query(options)
      .where('project_id', projectId)
      .where('purpose', 'acceptance')
      .first()
    if (!panel || !panel.acceptanceRequestId) throw forbidden()
    const expert = actor.user ? await Expert.findBy('user_id', actor.user.id, options) : null
    if (!expert) throw forbidden()
    const seat = await PanelMember.query(options)
      .where('panel_id', panel.id)
      .where('expert_id', expert.id)
      .first()
    if (!seat || !seat.isSitting) throw forbidden()
    const check = await AcceptanceCheck.query(options)
      .where('acceptance_request_id', panel.acceptanceRequestId)
      .where('expert_id', expert.id)
      .first()
    return { panel, expert, seat, check, form: this.formOf(panel) }
  }

  formOf(panel: ReviewPanel): ChecklistForm {
    return panel.form?.kind === 'checklist' ? panel.form : DEFAULT_ACCEPTANCE_CHECKLIST
  }

  /**
   * Saves an acceptance expert's checklist, or submits it (`submit`): every item 通过 / 不通过,
   * a note where it fails, an opinion. Submitted checklists are final.
   */
  async saveCheck(projectId: number, input: CheckInput, actor: ReviewActor, submit: boolean) {
    return db.transaction(async (trx) => {
      const project = await lockProject(projectId, trx)
      const { panel, expert, check } = await this.checkFor(projectId, actor, trx)
      if (!panel.isOpen || !projectMachine.can(project.state, 'pass_acceptance')) {
        throw new ReviewError('review.panel.errors.closed')
      }
      if (check && !check.isEditable) throw new ReviewError('acceptance.errors.check_submitted')
      const form = this.formOf(panel)
      const answers: ChecklistAnswers = { results: {}, notes: {} }
      for (const item of form.items) {
        const result = input.results?.[item.key]
        if (result === 'pass' || result === 'fail') answers.results[item.key] = result
        const note = input.notes?.[item.key]?.trim()
        if (note) answers.notes[item.key] = note
      }
      const opinion = input.opinion?.trim() || null
      if (submit) {
        const gaps = checklistGaps(form, answers)
        const refusals: FieldRefusal[] = [
          ...gaps.missing.map((key) => ({
            field: `results.${key}`,
            i18nKey: 'acceptance.errors.check_item_missing',
            values: { item: form.items.find((item) => item.key === key)!.label },
          })),
          ...gaps.noteMissing.map((key) => ({
            field: `notes.${key}`,
            i18nKey: 'acceptance.errors.check_note_required',
            values: { item: form.items.find((item) => item.key === key)!.label },
          })),
        ]
        if (!opinion) {
          refusals.push({ field: 'opinion', i18nKey: 'acceptance.errors.opinion_required' })
        }
        refuseFields(refusals)
      }
      let row = check
      if (!row) {
        row = await AcceptanceCheck.create(
          {
            panelId: panel.id,
            acceptanceRequestId: panel.acceptanceRequestId!,
            expertId: expert.id,
            status: 'draft',
            results: answers,
            opinion,
          },
          { client: trx }
        )
      } else {
        await trx
          .from('acceptance_checks')
          .where('id', row.id)
          .update({ results: JSON.stringify(answers), opinion, updated_at: sqlNow() })
      }
      if (submit) {
        await checkMachine.apply({
          trx,
          id: row.id,
          from: row.status,
          action: 'submit',
          actor,
          columns: { submitted_at: sqlNow() },
        })
      }
      await audit.record(
        {
          ...actor,
          action: submit ? 'review.acceptance.check_submit' : 'review.acceptance.check_save',
          targetType: 'project',
          targetId: project.id,
          details: {
            panelId: panel.id,
            acceptanceRequestId: panel.acceptanceRequestId,
            expertId: expert.id,
            results: answers.results,
          },
        },
        trx
      )
      return AcceptanceCheck.query({ client: trx }).where('id', row.id).firstOrFail()
    })
  }

  /** The checklists of the current request: sitting experts, who submitted, the tally. */
  async progress(projectId: number, trx?: TransactionClientContract) {
    const options = trx ? { client: trx } : {}
    const panel = await ReviewPanel.query(options)
      .where('project_id', projectId)
      .where('purpose', 'acceptance')
      .preload('members', (q) => q.preload('expert'))
      .first()
    if (!panel || !panel.acceptanceRequestId) return null
    const checks = await AcceptanceCheck.query(options)
      .where('acceptance_request_id', panel.acceptanceRequestId)
      .preload('expert')
      .orderBy('id')
    const sitting = panel.members.filter((member) => member.isSitting)
    const submitted = checks.filter((check) => !check.isEditable)
    const form = this.formOf(panel)
    return {
      panel,
      form,
      sitting,
      checks,
      submitted,
      pending: sitting.filter(
        (member) => !submitted.some((check) => check.expertId === member.expertId)
      ),
      tally: tallyChecklists(
        form,
        submitted.map((check) => check.results)
      ),
    }
  }

  /**
   * The reviewer's conclusion once every sitting expert has submitted: 通过 (the settlement
   * becomes the project's 决算, acceptance date recorded) or 整改 with itemised rectification
   * (the unit files a new request). Panel closed either way; unit and panel told by e-mail.
   */
  async decide(
    projectId: number,
    outcome: 'pass' | 'rectify',
    items: string[],
    comment: string | null,
    actor: ReviewActor
  ) {
    const result = await db.transaction(async (trx) => {
      const project = await lockProject(projectId, trx)
      const action = outcome === 'pass' ? 'pass_acceptance' : 'order_rectification'
      const reasons = (items ?? []).map((item) => item.trim()).filter(Boolean)
      projectMachine.assert(project.state, action, actor.roles, { reasons })
      const progress = await this.progress(project.id, trx)
      if (!progress) throw new ReviewError('acceptance.errors.no_panel')
      if (progress.pending.length > 0) {
        throw new ReviewError('acceptance.errors.checks_pending', {
          pending: progress.pending.length,
        })
      }
      if (progress.submitted.length === 0) throw new ReviewError('acceptance.errors.no_checks')
      const request = await AcceptanceRequest.query({ client: trx })
        .where('id', progress.panel.acceptanceRequestId!)
        .firstOrFail()
      await requestMachine.apply({
        trx,
        id: request.id,
        from: request.status,
        action: outcome,
        actor,
        input: { reasons },
        columns: {
          rectification_items: JSON.stringify(outcome === 'rectify' ? reasons : []),
          conclusion_comment: comment?.trim() || null,
          decided_by_id: actor.actorId,
          decided_at: sqlNow(),
        },
      })
      await panelMachine.apply({
        trx,
        id: progress.panel.id,
        from: progress.panel.status,
        action: 'close',
        actor,
        touch: false,
        columns: { closed_at: sqlNow() },
      })
      await transition(project.id, action, actor, trx, {
        comment,
        reasons: outcome === 'rectify' ? reasons : [],
        details: {
          acceptanceRequestId: request.id,
          round: request.round,
          settledFen: request.settledFen,
          checklist: progress.tally.items.map((item) => ({
            key: item.key,
            passed: item.passed,
            failed: item.failed,
          })),
        },
      })
      if (outcome === 'pass') {
        await trx
          .from('projects')
          .where('id', project.id)
          .update({ settled_fen: request.settledFen, completed_at: sqlNow() })
      }
      return { request, round: request.round }
    })
    await notices.send(
      projectId,
      outcome === 'pass' ? 'acceptance_passed' : 'acceptance_rectify',
      ['unit', 'panel'],
      { items: (items ?? []).filter((item) => item.trim()).join('；'), round: result.round }
    )
    return result
  }

  /** Requests of a project, newest first, with their settlement lines and budget lines. */
  async requestsOf(projectId: number) {
    return AcceptanceRequest.query()
      .where('project_id', projectId)
      .preload('lines', (q) => q.preload('budgetItem'))
      .orderBy('round', 'desc')
  }

  /** Loads the project for a unit action: state checked first, then the acting unit. */
  protected async ownProject(
    projectId: number,
    actor: ReviewActor,
    trx: TransactionClientContract,
    action?: 'start_construction' | 'request_acceptance'
  ): Promise<Project> {
    const project = await lockProject(projectId, trx)
    if (action) projectMachine.assert(project.state, action, actor.roles)
    if (actor.roles !== 'system' && actor.user?.unitId !== project.unitId) throw forbidden()
    return project
  }
}

export default new AcceptanceService()
