import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#identity/models/user'

/**
 * Extranet monitoring belongs to the network administrator (网络管理员):
 * they see the board, devices and reports and manage the inventory.
 */
export default class MonitoringPolicy extends BasePolicy {
  view(user: User) {
    return user.hasRole('netadmin')
  }

  manage(user: User) {
    return user.hasRole('netadmin')
  }
}
