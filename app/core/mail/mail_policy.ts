import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#identity/models/user'

/** 邮件发送记录 is the system administrator's: they run the mail server settings. */
export default class MailPolicy extends BasePolicy {
  view(user: User) {
    return user.hasRole('sysadmin')
  }

  resend(user: User) {
    return user.hasRole('sysadmin')
  }
}
