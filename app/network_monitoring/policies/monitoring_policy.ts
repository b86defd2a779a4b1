import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#identity/models/user'

/**
 * Extranet monitoring belongs to the network administrator (网络管理员): they see the board,
 * devices and reports, manage the inventory and handle alerts. The auditor (审计员) reads the
 * alerts (the security log) but can do nothing to them: every handling action is refused
 * (403) and the refusal is audited by the exception handler.
 */
export default class MonitoringPolicy extends BasePolicy {
  view(user: User) {
    return user.hasRole('netadmin')
  }

  manage(user: User) {
    return user.hasRole('netadmin')
  }

  /** 告警中心, alert details, the alert dashboard. */
  viewAlerts(user: User) {
    return user.hasRole('netadmin') || user.hasRole('auditor')
  }

  /** Acknowledge, assign, record handling, resolve, close, reopen, reclassify. */
  handleAlerts(user: User) {
    return user.hasRole('netadmin')
  }
}
