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
import { ReviewError, forbidden } from '#project_review/errors'
import { lockProject, transition } from '#project_review/services/transitions'
import type { ReviewActor } from '#project_review/services/actor'

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
        member.status !== 'invited' ||
        !this.holdsSeat(member, actor)
      ) {
        throw forbidden()
      }
      const project = await lockProject(member.panel.projectId, trx)
      if (member.panel.status !== 'open') throw new ReviewError('review.panel.errors.closed')
      const existing = await ScoreSheet.query({ client: trx })
        .where('panel_id', member.panelId)
        .where('expert_id', expert.id)
        .first()
      if (existing) return existing
      if (project.state === 'panel_drawn') {
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
      if (!seat || seat.status !== 'invited' || !this.holdsSeat(seat, actor)) throw forbidden()
      const project = await lockProject(panel.projectId, trx)
      if (!sheet.isEditable) throw new ReviewError('review.sheets.errors.already_submitted')
      if (panel.status !== 'open' || project.state !== 'under_review') {
        throw new ReviewError('review.panel.errors.closed')
      }
      const budget = await BudgetItem.query({ client: trx })
        .where('project_id', project.id)
        .orderBy('position')
      const scores = this.checkScores(panel, input.scores, submit)
      const lines = this.checkItems(budget, input.items, submit)
      const opinion = input.opinion?.trim() || null
      if (submit && !opinion) throw new ReviewError('review.sheets.errors.opinion_required')

      let totalHundredths: number | null = null
      if (submit) {
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
        .whereIn('status', ['draft', 'returned'])
        .update({
          scores: JSON.stringify(scores),
          opinion,
          status: submit ? 'submitted' : sheet.status,
          total_hundredths: totalHundredths,
          submitted_at: submit ? DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss') : null,
          version: sheet.version + 1,
          updated_at: DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss'),
        })
      if (Number(Array.isArray(changed) ? changed[0] : changed) !== 1) {
        throw new ReviewError('review.sheets.errors.already_submitted')
      }
      await audit.record(
        {
          ...actor,
          action: submit ? 'review.sheet.submit' : 'review.sheet.save',
          targetType: 'project',
          targetId: project.id,
          details: {
            sheetId: sheet.id,
            expertId: expert.id,
            total: totalHundredths === null ? null : totalHundredths / 100,
            recommendedFen: lines.reduce((sum, line) => sum + line.amountFen, 0),
          },
        },
        trx
      )
      return ScoreSheet.query({ client: trx }).where('id', sheet.id).firstOrFail()
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
      if (panel.status !== 'open' || project.state !== 'under_review') {
        throw new ReviewError('review.panel.errors.closed')
      }
      if (sheet.status !== 'submitted') {
        throw new ReviewError('review.sheets.errors.not_submitted')
      }
      await trx
        .from('score_sheets')
        .where('id', sheet.id)
        .update({
          status: 'returned',
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

  /** Scores within [0, max] with at most 2 decimals; on submission every criterion is needed. */
  protected checkScores(
    panel: ReviewPanel,
    input: SheetInput['scores'],
    submit: boolean
  ): Record<string, number> {
    const scores: Record<string, number> = {}
    for (const criterion of panel.criteria) {
      const value = input[criterion.key]
      if (value === null || value === undefined) {
        if (submit) {
          throw new ReviewError('review.score_missing', { key: criterion.label }, { status: 422 })
        }
        continue
      }
      if (!Number.isFinite(value) || value < 0 || value > criterion.maxScore) {
        throw new ReviewError(
          'review.score_out_of_range',
          { key: criterion.label, score: value, maxScore: criterion.maxScore },
          { status: 422 }
        )
      }
      if (Math.abs(Math.round(value * 100) - value * 100) > 1e-6) {
        throw new ReviewError(
          'review.score_precision',
          { key: criterion.label, score: value },
          { status: 422 }
        )
      }
      scores[criterion.key] = value
    }
    return scores
  }

  /**
   * Per-line recommendations: quantity 0…requested, unit price 0…requested; a line recommended
   * below its requested amount needs a cut reason. Lines left empty keep the requested figures
   * on a draft and are refused on submission.
   */
  protected checkItems(budget: BudgetItem[], input: SheetItemInput[], submit: boolean) {
    const byId = new Map(input.map((line) => [Number(line.budgetItemId), line]))
    const lines: SheetLine[] = []
    budget.forEach((item, index) => {
      const line = byId.get(item.id)
      const number = index + 1
      if (
        !line ||
        line.quantity === null ||
        line.quantity === undefined ||
        line.unitPrice === null ||
        line.unitPrice === undefined
      ) {
        if (submit)
          throw new ReviewError(
            'review.sheets.errors.line_missing',
            { line: number },
            { status: 422 }
          )
        return
      }
      if (line.quantity > item.quantity) {
        throw new ReviewError(
          'review.sheets.errors.quantity_above_request',
          { line: number },
          { status: 422 }
        )
      }
      if (line.unitPrice > item.unitPriceFen) {
        throw new ReviewError(
          'review.sheets.errors.price_above_request',
          { line: number },
          { status: 422 }
        )
      }
      let amountFen = 0
      try {
        amountFen = line.quantity === 0 ? 0 : lineAmountFen(line.quantity, line.unitPrice)
      } catch (error) {
        if (error instanceof MoneyError) throw ReviewError.fromDomain(error)
        throw error
      }
      if (amountFen < item.amountFen && !line.cutReason && submit) {
        throw new ReviewError(
          'review.sheets.errors.cut_reason_required',
          { line: number },
          { status: 422 }
        )
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
