import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { sumFen } from '#core/money'
import BudgetItem from '#project_review/models/budget_item'
import Project from '#project_review/models/project'
import PanelMember from '#project_review/models/panel_member'
import ReviewPanel, { type PanelAggregation } from '#project_review/models/review_panel'
import ScoreSheet from '#project_review/models/score_sheet'
import SheetItem from '#project_review/models/sheet_item'
import {
  ReviewRuleError,
  conclusionFor,
  cutFigures,
  medianFen,
  panelScore,
} from '#project_review/domain/aggregation'
import { projectMachine, type ProjectState } from '#project_review/lifecycle'
import { panelMachine, seatMachine } from '#project_review/state_machines'
import { ReviewError, refuseFields, type FieldRefusal } from '#project_review/errors'
import { lockProject, transition } from '#project_review/services/transitions'
import reviewSettings from '#project_review/services/review_settings'
import type { ReviewActor } from '#project_review/services/actor'

/** A panel needs at least this many submitted sheets before it can be closed. */
export const MIN_SHEETS = 3

export interface ApprovedLineInput {
  budgetItemId: number
  /** integer fen */
  approved: number
  reason?: string | null
}

/**
 * The reviewer's end of a review: closing the panel aggregates the sheets (trimmed mean score,
 * conclusion, median recommendation per line); approval fixes the approved budget line by line;
 * a decline records why.
 */
export class DecisionService {
  async closePanel(projectId: number, actor: ReviewActor) {
    return db.transaction(async (trx) => {
      const project = await lockProject(projectId, trx)
      projectMachine.assert(project.state, 'close_panel', actor.roles)
      const panel = await ReviewPanel.query({ client: trx })
        .where('project_id', project.id)
        .where('purpose', 'review')
        .firstOrFail()
      const sitting = await PanelMember.query({ client: trx })
        .where('panel_id', panel.id)
        .where('status', seatMachine.target('call'))
      const sheets = await ScoreSheet.query({ client: trx })
        .where('panel_id', panel.id)
        .whereIn(
          'expert_id',
          sitting.map((member) => member.expertId)
        )
        .orderBy('id')
      const submitted = sheets.filter((sheet) => !sheet.isEditable)
      const pending = sitting.length - submitted.length
      if (pending > 0) throw new ReviewError('review.panel.errors.sheets_pending', { pending })
      if (submitted.length < MIN_SHEETS) {
        throw new ReviewError('review.panel.errors.too_few_sheets', {
          min: MIN_SHEETS,
          count: submitted.length,
        })
      }

      const { thresholds } = await reviewSettings.get(trx)
      const totals = submitted.map((sheet) => sheet.totalHundredths! / 100)
      let aggregation: PanelAggregation
      try {
        const result = panelScore(totals)
        aggregation = {
          sheetIds: submitted.map((sheet) => sheet.id),
          totals,
          droppedHighestSheetId:
            result.droppedHighestIndex === null ? null : submitted[result.droppedHighestIndex].id,
          droppedLowestSheetId:
            result.droppedLowestIndex === null ? null : submitted[result.droppedLowestIndex].id,
          score: result.score,
          conclusion: conclusionFor(result.score, thresholds),
          thresholds,
        }
      } catch (error) {
        if (error instanceof ReviewRuleError) throw ReviewError.fromDomain(error)
        throw error
      }

      const items = await BudgetItem.query({ client: trx }).where('project_id', project.id)
      const recommendations = await SheetItem.query({ client: trx }).whereIn(
        'score_sheet_id',
        aggregation.sheetIds
      )
      for (const item of items) {
        const amounts = recommendations
          .filter((line) => line.budgetItemId === item.id)
          .map((line) => line.amountFen)
        item.useTransaction(trx)
        item.recommendedFen = amounts.length ? medianFen(amounts) : item.amountFen
        await item.save()
      }

      const scoreHundredths = Math.round(aggregation.score * 100)
      await panelMachine.apply({
        trx,
        id: panel.id,
        from: panel.status,
        action: 'close',
        actor,
        touch: false,
        columns: {
          closed_at: DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss'),
          final_score_hundredths: scoreHundredths,
          conclusion: aggregation.conclusion,
          aggregation: JSON.stringify(aggregation),
        },
      })
      const recommendedFen = sumFen(items.map((item) => item.recommendedFen!))
      await transition(project.id, 'close_panel', actor, trx, {
        details: {
          score: aggregation.score,
          conclusion: aggregation.conclusion,
          sheets: aggregation.sheetIds.length,
          recommendedFen,
        },
      })
      await trx.from('projects').where('id', project.id).update({
        final_score_hundredths: scoreHundredths,
        conclusion: aggregation.conclusion,
      })
      return aggregation
    })
  }

