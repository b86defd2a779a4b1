import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import audit, { type AuditActor } from '#core/audit/audit_service'
import User from '#identity/models/user'
import Expert, { type Specialty } from '#project_review/models/expert'
import PanelMember from '#project_review/models/panel_member'
import ScoreSheet from '#project_review/models/score_sheet'
import { ReviewError } from '#project_review/errors'

export interface ExpertInput {
  name: string
  employer: string
  employerUnitId?: number | null
  specialties: Specialty[]
  conflictUnitIds?: number[]
  phone?: string | null
  email?: string | null
  yearlyCap: number
  userId?: number | null
}

/** The expert pool (专家库), managed by the sysadmin and reviewers; every change is audited. */
export class ExpertService {
  async create(input: ExpertInput, actor: AuditActor) {
    return db.transaction(async (trx) => {
      await this.assertLinkable(input.userId ?? null, null, trx)
      const expert = await Expert.create(
        { ...this.columns(input), isActive: true },
        { client: trx }
      )
      await this.audit('review.expert.create', expert, actor, trx)
      return expert
    })
  }

  async update(expert: Expert, input: ExpertInput, actor: AuditActor) {
    return db.transaction(async (trx) => {
      await this.assertLinkable(input.userId ?? null, expert.id, trx)
      if ((input.userId ?? null) !== expert.userId) await this.assertNoOpenSeat(expert, trx)
      expert.useTransaction(trx)
      expert.merge(this.columns(input))
      await expert.save()
      await this.audit('review.expert.update', expert, actor, trx)
      return expert
    })
  }

  async setActive(expert: Expert, active: boolean, actor: AuditActor) {
    return db.transaction(async (trx) => {
      expert.useTransaction(trx)
      expert.isActive = active
      await expert.save()
      await this.audit(
        active ? 'review.expert.enable' : 'review.expert.disable',
        expert,
        actor,
        trx
      )
    })
  }

  /** The expert record of a logged-in user, if the user is linked to one. */
  async forUser(user: User) {
    return Expert.query().where('user_id', user.id).first()
  }

  /** A linked account must hold the expert role and belong to no other expert record. */
  protected async assertLinkable(
    userId: number | null,
    expertId: number | null,
    trx: TransactionClientContract
  ) {
    if (userId === null) return
    const user = await User.query({ client: trx }).where('id', userId).preload('roleRows').first()
    if (!user || !user.hasRole('expert')) {
      throw new ReviewError('review.experts.errors.user_not_expert', {}, { status: 422 })
    }
    const other = await Expert.query({ client: trx })
      .where('user_id', userId)
      .if(expertId !== null, (query) => query.whereNot('id', expertId!))
      .first()
    if (other) {
      throw new ReviewError(
        'review.experts.errors.user_taken',
        { name: other.name },
        { status: 422 }
      )
    }
  }

  /**
   * Re-linking the login of an expert who sits (or waits as an alternate) on an open panel, or who
   * has an unsubmitted sheet, would hand that seat to another person: refused.
   */
  protected async assertNoOpenSeat(expert: Expert, trx: TransactionClientContract) {
    const seat = await PanelMember.query({ client: trx })
      .where('expert_id', expert.id)
      .whereIn('status', ['invited', 'standby'])
      .whereHas('panel', (panel) => panel.where('status', 'open'))
      .preload('panel', (panel) => panel.preload('project'))
      .first()
    const sheet = seat
      ? null
      : await ScoreSheet.query({ client: trx })
          .where('expert_id', expert.id)
          .whereNot('status', 'submitted')
          .whereHas('panel', (panel) => panel.where('status', 'open'))
          .preload('panel', (panel) => panel.preload('project'))
          .first()
    const project = seat?.panel.project ?? sheet?.panel.project
    if (project) {
      throw new ReviewError(
        'review.experts.errors.relink_open_seat',
        { name: expert.name, code: project.code ?? '', title: project.title },
        { status: 409 }
      )
    }
  }

  protected columns(input: ExpertInput) {
    return {
      name: input.name,
      employer: input.employer,
      employerUnitId: input.employerUnitId ?? null,
      specialties: input.specialties,
      conflictUnitIds: input.conflictUnitIds ?? [],
      phone: input.phone ?? null,
      email: input.email ?? null,
      yearlyCap: input.yearlyCap,
      userId: input.userId ?? null,
    }
  }

  protected async audit(
    action: string,
    expert: Expert,
    actor: AuditActor,
    trx: TransactionClientContract
  ) {
    await audit.record(
      {
        ...actor,
        action,
        targetType: 'expert',
        targetId: expert.id,
        details: {
          name: expert.name,
          employer: expert.employer,
          specialties: expert.specialties,
          active: expert.isActive,
          yearlyCap: expert.yearlyCap,
          userId: expert.userId,
        },
      },
      trx
    )
  }
}

export default new ExpertService()
