import type { HttpContext } from '@adonisjs/core/http'
import type { LucidModel, ModelQueryBuilderContract } from '@adonisjs/lucid/types/model'
import User from '#identity/models/user'
import Unit from '#identity/models/unit'
import AuditEvent from '#core/audit/audit_event'
import { ROLES } from '#identity/roles'

async function count<M extends LucidModel>(query: ModelQueryBuilderContract<M>) {
  const [row] = await query.count('* as total')
  return Number(row.$extras.total)
}

/** The home page: one panel per role the user holds. */
export default class DashboardController {
  async show({ view, auth }: HttpContext) {
    const user = auth.getUserOrFail()
    const roles = ROLES.filter((role) => user.hasRole(role))
    const stats: Record<string, number> = {}
    if (user.hasRole('sysadmin')) {
      stats.users = await count(User.query())
      stats.activeUsers = await count(User.query().where('is_active', true))
      stats.units = await count(Unit.query())
    }
    if (user.hasRole('auditor')) {
      stats.auditEvents = await count(AuditEvent.query())
      stats.auditFailures = await count(AuditEvent.query().where('outcome', 'failure'))
    }
    return view.render('pages/dashboard', { roles, stats })
  }
}
