import { DateTime } from 'luxon'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * Purges audit events recorded (occurred_at) before a date that is itself at
 * least 180 days old; audited with the operator, followed by a signed checkpoint.
 */
export default class AuditPurge extends BaseCommand {
  static commandName = 'audit:purge'
  static description =
    'Delete audit events recorded before a date (refused for anything younger than 180 days)'
  static options: CommandOptions = { startApp: true }

  @flags.string({
    description: 'Delete events recorded before this date (YYYY-MM-DD, Asia/Shanghai)',
    required: true,
  })
  declare before: string

  async run() {
    const {
      default: audit,
      RetentionViolation,
      ChainBrokenError,
      RETENTION_DAYS,
    } = await import('#core/audit/audit_service')
    const { operatorActor } = await import('#core/audit/operator')
    const { describeFailure } = await import('#core/audit/verify_messages')
    const actor = operatorActor('audit:purge')
    const date = DateTime.fromISO(this.before, { zone: 'Asia/Shanghai' })
    if (!date.isValid) {
      this.logger.error(`--before "${this.before}" is not a date (YYYY-MM-DD)`)
      this.exitCode = 1
      return
    }
    try {
      const { deleted, keptOutOfOrder } = await audit.purgeReport(date, actor)
      this.logger.success(
        `${deleted} audit events recorded before ${this.before} deleted; a signed checkpoint was written and the chain stays verifiable`
      )
      if (keptOutOfOrder > 0) {
        this.logger.warning(
          `${keptOutOfOrder} older-looking events were kept: they follow a younger event in the chain`
        )
      }
    } catch (error) {
      if (error instanceof RetentionViolation || error instanceof ChainBrokenError) {
        await audit.record({
          ...actor,
          action: 'audit.purge',
          outcome: 'failure',
          details: {
            before: this.before,
            reason: error instanceof RetentionViolation ? 'retention' : error.result.reason,
          },
        })
      }
      if (error instanceof RetentionViolation) {
        this.logger.error(
          `refused: logs are kept at least ${RETENTION_DAYS} days (网络日志留存不少于六个月); the latest allowed --before is ${error.earliestAllowed.setZone('Asia/Shanghai').toISODate()}`
        )
        this.exitCode = 1
        return
      }
      if (error instanceof ChainBrokenError) {
        this.logger.error(
          `refused: the audit chain does not verify at event #${error.result.badEventId ?? '?'} (${describeFailure(error.result)}); nothing deleted`
        )
        this.exitCode = 1
        return
      }
      throw error
    }
  }
}
