import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import audit from '#core/audit/audit_service'
import { MoneyError, lineAmountFen, sumFen, MAX_YUAN } from '#core/money'
import Project, { type ProjectCategory } from '#project_review/models/project'
import BudgetItem, { type ItemCategory } from '#project_review/models/budget_item'
import SharedPlatform from '#project_review/models/shared_platform'
import { ReviewError } from '#project_review/errors'
import { lockProject, transition } from '#project_review/services/transitions'
import { indexProject, runDuplicateCheck } from '#project_review/services/duplicate_check'
import attachments from '#project_review/services/attachments'
import reviewSettings from '#project_review/services/review_settings'
import type { AttachmentKind } from '#project_review/models/project_attachment'
import type { ReviewActor } from '#project_review/services/actor'

export interface BudgetItemInput {
  category: ItemCategory
  name: string
  specification?: string | null
  quantity: number
  /** integer fen */
  unitPrice: number
}

export interface ProposalInput {
  title: string
  year: number
  category: ProjectCategory
  content?: string | null
  necessity?: string | null
  technicalPlan?: string | null
  securityLevel?: number | null
  plannedStart?: Date | null
  plannedEnd?: Date | null
  contactName?: string | null
  contactPhone?: string | null
  platformIds?: number[]
  items?: BudgetItemInput[]
}

/** Fields a proposal must have before it can be submitted (形式要件), in form order. */
export const REQUIRED_FOR_SUBMISSION = [
  'content',
  'necessity',
  'technicalPlan',
  'securityLevel',
  'plannedStart',
  'plannedEnd',
  'contactName',
  'contactPhone',
] as const

/** Largest single line amount: the same 10^10 元 ceiling as a typed amount. */
const MAX_LINE_FEN = MAX_YUAN * 100

/**
 * The applicant's side of a proposal: drafts are created and saved explicitly, then submitted;
 * a submitted proposal is frozen until a reviewer returns it for correction.
 */
export class ProposalService {
  async create(input: ProposalInput, actor: ReviewActor) {
    const unitId = actor.user?.unitId
    if (!unitId) throw new ReviewError('review.proposals.errors.no_unit')
    const amounts = this.amounts(input.items ?? [])
    return db.transaction(async (trx) => {
      const project = await Project.create(
        {
          ...this.columns(input),
          unitId,
          createdById: actor.actorId,
          state: 'draft',
          returnCount: 0,
          requestedFen: sumFen(amounts),
          similarityFlagged: false,
        },
        { client: trx }
      )
      project.code = `XM${project.year}-${String(project.id).padStart(4, '0')}`
      await project.save()
      await this.replaceItems(project, input.items ?? [], amounts, trx)
      await this.syncPlatforms(project, input.platformIds ?? [], trx)
      await audit.record(
        {
          ...actor,
          action: 'review.proposal.create',
          targetType: 'project',
          targetId: project.id,
          details: { title: project.title, requestedFen: project.requestedFen },
        },
        trx
      )
      return project
    })
  }

  /** Saves the form over a draft or a returned proposal; anything else is frozen. */
  async update(projectId: number, input: ProposalInput, actor: ReviewActor) {
    const amounts = this.amounts(input.items ?? [])
    return db.transaction(async (trx) => {
      const project = await lockProject(projectId, trx)
      this.assertEditable(project)
      const before = { title: project.title, requestedFen: project.requestedFen }
      project.merge({ ...this.columns(input), requestedFen: sumFen(amounts) })
      await project.save()
      await this.replaceItems(project, input.items ?? [], amounts, trx)
      await this.syncPlatforms(project, input.platformIds ?? [], trx)
      await audit.record(
        {
          ...actor,
          action: 'review.proposal.update',
          targetType: 'project',
          targetId: project.id,
          details: {
            before,
            after: { title: project.title, requestedFen: project.requestedFen },
            items: amounts.length,
          },
        },
        trx
      )
      return project
    })
  }

  /** Deletes a draft that was never submitted, with its attachments. */
  async deleteDraft(projectId: number, actor: ReviewActor) {
    const storedNames = await db.transaction(async (trx) => {
      const project = await lockProject(projectId, trx)
      if (project.state !== 'draft' || project.submittedAt !== null) {
        throw new ReviewError('review.proposals.errors.delete_only_drafts')
      }
      await project.load('attachments')
      const names = project.attachments.map((attachment) => attachment.storedName)
      await project.delete()
      await audit.record(
        {
          ...actor,
          action: 'review.proposal.delete',
          targetType: 'project',
          targetId: project.id,
          details: { title: project.title },
        },
        trx
      )
      return names
    })
    await attachments.removeFiles(storedNames)
  }

