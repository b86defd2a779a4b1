import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import audit from '#core/audit/audit_service'
import Project from '#project_review/models/project'
import ProjectTransition from '#project_review/models/project_transition'
import { TRANSITIONS, checkTransition, type TransitionAction } from '#project_review/lifecycle'
import { ReviewError } from '#project_review/errors'
import type { ReviewActor } from '#project_review/services/actor'

export interface TransitionInput {
  comment?: string | null
  reasons?: string[]
  /** Extra audit details (amounts, draw seed …). */
  details?: Record<string, unknown>
}

/** Re-reads a project inside the transaction, locking its row where the database can. */
export async function lockProject(projectId: number, trx: TransactionClientContract) {
  const query = Project.query({ client: trx }).where('id', projectId)
  if (!trx.dialect.name.includes('sqlite')) query.forUpdate()
  const project = await query.first()
  if (!project) throw new ReviewError('review.errors.project_not_found', {}, { status: 404 })
  return project
}

/**
 * Applies one transition of the lifecycle table inside the caller's transaction: re-checks the
 * current state on the locked row, moves it only if it is still there (so a concurrent change
 * makes this one fail instead of being applied twice), writes the timeline and the audit trail.
 */
export async function transition(
  projectId: number,
  action: TransitionAction,
  actor: ReviewActor,
  trx: TransactionClientContract,
  input: TransitionInput = {}
): Promise<{ project: Project; step: ProjectTransition }> {
  const project = await lockProject(projectId, trx)
  const from = project.state
  const refusal = checkTransition(from, action, actor.roles, {
    reason: input.comment,
    reasons: input.reasons,
  })
  if (refusal) {
    throw new ReviewError(`review.lifecycle.errors.${refusal}`, {
      action: action,
      state: from,
    })
  }
  const to = TRANSITIONS[action].to
  const now = DateTime.utc()
  const changed = await trx
    .from('projects')
    .where('id', project.id)
    .where('state', from)
    .update({ state: to, updated_at: now.toFormat('yyyy-MM-dd HH:mm:ss') })
  if (Number(Array.isArray(changed) ? changed[0] : changed) !== 1) {
    throw new ReviewError('review.lifecycle.errors.concurrent_change')
  }
  project.state = to
  const reasons = (input.reasons ?? []).map((reason) => reason.trim()).filter(Boolean)
  const step = await ProjectTransition.create(
    {
      projectId: project.id,
      action,
      fromState: from,
      toState: to,
      actorId: actor.actorId,
      actorName: actor.actorName,
      comment: input.comment?.trim() || null,
      reasons,
    },
    { client: trx }
  )
  await audit.record(
    {
      ...actor,
      action: `review.project.${action}`,
      targetType: 'project',
      targetId: project.id,
      details: {
        from,
        to,
        ...(input.comment ? { comment: input.comment } : {}),
        ...(reasons.length ? { reasons } : {}),
        ...input.details,
      },
    },
    trx
  )
  return { project, step }
}
