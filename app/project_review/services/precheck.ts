import db from '@adonisjs/lucid/services/db'
import { transition } from '#project_review/services/transitions'
import type { ReviewActor } from '#project_review/services/actor'

/** 形式审查 by a reviewer: accept, return for correction (itemised reasons, counted) or reject. */
export class PrecheckService {
  async accept(projectId: number, actor: ReviewActor, comment?: string | null) {
    return db.transaction((trx) => transition(projectId, 'accept', actor, trx, { comment }))
  }

  async returnForCorrection(projectId: number, reasons: string[], actor: ReviewActor) {
    return db.transaction(async (trx) => {
      const result = await transition(projectId, 'return', actor, trx, { reasons })
      await trx.from('projects').where('id', projectId).increment('return_count', 1)
      return result
    })
  }

  async reject(projectId: number, reason: string, actor: ReviewActor) {
    return db.transaction((trx) => transition(projectId, 'reject', actor, trx, { comment: reason }))
  }
}

export default new PrecheckService()
