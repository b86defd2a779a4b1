import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import audit from '#core/audit/audit_service'
import Project from '#project_review/models/project'
import ProjectEvaluation, { RATINGS, type Rating } from '#project_review/models/project_evaluation'
import {
  DEFAULT_EVALUATION_INDICATORS,
  type IndicatorForm,
  type IndicatorValue,
} from '#project_review/domain/forms'
import { projectMachine } from '#project_review/lifecycle'
import { ReviewError, forbidden, refuseFields, type FieldRefusal } from '#project_review/errors'
import { lockProject, transition } from '#project_review/services/transitions'
import notices from '#project_review/services/notices'
import type { ReviewActor } from '#project_review/services/actor'

export interface IndicatorInput {
  key: string
  target: number | null
  actual: number | null
}

/** Months after 已验收 by which a project's performance evaluation is due. */
export const EVALUATION_DUE_MONTHS = 12

/**
 * 绩效评价: the unit reports each indicator's target and actual and its self-evaluation; the
 * bureau rates it 优 / 良 / 中 / 差 with a comment, which closes the project. A daily job
 * reminds the unit and the reviewers of accepted projects still unevaluated 12 months on.
 */
export class EvaluationService {
  form(): IndicatorForm {
    return DEFAULT_EVALUATION_INDICATORS
  }

  async saveSelf(
    projectId: number,
    input: { indicators: IndicatorInput[]; selfEvaluation: string },
    actor: ReviewActor
  ) {
    return db.transaction(async (trx) => {
      const project = await lockProject(projectId, trx)
      if (!projectMachine.can(project.state, 'evaluate')) {
        throw new ReviewError('acceptance.errors.not_accepted_yet')
      }
      if (actor.roles !== 'system' && actor.user?.unitId !== project.unitId) throw forbidden()
      const refusals: FieldRefusal[] = []
      const values: IndicatorValue[] = this.form().indicators.map((row, index) => {
        const given = (input.indicators ?? []).find((entry) => entry.key === row.key)
        const target = given?.target ?? null
        const actual = given?.actual ?? null
        if (target === null || !Number.isFinite(target) || target < 0) {
          refusals.push({
            field: `indicators.${index}.target`,
            i18nKey: 'acceptance.errors.indicator_target',
            values: { label: row.label },
          })
        }
        if (actual === null || !Number.isFinite(actual) || actual < 0) {
          refusals.push({
            field: `indicators.${index}.actual`,
            i18nKey: 'acceptance.errors.indicator_actual',
            values: { label: row.label },
          })
        }
        return { key: row.key, label: row.label, unit: row.unit, target: target ?? 0, actual }
      })
      const text = input.selfEvaluation?.trim() ?? ''
      if (!text) {
        refusals.push({ field: 'selfEvaluation', i18nKey: 'acceptance.errors.self_required' })
      }
      refuseFields(refusals)
      let evaluation = await ProjectEvaluation.query({ client: trx })
        .where('project_id', project.id)
        .first()
      if (evaluation?.rating) throw new ReviewError('acceptance.errors.already_rated')
      evaluation ??= new ProjectEvaluation()
      evaluation.useTransaction(trx)
      evaluation.merge({
        projectId: project.id,
        indicators: values,
        selfEvaluation: text,
        selfById: actor.actorId,
        selfSubmittedAt: DateTime.utc(),
      })
      await evaluation.save()
      await audit.record(
        {
          ...actor,
          action: 'review.evaluation.save_self',
          targetType: 'project',
          targetId: project.id,
          details: { indicators: values },
        },
        trx
      )
      return evaluation
    })
  }

  /** The bureau's rating, after the unit's self-evaluation; the project becomes 已绩效评价. */
  async rate(projectId: number, rating: Rating, comment: string, actor: ReviewActor) {
    return db.transaction(async (trx) => {
      const project = await lockProject(projectId, trx)
      projectMachine.assert(project.state, 'evaluate', actor.roles)
      const evaluation = await ProjectEvaluation.query({ client: trx })
        .where('project_id', project.id)
        .first()
      if (!evaluation?.isSelfSubmitted) throw new ReviewError('acceptance.errors.self_missing')
      const refusals: FieldRefusal[] = []
      if (!RATINGS.includes(rating)) {
        refusals.push({ field: 'rating', i18nKey: 'acceptance.errors.rating_required' })
      }
      if (!comment?.trim()) {
        refusals.push({ field: 'comment', i18nKey: 'acceptance.errors.rating_comment_required' })
      }
      refuseFields(refusals)
      evaluation.useTransaction(trx)
      evaluation.merge({
        rating,
        ratingComment: comment.trim(),
        ratedById: actor.actorId,
        ratedAt: DateTime.utc(),
      })
      await evaluation.save()
      await transition(project.id, 'evaluate', actor, trx, {
        comment,
        details: { rating },
      })
      return evaluation
    })
  }

  /**
   * 绩效评价提醒: accepted projects whose acceptance lies more than 12 months before `now` and
   * that have no rating yet, not reminded in the last 30 days: the unit and the reviewers get
   * a mail; the reminder is recorded. `now` is injectable (tests, `review:remind-evaluations`).
   */
  async remindOverdue(now: DateTime = DateTime.utc()) {
    const dueBefore = now.minus({ months: EVALUATION_DUE_MONTHS }).toFormat('yyyy-MM-dd HH:mm:ss')
    const quietSince = now.minus({ days: 30 }).toFormat('yyyy-MM-dd HH:mm:ss')
    const overdue = await Project.query()
      .where('state', projectMachine.rule('evaluate').from[0])
      .where('completed_at', '<=', dueBefore)
      .where((q) =>
        q.whereNull('evaluation_reminded_at').orWhere('evaluation_reminded_at', '<', quietSince)
      )
      .orderBy('completed_at')
      .limit(500)
    const reminded: number[] = []
    for (const project of overdue) {
      const months = Math.floor(now.diff(project.completedAt!, 'months').months)
      await db.transaction(async (trx) => {
        await trx
          .from('projects')
          .where('id', project.id)
          .update({ evaluation_reminded_at: now.toFormat('yyyy-MM-dd HH:mm:ss') })
        await audit.record(
          {
            actorId: null,
            actorName: 'scheduler',
            ip: null,
            action: 'review.evaluation.remind',
            targetType: 'project',
            targetId: project.id,
            details: { completedAt: project.completedAt!.toISO(), months },
          },
          trx
        )
      })
      await notices.send(project.id, 'evaluation_overdue', ['unit', 'reviewers'], { months })
      reminded.push(project.id)
    }
    return reminded
  }
}

export default new EvaluationService()
