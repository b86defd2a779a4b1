import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import audit from '#core/audit/audit_service'
import { MoneyError, lineAmountFen, sumFen } from '#core/money'
import BudgetItem from '#project_review/models/budget_item'
import ReviewPanel from '#project_review/models/review_panel'
import ScoreSheet from '#project_review/models/score_sheet'
import { forbidden, refuseFields, type FieldRefusal } from '#project_review/errors'
import { lockProject, transition } from '#project_review/services/transitions'
import notices from '#project_review/services/notices'
import { projectMachine } from '#project_review/lifecycle'
import { sheetMachine } from '#project_review/state_machines'
import type { ReviewActor } from '#project_review/services/actor'

export interface RevisionLine {
  budgetItemId: number
  quantity: number
  /** integer fen */
  unitPrice: number
}

export interface RevisionInput {
  /** the applicant's answer to the expert opinions */
  note: string
  content?: string | null
  technicalPlan?: string | null
  lines: RevisionLine[]
}

/**
 * 修改后通过 as a real step: the reviewer asks for a revision (the panel concluded 修改后通过,
 * or the reviewer judges it needed), the applicant reads the anonymised expert opinions and
 * revises the text and the budget lines (never above the original request), then the reviewer
 * approves or declines as after any review.
 */
export class RevisionService {
  async requestRevision(projectId: number, reason: string, actor: ReviewActor) {
    await db.transaction(async (trx) => {
      await transition(projectId, 'request_revision', actor, trx, { comment: reason })
    })
    return notices.send(projectId, 'revision_requested', ['unit'], { reason })
  }

  /**
   * The panel's opinions without names: 专家A, 专家B … in sheet order, with each sheet's total
   * and line recommendations. What the applicant may read while revising.
   */
  async anonymisedOpinions(projectId: number) {
    const panel = await ReviewPanel.query()
      .where('project_id', projectId)
      .where('purpose', 'review')
      .first()
    if (!panel || !panel.isClosed) return []
    const sheets = await ScoreSheet.query()
      .where('panel_id', panel.id)
      .where('status', sheetMachine.target('submit'))
      .preload('items')
      .orderBy('id')
    return sheets.map((sheet, index) => ({
      label: String.fromCharCode(65 + index),
      opinion: sheet.opinion ?? '',
      total: sheet.total,
      items: sheet.items.map((item) => ({
        budgetItemId: item.budgetItemId,
        amountFen: item.amountFen,
        cutReason: item.cutReason,
        note: item.note,
      })),
    }))
  }

  async submitRevision(projectId: number, input: RevisionInput, actor: ReviewActor) {
    const result = await db.transaction(async (trx) => {
      const project = await lockProject(projectId, trx)
      projectMachine.assert(project.state, 'submit_revision', actor.roles)
      if (actor.roles !== 'system' && actor.user?.unitId !== project.unitId) throw forbidden()
      const items = await BudgetItem.query({ client: trx })
        .where('project_id', project.id)
        .orderBy('position')
      const refusals: FieldRefusal[] = []
      const note = input.note?.trim() ?? ''
      if (!note)
        refusals.push({ field: 'note', i18nKey: 'acceptance.errors.revision_note_required' })
      const byId = new Map(
        input.lines.map((line, row) => [Number(line.budgetItemId), { line, row }])
      )
      for (const line of input.lines) {
        if (!items.some((item) => item.id === Number(line.budgetItemId))) {
          refusals.push({
            field: 'lines',
            i18nKey: 'acceptance.errors.line_not_in_budget',
            values: { id: String(line.budgetItemId) },
          })
        }
      }
      const revised: { item: BudgetItem; quantity: number; unitPrice: number; amount: number }[] =
        []
      items.forEach((item, index) => {
        const entry = byId.get(item.id)
        const at = (name: string) => `lines.${entry?.row ?? index}.${name}`
        if (!entry) {
          refusals.push({
            field: at('quantity'),
            i18nKey: 'acceptance.errors.revision_line_missing',
            values: { line: index + 1 },
          })
          return
        }
        const { quantity, unitPrice } = entry.line
        let amount: number
        try {
          if (!Number.isSafeInteger(quantity) || quantity < 0) throw new MoneyError('negative')
          amount = lineAmountFen(quantity, unitPrice)
        } catch {
          refusals.push({
            field: at('unitPrice'),
            i18nKey: 'acceptance.errors.revision_line_invalid',
            values: { line: index + 1 },
          })
          return
        }
        if (amount > item.amountFen) {
          refusals.push({
            field: at('unitPrice'),
            i18nKey: 'acceptance.errors.revision_above_request',
            values: { line: index + 1 },
          })
          return
        }
        revised.push({ item, quantity, unitPrice, amount })
      })
      refuseFields(refusals)

      for (const { item, quantity, unitPrice, amount } of revised) {
        item.useTransaction(trx)
        item.merge({
          revisedQuantity: quantity,
          revisedUnitPriceFen: unitPrice,
          revisedFen: amount,
        })
        await item.save()
      }
      const columns: Record<string, unknown> = {
        revision_note: note,
        revised_at: DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss'),
      }
      if (input.content?.trim()) columns.content = input.content.trim()
      if (input.technicalPlan?.trim()) columns.technical_plan = input.technicalPlan.trim()
      await trx.from('projects').where('id', project.id).update(columns)
      const requestedFen = sumFen(items.map((item) => item.amountFen))
      const revisedFen = sumFen(revised.map((line) => line.amount))
      await audit.record(
        {
          ...actor,
          action: 'review.revision.save',
          targetType: 'project',
          targetId: project.id,
          details: {
            note,
            requestedFen,
            revisedFen,
            lines: revised.map(({ item, quantity, unitPrice, amount }) => ({
              budgetItemId: item.id,
              before: { quantity: item.quantity, unitPriceFen: item.unitPriceFen },
              after: { quantity, unitPriceFen: unitPrice, amountFen: amount },
            })),
            contentChanged: Boolean(
              input.content?.trim() && input.content.trim() !== project.content
            ),
            technicalPlanChanged: Boolean(
              input.technicalPlan?.trim() && input.technicalPlan.trim() !== project.technicalPlan
            ),
          },
        },
        trx
      )
      await transition(project.id, 'submit_revision', actor, trx, {
        details: { requestedFen, revisedFen },
      })
      return { requestedFen, revisedFen }
    })
    await notices.send(projectId, 'revision_submitted', ['reviewers'])
    return result
  }
}

export default new RevisionService()
