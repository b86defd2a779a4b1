import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import audit from '#core/audit/audit_service'
import { MoneyError, lineAmountFen } from '#core/money'
import PanelMember from '#project_review/models/panel_member'
import ScoreSheet, { type CutReason } from '#project_review/models/score_sheet'
import SheetItem from '#project_review/models/sheet_item'
import BudgetItem from '#project_review/models/budget_item'
import ReviewPanel from '#project_review/models/review_panel'
import Expert from '#project_review/models/expert'
import { ReviewRuleError, sheetTotal } from '#project_review/domain/aggregation'
import { ReviewError, forbidden, refuseFields, type FieldRefusal } from '#project_review/errors'
import { lockProject, transition } from '#project_review/services/transitions'
import type { ReviewActor } from '#project_review/services/actor'
import { projectMachine } from '#project_review/lifecycle'
import { EDITABLE_SHEET_STATUSES, sheetMachine } from '#project_review/state_machines'

export interface SheetItemInput {
  budgetItemId: number
  quantity?: number | null
  /** integer fen */
  unitPrice?: number | null
  cutReason?: CutReason | null
  note?: string | null
}

/** One validated recommendation, ready to store. */
interface SheetLine {
  budgetItemId: number
  quantity: number
  unitPriceFen: number
  amountFen: number
  cutReason: CutReason | null
  note: string | null
}

export interface SheetInput {
  scores: Record<string, number | null | undefined>
  opinion?: string | null
  items: SheetItemInput[]
}

/**
 * Score sheets (评审表): an invited expert declares no conflict, which opens the sheet; scores
 * and per-line recommendations are saved as a draft and submitted once. A submitted sheet is
 * immutable: a second submission, concurrent or not, is refused; only a reviewer's return
 * (with a logged reason) reopens it.
 */
export class SheetService {
  /** The expert record of the acting user, or a refusal. */
  async expertOf(actor: ReviewActor, trx?: TransactionClientContract) {
    const expert = actor.actorId
      ? await Expert.query(trx ? { client: trx } : {})
          .where('user_id', actor.actorId)
          .first()
      : null
    if (!expert) throw forbidden()
    return expert
  }

  /** 无利害关系声明: opens the expert's sheet and, for the first expert, starts the review. */
  async declareNoConflict(memberId: number, actor: ReviewActor) {
    return db.transaction(async (trx) => {
      const expert = await this.expertOf(actor, trx)
      const member = await PanelMember.query({ client: trx })
        .where('id', memberId)
        .preload('panel')
        .first()
      if (
        !member ||
        member.expertId !== expert.id ||
        !member.isSitting ||
        !this.holdsSeat(member, actor)
      ) {
        throw forbidden()
      }
      const project = await lockProject(member.panel.projectId, trx)
      if (!member.panel.isOpen || member.panel.isAcceptance) {
        throw new ReviewError('review.panel.errors.closed')
      }
      const existing = await ScoreSheet.query({ client: trx })
        .where('panel_id', member.panelId)
        .where('expert_id', expert.id)
        .first()
      if (existing) return existing
      if (projectMachine.can(project.state, 'begin_review')) {
        await transition(project.id, 'begin_review', actor, trx)
      }
      member.useTransaction(trx)
      member.noConflictDeclaredAt = DateTime.utc()
      await member.save()
      const sheet = await ScoreSheet.create(
        { panelId: member.panelId, expertId: expert.id, status: 'draft', scores: {}, version: 0 },
        { client: trx }
      )
      await audit.record(
        {
          ...actor,
          action: 'review.sheet.declare_no_conflict',
          targetType: 'project',
          targetId: project.id,
          details: { panelId: member.panelId, expertId: expert.id, sheetId: sheet.id },
        },
        trx
      )
      return sheet
    })
  }

  /** Saves the sheet as a draft, or submits it (`submit`), refusing anything incomplete. */
  async save(sheetId: number, input: SheetInput, actor: ReviewActor, submit: boolean) {
    const { sheet } = await this.persist(sheetId, input, actor, submit ? 'submit' : 'save')
    return sheet
  }

  /**
   * "提交评审表", first step: checks the sheet as a submission would (every refusal at once),
   * keeps it as a draft and returns what the confirmation shows: the weighted total and the
   * recommended amount. Nothing is submitted until `confirmSubmit` with the returned version.
   */
  async preview(sheetId: number, input: SheetInput, actor: ReviewActor) {
    return this.persist(sheetId, input, actor, 'preview')
  }

  /**
   * "确认提交": submits the draft exactly as the confirmation showed it; a sheet changed since
   * (another tab, another save) is refused so the expert checks it again.
   */
  async confirmSubmit(sheetId: number, version: number, actor: ReviewActor) {
    const sheet = await ScoreSheet.query().where('id', sheetId).preload('items').firstOrFail()
    const input: SheetInput = {
      scores: sheet.scores,
      opinion: sheet.opinion,
      items: sheet.items.map((line) => ({
        budgetItemId: line.budgetItemId,
        quantity: line.quantity,
        unitPrice: line.unitPriceFen,
        cutReason: line.cutReason,
        note: line.note,
      })),
    }
    const { sheet: submitted } = await this.persist(sheetId, input, actor, 'submit', version)
    return submitted
  }

