import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#identity/models/user'

/** Users, units and settings are the system administrator's (系统管理员) alone. */
export default class AdminPolicy extends BasePolicy {
  manageUsers(user: User) {
    return user.hasRole('sysadmin')
  }

  manageUnits(user: User) {
    return user.hasRole('sysadmin')
  }
}
