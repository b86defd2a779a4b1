import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#identity/models/user'

/** The 值班表 and notification settings belong to the network administrators (网络管理员). */
export default class DutyPolicy extends BasePolicy {
  view(user: User) {
    return user.hasRole('netadmin')
  }

  manage(user: User) {
    return user.hasRole('netadmin')
  }
}