  protected async persist(
    sheetId: number,
    input: SheetInput,
    actor: ReviewActor,
    mode: 'save' | 'preview' | 'submit',
    expectedVersion?: number
  ) {
    const submit = mode === 'submit'
    const complete = mode !== 'save'
    return db.transaction(async (trx) => {
      const expert = await this.expertOf(actor, trx)
      const sheet = await this.lockSheet(sheetId, trx)
      if (!sheet || sheet.expertId !== expert.id) {
        throw forbidden()
      }
      const panel = await ReviewPanel.query({ client: trx })
        .where('id', sheet.panelId)
        .firstOrFail()
      const seat = await PanelMember.query({ client: trx })
        .where('panel_id', panel.id)
        .where('expert_id', expert.id)
        .first()
      if (!seat || !seat.isSitting || !this.holdsSeat(seat, actor)) throw forbidden()
      const project = await lockProject(panel.projectId, trx)
      if (!sheet.isEditable) throw new ReviewError('review.sheets.errors.already_submitted')
      if (!panel.isOpen || !projectMachine.can(project.state, 'close_panel')) {
        throw new ReviewError('review.panel.errors.closed')
      }
      if (expectedVersion !== undefined && sheet.version !== expectedVersion) {
        throw new ReviewError('review.sheets.errors.changed_since_preview')
      }
      const budget = await BudgetItem.query({ client: trx })
        .where('project_id', project.id)
        .orderBy('position')
      const refusals: FieldRefusal[] = []
      const scores = this.checkScores(panel, input.scores, complete, refusals)
      const lines = this.checkItems(budget, input.items, complete, refusals)
      const opinion = input.opinion?.trim() || null
      if (complete && !opinion) {
        refusals.push({ field: 'opinion', i18nKey: 'review.sheets.errors.opinion_required' })
      }
      refuseFields(refusals)

      let totalHundredths: number | null = null
      if (complete) {
        try {
          totalHundredths = Math.round(sheetTotal(panel.criteria, scores) * 100)
        } catch (error) {
          if (error instanceof ReviewRuleError) throw ReviewError.fromDomain(error)
          throw error
        }
      }

      await SheetItem.query({ client: trx }).where('score_sheet_id', sheet.id).delete()
      if (lines.length) {
        await SheetItem.createMany(
          lines.map((line) => ({ ...line, scoreSheetId: sheet.id })),
          { client: trx }
        )
      }
      const changed = await trx
        .from('score_sheets')
        .where('id', sheet.id)
        .where('version', sheet.version)
        .whereIn('status', [...EDITABLE_SHEET_STATUSES])
        .update({
          scores: JSON.stringify(scores),
          opinion,
          status: submit ? sheetMachine.target('submit') : sheet.status,
          total_hundredths: submit ? totalHundredths : null,
          submitted_at: submit ? DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss') : null,
          version: sheet.version + 1,
          updated_at: DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss'),
        })
      if (Number(Array.isArray(changed) ? changed[0] : changed) !== 1) {
        throw new ReviewError('review.sheets.errors.already_submitted')
      }
      const recommendedFen = lines.reduce((sum, line) => sum + line.amountFen, 0)
      await audit.record(
        {
          ...actor,
          action: submit ? 'review.sheet.submit' : 'review.sheet.save',
          targetType: 'project',
          targetId: project.id,
          details: {
            sheetId: sheet.id,
            expertId: expert.id,
            total: submit && totalHundredths !== null ? totalHundredths / 100 : null,
            recommendedFen,
          },
        },
        trx
      )
      return {
        sheet: await ScoreSheet.query({ client: trx }).where('id', sheet.id).firstOrFail(),
        totalHundredths,
        recommendedFen,
        requestedFen: budget.reduce((sum, item) => sum + item.amountFen, 0),
        criteria: panel.criteria,
        scores,
      }
    })
  }

  /** A reviewer sends a submitted sheet back to its expert, with a reason that is logged. */
  async returnSheet(sheetId: number, reason: string, actor: ReviewActor) {
    return db.transaction(async (trx) => {
      const sheet = await this.lockSheet(sheetId, trx)
      if (!sheet) throw new ReviewError('review.sheets.errors.not_found', {}, { status: 404 })
      const panel = await ReviewPanel.query({ client: trx })
        .where('id', sheet.panelId)
        .firstOrFail()
      const project = await lockProject(panel.projectId, trx)
      if (!panel.isOpen || !projectMachine.can(project.state, 'close_panel')) {
        throw new ReviewError('review.panel.errors.closed')
      }
      if (!sheetMachine.can(sheet.status, 'return')) {
        throw new ReviewError('review.sheets.errors.not_submitted')
      }
      await trx
        .from('score_sheets')
        .where('id', sheet.id)
        .update({
          status: sheetMachine.target('return'),
          return_reason: reason,
          version: sheet.version + 1,
          updated_at: DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss'),
        })
      await audit.record(
        {
          ...actor,
          action: 'review.sheet.return',
          targetType: 'project',
          targetId: project.id,
          details: { sheetId: sheet.id, expertId: sheet.expertId, reason },
        },
        trx
      )
    })
  }

