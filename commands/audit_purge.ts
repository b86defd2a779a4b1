import { DateTime } from 'luxon'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** Purges audit events older than a date that is itself at least 180 days old. */
export default class AuditPurge extends BaseCommand {
  static commandName = 'audit:purge'
  static description =
    'Delete audit events before a date (refused for anything younger than 180 days)'
  static options: CommandOptions = { startApp: true }

  @flags.string({
    description: 'Delete events before this date (YYYY-MM-DD, Asia/Shanghai)',
    required: true,
  })
  declare before: string

  async run() {
    const {
      default: audit,
      RetentionViolation,
      RETENTION_DAYS,
    } = await import('#core/audit/audit_service')
    const date = DateTime.fromISO(this.before, { zone: 'Asia/Shanghai' })
    if (!date.isValid) {
      this.logger.error(`--before "${this.before}" is not a date (YYYY-MM-DD)`)
      this.exitCode = 1
      return
    }
    try {
      const deleted = await audit.purgeBefore(date, { actorName: 'ace audit:purge' })
      this.logger.success(
        `${deleted} audit events before ${this.before} deleted; the chain stays verifiable`
      )
    } catch (error) {
      if (error instanceof RetentionViolation) {
        this.logger.error(
          `refused: logs are kept at least ${RETENTION_DAYS} days (网络日志留存不少于六个月); the latest allowed --before is ${error.earliestAllowed.setZone('Asia/Shanghai').toISODate()}`
        )
        this.exitCode = 1
        return
      }
      throw error
    }
  }
}
