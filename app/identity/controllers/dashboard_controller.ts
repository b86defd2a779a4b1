import type { HttpContext } from '@adonisjs/core/http'
import User from '#identity/models/user'
import Unit from '#identity/models/unit'
import AuditEvent from '#core/audit/audit_event'
import { ROLES } from '#identity/roles'
import { countRows } from '#core/db_helpers'
import { dashboardPanels } from '#core/dashboard'

/** The home page (工作台): one panel per role, with what waits on this user (to-do centre). */
export default class DashboardController {
  async show({ view, auth }: HttpContext) {
    const user = auth.getUserOrFail()
    const roles = ROLES.filter((role) => user.hasRole(role))
    const stats: Record<string, number> = {}
    if (user.hasRole('sysadmin')) {
      stats.users = await countRows(User.query())
      stats.activeUsers = await countRows(User.query().where('is_active', true))
      stats.units = await countRows(Unit.query())
    }
    if (user.hasRole('auditor')) {
      stats.auditEvents = await countRows(AuditEvent.query())
      stats.auditFailures = await countRows(AuditEvent.query().where('outcome', 'failure'))
    }
    const todos = await dashboardPanels(user)
    return view.render('pages/dashboard', { roles, stats, todos })
  }
}
