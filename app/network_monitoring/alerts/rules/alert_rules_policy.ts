import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#identity/models/user'

/**
 * 告警规则: the network administrator tunes the rules; the system
 * administrator may too (settings are system configuration); the auditor
 * reads them (what was alerted on, and why) but changes nothing.
 */
export default class AlertRulesPolicy extends BasePolicy {
  view(user: User) {
    return user.hasRole('netadmin', 'sysadmin', 'auditor')
  }

  edit(user: User) {
    return user.hasRole('netadmin', 'sysadmin')
  }
}
