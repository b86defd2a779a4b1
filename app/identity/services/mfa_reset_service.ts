import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import User from '#identity/models/user'
import MfaResetRequest from '#identity/models/mfa_reset_request'
import secondFactor from '#identity/services/second_factor'
import sessionRegistry from '#identity/services/session_registry'
import { RuleError } from '#core/rule_error'
import audit, { type AuditActor } from '#core/audit/audit_service'

/** A request nobody approved within this time lapses. */
export const REQUEST_TTL_HOURS = 72

export type MfaResetErrorCode =
  'not_enrolled' | 'already_pending' | 'not_pending' | 'same_admin' | 'own_account'

export class MfaResetError extends RuleError<MfaResetErrorCode> {
  constructor(code: MfaResetErrorCode) {
    super(code, `identity.mfa_reset.errors.${code}`)
  }
}

/**
 * Resetting a user's second factor (三员分立). A password reset never touches
 * it; this is the only way, and it always takes two different sysadmins: one
 * requests, another approves — so the sysadmin alone can never take over the
 * auditor's or the netadmin's account (and cannot first change the target's
 * roles to dodge the rule). Neither may be the target. Every step is
 * audited, and the user's sessions end when the factor is removed.
 */
export class MfaResetService {
  async pendingFor(targetId: number) {
    return MfaResetRequest.query()
      .where('target_id', targetId)
      .where('state', 'pending')
      .where('created_at', '>', this.cutoff())
      .preload('requester')
      .first()
  }

  async allPending() {
    return MfaResetRequest.query()
      .where('state', 'pending')
      .where('created_at', '>', this.cutoff())
      .preload('requester')
      .preload('target')
      .orderBy('id')
  }

  protected cutoff() {
    return DateTime.utc().minus({ hours: REQUEST_TTL_HOURS }).toFormat('yyyy-MM-dd HH:mm:ss')
  }

  async request(target: User, reason: string, admin: User, actor: AuditActor) {
    if (!target.hasSecondFactor) throw new MfaResetError('not_enrolled')
    if (target.id === admin.id) throw new MfaResetError('own_account')
    if (await this.pendingFor(target.id)) throw new MfaResetError('already_pending')
    const request = await db.transaction(async (trx) => {
      const created = await MfaResetRequest.create(
        { targetId: target.id, requestedBy: admin.id, reason, state: 'pending' },
        { client: trx }
      )
      await audit.record(
        {
          ...actor,
          action: 'user.mfa_reset_request',
          targetType: 'user',
          targetId: target.id,
          details: { username: target.username, requestId: created.id, reason },
        },
        trx
      )
      return created
    })
    return request
  }

  /** Approves (removing the factor) or rejects a pending request; never by its requester or its target. */
  async decide(request: MfaResetRequest, approve: boolean, admin: User, actor: AuditActor) {
    if (request.requestedBy === admin.id) throw new MfaResetError('same_admin')
    if (request.targetId === admin.id) throw new MfaResetError('own_account')
    const target = await User.findOrFail(request.targetId)
    await db.transaction(async (trx) => {
      const changed = await trx
        .from('mfa_reset_requests')
        .where('id', request.id)
        .where('state', 'pending')
        .where('created_at', '>', this.cutoff())
        .update({
          state: approve ? 'approved' : 'rejected',
          decided_by: admin.id,
          decided_at: DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss'),
        })
      if (Number(Array.isArray(changed) ? changed[0] : changed) !== 1) {
        throw new MfaResetError('not_pending')
      }
      const base = {
        ...actor,
        targetType: 'user',
        targetId: target.id,
        details: {
          username: target.username,
          requestId: request.id,
          requestedBy: request.requestedBy,
        },
      }
      if (approve) {
        await secondFactor.remove(target, trx)
        await audit.record({ ...base, action: 'user.mfa_reset_approve' }, trx)
      } else {
        await audit.record({ ...base, action: 'user.mfa_reset_reject' }, trx)
      }
    })
    if (approve) await sessionRegistry.endAll(target.id)
  }
}

export default new MfaResetService()
