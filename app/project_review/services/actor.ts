import type { HttpContext } from '@adonisjs/core/http'
import type User from '#identity/models/user'
import type { Role } from '#identity/roles'
import { actorFrom, type AuditActor } from '#core/audit/audit_service'

/** Who performs a review action: the audit identity plus the user and roles the rules check. */
export interface ReviewActor extends AuditActor {
  user: User | null
  roles: readonly Role[] | 'system'
}

/** The logged-in user of a request as a review actor. */
export function reviewActorFrom(ctx: HttpContext): ReviewActor {
  const user = ctx.auth.user!
  return { ...actorFrom(ctx), user, roles: user.roles }
}

/** A user acting outside HTTP (commands, seeders, tests); roles must be preloaded. */
export function reviewActorOf(user: User): ReviewActor {
  return {
    actorId: user.id,
    actorName: `${user.fullName}(${user.username})`,
    ip: null,
    user,
    roles: user.roles,
  }
}
