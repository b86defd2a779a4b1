import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import User from '#identity/models/user'
import UserRole from '#identity/models/user_role'
import type { Role } from '#identity/roles'
import sessionRegistry from '#identity/services/session_registry'
import audit, { type AuditActor } from '#core/audit/audit_service'

export interface UserProfileInput {
  fullName: string
  email?: string
  phone?: string
  unitId?: number
  roles: Role[]
}

/**
 * User administration by the sysadmin. Each change (the row, its roles and
 * the audit event) is one transaction. A role change, disabling and a
 * password reset end the user's sessions; a password reset never touches the
 * second factor (see mfa_reset_service).
 */
export class UserAdminService {
  async create(
    input: UserProfileInput & { username: string; password: string },
    actor: AuditActor
  ) {
    return db.transaction(async (trx) => {
      const user = await User.create(
        {
          username: input.username,
          fullName: input.fullName,
          email: input.email ?? null,
          phone: input.phone ?? null,
          unitId: input.unitId ?? null,
          password: input.password,
          isActive: true,
          failedLoginCount: 0,
          mustChangePassword: true,
          passwordChangedAt: DateTime.utc(),
        },
        { client: trx }
      )
      await UserRole.createMany(
        input.roles.map((role) => ({ userId: user.id, role })),
        { client: trx }
      )
      await audit.record(
        {
          ...actor,
          action: 'user.create',
          targetType: 'user',
          targetId: user.id,
          details: { username: user.username, roles: input.roles, unitId: user.unitId },
        },
        trx
      )
      return user
    })
  }

  async update(user: User, input: UserProfileInput, actor: AuditActor) {
    let rolesChanged = false
    await db.transaction(async (trx) => {
      user.useTransaction(trx)
      await user.load('roleRows')
      const before = {
        fullName: user.fullName,
        email: user.email,
        phone: user.phone,
        unitId: user.unitId,
        roles: user.roles,
      }
      rolesChanged =
        before.roles.length !== input.roles.length ||
        input.roles.some((role) => !before.roles.includes(role))
      user.merge({
        fullName: input.fullName,
        email: input.email ?? null,
        phone: input.phone ?? null,
        unitId: input.unitId ?? null,
      })
      await user.save()
      await UserRole.query({ client: trx }).where('user_id', user.id).delete()
      await UserRole.createMany(
        input.roles.map((role) => ({ userId: user.id, role })),
        { client: trx }
      )
      await audit.record(
        {
          ...actor,
          action: 'user.update',
          targetType: 'user',
          targetId: user.id,
          details: { before, after: { ...input, unitId: input.unitId ?? null } },
        },
        trx
      )
    })
    if (rolesChanged) await sessionRegistry.endAll(user.id)
    return user
  }

  async setActive(user: User, active: boolean, actor: AuditActor) {
    user.isActive = active
    await audit.saveWithAudit(user, {
      ...actor,
      action: active ? 'user.enable' : 'user.disable',
      targetType: 'user',
      targetId: user.id,
      details: { username: user.username },
    })
    if (!active) await sessionRegistry.endAll(user.id)
  }

  async resetPassword(user: User, password: string, actor: AuditActor) {
    user.merge({
      password,
      mustChangePassword: true,
      passwordChangedAt: DateTime.utc(),
      failedLoginCount: 0,
      lockedUntil: null,
    })
    await audit.saveWithAudit(user, {
      ...actor,
      action: 'user.reset_password',
      targetType: 'user',
      targetId: user.id,
      details: { username: user.username, secondFactorKept: user.hasSecondFactor },
    })
    await sessionRegistry.endAll(user.id)
  }

  /** Lifts the login throttle for this user from every address (new counters start). */
  async unlock(user: User, actor: AuditActor) {
    user.merge({ failedLoginCount: 0, lockedUntil: null, loginEpoch: (user.loginEpoch ?? 0) + 1 })
    await audit.saveWithAudit(user, {
      ...actor,
      action: 'user.unlock',
      targetType: 'user',
      targetId: user.id,
      details: { username: user.username },
    })
  }
}

export default new UserAdminService()
