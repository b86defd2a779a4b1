import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#identity/models/user'

/** API tokens of external systems are issued and revoked by the sysadmin. */
export default class ApiTokenPolicy extends BasePolicy {
  manage(user: User) {
    return user.hasRole('sysadmin')
  }
}