  /** The seat is held by the acting login (seats drawn before logins were recorded: by expert). */
  protected holdsSeat(member: PanelMember, actor: ReviewActor) {
    return member.userId === null || member.userId === actor.actorId
  }

  protected async lockSheet(sheetId: number, trx: TransactionClientContract) {
    const query = ScoreSheet.query({ client: trx }).where('id', sheetId)
    if (!trx.dialect.name.includes('sqlite')) query.forUpdate()
    return query.first()
  }

  /**
   * Scores within [0, max] with at most 2 decimals; a complete sheet needs every criterion. Each
   * refusal is collected next to its field.
   */
  protected checkScores(
    panel: ReviewPanel,
    input: SheetInput['scores'],
    complete: boolean,
    refusals: FieldRefusal[]
  ): Record<string, number> {
    const scores: Record<string, number> = {}
    for (const criterion of panel.criteria) {
      const value = input[criterion.key]
      const field = `scores.${criterion.key}`
      if (value === null || value === undefined) {
        if (complete) {
          refusals.push({
            field,
            i18nKey: 'review.score_missing',
            values: { key: criterion.label },
          })
        }
        continue
      }
      if (!Number.isFinite(value) || value < 0 || value > criterion.maxScore) {
        refusals.push({
          field,
          i18nKey: 'review.score_out_of_range',
          values: { key: criterion.label, score: value, maxScore: criterion.maxScore },
        })
        continue
      }
      if (Math.abs(Math.round(value * 100) - value * 100) > 1e-6) {
        refusals.push({
          field,
          i18nKey: 'review.score_precision',
          values: { key: criterion.label, score: value },
        })
        continue
      }
      scores[criterion.key] = value
    }
    return scores
  }

  /**
   * Per-line recommendations: quantity 0…requested, unit price 0…requested; a line recommended
   * below its requested amount needs a cut reason. Lines left empty keep the requested figures
   * on a draft and are refused on a complete sheet. Field names follow the form's rows.
   */
  protected checkItems(
    budget: BudgetItem[],
    input: SheetItemInput[],
    complete: boolean,
    refusals: FieldRefusal[]
  ) {
    const rowOf = new Map(input.map((line, row) => [Number(line.budgetItemId), row]))
    const lines: SheetLine[] = []
    budget.forEach((item, index) => {
      const row = rowOf.get(item.id) ?? index
      const line = input[row]?.budgetItemId === item.id ? input[row] : undefined
      const number = index + 1
      const at = (name: string) => `items.${row}.${name}`
      if (
        !line ||
        line.quantity === null ||
        line.quantity === undefined ||
        line.unitPrice === null ||
        line.unitPrice === undefined
      ) {
        if (complete) {
          const missing = line?.quantity === null || line?.quantity === undefined
          refusals.push({
            field: at(missing ? 'quantity' : 'unitPrice'),
            i18nKey: 'review.sheets.errors.line_missing',
            values: { line: number },
          })
        }
        return
      }
      let ok = true
      if (line.quantity > item.quantity) {
        refusals.push({
          field: at('quantity'),
          i18nKey: 'review.sheets.errors.quantity_above_request',
          values: { line: number },
        })
        ok = false
      }
      if (line.unitPrice > item.unitPriceFen) {
        refusals.push({
          field: at('unitPrice'),
          i18nKey: 'review.sheets.errors.price_above_request',
          values: { line: number },
        })
        ok = false
      }
      if (!ok) return
      let amountFen = 0
      try {
        amountFen = line.quantity === 0 ? 0 : lineAmountFen(line.quantity, line.unitPrice)
      } catch (error) {
        if (error instanceof MoneyError) throw ReviewError.fromDomain(error)
        throw error
      }
      if (amountFen < item.amountFen && !line.cutReason && complete) {
        refusals.push({
          field: at('cutReason'),
          i18nKey: 'review.sheets.errors.cut_reason_required',
          values: { line: number },
        })
        return
      }
      lines.push({
        budgetItemId: item.id,
        quantity: line.quantity,
        unitPriceFen: line.unitPrice,
        amountFen,
        cutReason: amountFen < item.amountFen ? (line.cutReason ?? null) : null,
        note: line.note?.trim() || null,
      })
    })
    return lines
  }
}

export default new SheetService()