  /**
   * 申报 / 重新申报: checks completeness, indexes the proposal's terms and moves it to submitted
   * in one transaction; the duplicate-construction check against every earlier project runs
   * after the commit (its scoring in a worker thread), so no writer waits for it.
   */
  async submit(projectId: number, actor: ReviewActor) {
    const project = await db.transaction(async (trx) => {
      const locked = await lockProject(projectId, trx)
      this.assertEditable(locked)
      await locked.load('items')
      await locked.load('attachments')
      const missing = this.missingFields(locked)
      if (missing.length > 0) {
        throw new ReviewError(
          'review.proposals.errors.incomplete',
          {},
          { status: 422, labels: { fields: missing.map((field) => `review.fields.${field}`) } }
        )
      }
      const { requiredAttachments } = await reviewSettings.get(trx)
      const absent = this.missingAttachments(locked, requiredAttachments)
      if (absent.length > 0) {
        throw new ReviewError(
          'review.proposals.errors.attachments_missing',
          {},
          {
            status: 422,
            labels: { kinds: absent.map((kind) => `review.attachments.kinds.${kind}`) },
          }
        )
      }
      await indexProject(locked, trx)
      const resubmission = locked.state === 'returned'
      await transition(locked.id, 'submit', actor, trx, {
        details: { resubmission, requestedFen: locked.requestedFen },
      })
      await trx
        .from('projects')
        .where('id', locked.id)
        .update({ submitted_at: DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss') })
      return locked
    })
    try {
      await runDuplicateCheck(project.id, actor)
    } catch (error) {
      // the submission stands; the project page offers reviewers to run the check again
      logger.error({ err: error, projectId: project.id }, 'duplicate-construction check failed')
    }
    return project
  }

  /** Required fields still empty (i18n field keys; "items" when there is no budget line). */
  missingFields(project: Project): string[] {
    const missing: string[] = REQUIRED_FOR_SUBMISSION.filter((field) => {
      const value = project[field]
      return value === null || value === undefined || value === ''
    })
    if (!project.items || project.items.length === 0) missing.push('items')
    return missing
  }

  /** Required attachment kinds the proposal has not uploaded yet (needs `attachments` loaded). */
  missingAttachments(project: Project, required: AttachmentKind[]): AttachmentKind[] {
    const present = new Set((project.attachments ?? []).map((attachment) => attachment.kind))
    return required.filter((kind) => !present.has(kind))
  }

  protected assertEditable(project: Project) {
    if (!project.isEditable) {
      throw new ReviewError('review.proposals.errors.frozen', { state: project.state })
    }
  }

  protected columns(input: ProposalInput) {
    const date = (value?: Date | null) => (value ? DateTime.fromJSDate(value).toUTC() : null)
    return {
      title: input.title,
      year: input.year,
      category: input.category,
      content: input.content ?? null,
      necessity: input.necessity ?? null,
      technicalPlan: input.technicalPlan ?? null,
      securityLevel: input.securityLevel ?? null,
      plannedStart: date(input.plannedStart),
      plannedEnd: date(input.plannedEnd),
      contactName: input.contactName ?? null,
      contactPhone: input.contactPhone ?? null,
    }
  }

  /** amount = quantity × unit price per line; a line or total that would overflow is refused. */
  protected amounts(items: BudgetItemInput[]): number[] {
    return items.map((item, index) => {
      let amount: number
      try {
        amount = lineAmountFen(item.quantity, item.unitPrice)
      } catch (error) {
        if (error instanceof MoneyError) {
          throw new ReviewError('review.proposals.errors.line_too_large', { line: index + 1 })
        }
        throw error
      }
      if (amount > MAX_LINE_FEN) {
        throw new ReviewError('review.proposals.errors.line_too_large', { line: index + 1 })
      }
      return amount
    })
  }

  protected async replaceItems(
    project: Project,
    items: BudgetItemInput[],
    amounts: number[],
    trx: TransactionClientContract
  ) {
    await BudgetItem.query({ client: trx }).where('project_id', project.id).delete()
    if (items.length === 0) return
    await BudgetItem.createMany(
      items.map((item, index) => ({
        projectId: project.id,
        position: index + 1,
        category: item.category,
        name: item.name,
        specification: item.specification ?? null,
        quantity: item.quantity,
        unitPriceFen: item.unitPrice,
        amountFen: amounts[index],
      })),
      { client: trx }
    )
  }

  protected async syncPlatforms(
    project: Project,
    platformIds: number[],
    trx: TransactionClientContract
  ) {
    const known = platformIds.length
      ? await SharedPlatform.query({ client: trx }).whereIn('id', platformIds).select('id')
      : []
    await trx.from('project_platforms').where('project_id', project.id).delete()
    if (known.length === 0) return
    await trx
      .table('project_platforms')
      .multiInsert(
        known.map((platform) => ({ project_id: project.id, shared_platform_id: platform.id }))
      )
  }
}

export default new ProposalService()
