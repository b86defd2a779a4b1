import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * 绩效评价提醒 by hand (the web process runs it daily at 09:00 Asia/Shanghai): mails the unit and
 * the reviewers of every project accepted more than 12 months ago and still unevaluated.
 */
export default class ReviewRemindEvaluations extends BaseCommand {
  static commandName = 'review:remind-evaluations'
  static description =
    'Remind units and reviewers of performance evaluations overdue 12 months after acceptance'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Pretend it is this ISO time (UTC), e.g. 2027-03-02T01:00:00Z' })
  declare at?: string

  async run() {
    const { DateTime } = await import('luxon')
    const { default: evaluations } = await import('#project_review/services/evaluations')
    const now = this.at ? DateTime.fromISO(this.at, { zone: 'utc' }) : DateTime.utc()
    if (!now.isValid) {
      this.logger.error(`invalid --at ${this.at}`)
      this.exitCode = 1
      return
    }
    const reminded = await evaluations.remindOverdue(now)
    this.logger.info(
      `reminded ${reminded.length} project(s)${reminded.length ? ': ' + reminded.join(', ') : ''}`
    )
  }
}
