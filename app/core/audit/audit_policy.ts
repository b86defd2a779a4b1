import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#identity/models/user'

/**
 * Only the auditor (审计员) reads and verifies the audit trail; the sysadmin
 * cannot. Nobody edits or deletes it through the app: there is no such action.
 */
export default class AuditPolicy extends BasePolicy {
  view(user: User) {
    return user.hasRole('auditor')
  }

  verify(user: User) {
    return user.hasRole('auditor')
  }
}