  /**
   * 批复立项, first step: checks every line (all refusals at once, each next to its field) and
   * returns the figures the confirmation page shows; nothing is written.
   */
  async previewApproval(projectId: number, lines: ApprovedLineInput[], actor: ReviewActor) {
    const project = await Project.findOrFail(projectId)
    this.assertMay(project.state, 'approve', actor)
    const items = await BudgetItem.query().where('project_id', project.id).orderBy('position')
    this.checkApproval(items, lines)
    const byId = new Map(lines.map((line) => [Number(line.budgetItemId), line]))
    const figures = cutFigures(
      items.map((item) => ({
        requestedFen: item.amountFen,
        approvedFen: byId.get(item.id)!.approved,
      }))
    )
    return {
      project,
      figures,
      lines: items.map((item) => ({ item, ...byId.get(item.id)! })),
    }
  }

  /**
   * 批复立项: the approved amount of every line (0…requested); one that differs from the
   * panel's recommendation needs a reason. Cut figures are recorded in the audit trail.
   */
  async approve(
    projectId: number,
    lines: ApprovedLineInput[],
    comment: string | null,
    actor: ReviewActor
  ) {
    return db.transaction(async (trx) => {
      const project = await lockProject(projectId, trx)
      this.assertMay(project.state, 'approve', actor)
      const items = await BudgetItem.query({ client: trx })
        .where('project_id', project.id)
        .orderBy('position')
      this.checkApproval(items, lines)
      const byId = new Map(lines.map((line) => [Number(line.budgetItemId), line]))
      for (const item of items) {
        const line = byId.get(item.id)!
        item.useTransaction(trx)
        item.approvedFen = line.approved
        item.approvalReason = line.reason?.trim() || null
        await item.save()
      }
      const figures = cutFigures(
        items.map((item) => ({ requestedFen: item.amountFen, approvedFen: item.approvedFen! }))
      )
      await transition(project.id, 'approve', actor, trx, {
        comment,
        details: { ...figures },
      })
      await trx
        .from('projects')
        .where('id', project.id)
        .update({
          approved_fen: figures.approvedFen,
          requested_fen: figures.requestedFen,
          decision_comment: comment,
          decided_at: DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss'),
        })
      return figures
    })
  }

  /** 不予立项, first step: the transition must be allowed before the confirmation is shown. */
  async previewDecline(projectId: number, reason: string, actor: ReviewActor) {
    const project = await Project.findOrFail(projectId)
    this.assertMay(project.state, 'decline', actor, reason)
    return project
  }

  protected assertMay(
    state: ProjectState,
    action: 'approve' | 'decline',
    actor: ReviewActor,
    reason?: string
  ) {
    projectMachine.assert(state, action, actor.roles, { reason })
  }

  /** Every line 0…requested, a reason where it differs from the recommendation: all refusals. */
  protected checkApproval(items: BudgetItem[], lines: ApprovedLineInput[]) {
    const rowOf = new Map(lines.map((line, row) => [Number(line.budgetItemId), row]))
    const refusals: FieldRefusal[] = []
    items.forEach((item, index) => {
      const row = rowOf.get(item.id)
      const line = row === undefined ? undefined : lines[row]
      const at = (name: string) => `items.${row ?? index}.${name}`
      const number = index + 1
      if (!line || !Number.isSafeInteger(line.approved) || line.approved < 0) {
        refusals.push({
          field: at('approved'),
          i18nKey: 'review.decision.errors.line_missing',
          values: { line: number },
        })
        return
      }
      if (line.approved > item.currentFen) {
        refusals.push({
          field: at('approved'),
          i18nKey: 'review.decision.errors.above_request',
          values: { line: number },
        })
        return
      }
      if (line.approved !== item.recommendedFen && !line.reason?.trim()) {
        refusals.push({
          field: at('reason'),
          i18nKey: 'review.decision.errors.reason_required',
          values: { line: number },
        })
      }
    })
    refuseFields(refusals)
  }

  /** 不予立项, with the reason; nothing is approved, so the whole request counts as cut. */
  async decline(projectId: number, reason: string, actor: ReviewActor) {
    return db.transaction(async (trx) => {
      const project = await lockProject(projectId, trx)
      await transition(project.id, 'decline', actor, trx, {
        comment: reason,
        details: { requestedFen: project.requestedFen },
      })
      await BudgetItem.query({ client: trx })
        .where('project_id', project.id)
        .update({ approved_fen: 0 })
      await trx
        .from('projects')
        .where('id', project.id)
        .update({
          approved_fen: 0,
          decision_comment: reason,
          decided_at: DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss'),
        })
    })
  }
}

export default new DecisionService()
