import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#identity/models/user'

/** The expert pool (sysadmin and reviewers), review settings (sysadmin). */
export default class ReviewAdminPolicy extends BasePolicy {
  manageExperts(user: User) {
    return user.hasRole('sysadmin', 'reviewer')
  }

  manageSettings(user: User) {
    return user.hasRole('sysadmin')
  }
}
