import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Project from '#project_review/models/project'
import ProjectTransition from '#project_review/models/project_transition'
import { projectMachine, type TransitionAction } from '#project_review/lifecycle'
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
 * current state on the locked row, moves it only if it is still there (compare-and-set, so a
 * concurrent change makes this one fail instead of being applied twice), writes the timeline
 * and the audit trail — all through `projectMachine` (app/core/state_machine.ts).
 */
export async function transition(
  projectId: number,
  action: TransitionAction,
  actor: ReviewActor,
  trx: TransactionClientContract,
  input: TransitionInput = {}
): Promise<{ project: Project; step: ProjectTransition }> {
  const project = await lockProject(projectId, trx)
  const reasons = (input.reasons ?? []).map((reason) => reason.trim()).filter(Boolean)
  let step: ProjectTransition | null = null
  project.state = await projectMachine.apply({
    trx,
    id: project.id,
    from: project.state,
    action,
    actor,
    input: { comment: input.comment, reasons: input.reasons },
    audit: {
      action: `review.project.${action}`,
      targetType: 'project',
      targetId: project.id,
      details: input.details,
    },
    timeline: async ({ from, to }) => {
      step = await ProjectTransition.create(
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
    },
  })
  return { project, step: step! }
}
