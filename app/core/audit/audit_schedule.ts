import cron from 'node-cron'
import type { ScheduledTask } from 'node-cron'
import audit from '#core/audit/audit_service'
import { SyslogForwarder } from '#core/audit/syslog_forwarder'
import { describeFailure } from '#core/audit/verify_messages'

interface ScheduleLogger {
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

/**
 * Background work of the audit trail in the web process: signed checkpoints on
 * AUDIT_CHECKPOINT_CRON (and one at start), forwarding to the syslog collector
 * when AUDIT_SYSLOG_HOST is set, and scheduled backups (BACKUP_CRON).
 */
export function startAuditSchedule(options: {
  logger: ScheduleLogger
  backup?: () => Promise<unknown>
  backupCron?: string
}) {
  const { logger } = options
  const settings = audit.settings
  const tasks: ScheduledTask[] = []
  let forwarder: SyslogForwarder | null = null

  const checkpoint = async (reason: string) => {
    try {
      const outcome = await audit.checkpoint(reason, 'scheduler')
      if (!outcome.written && !outcome.result.ok) {
        logger.error(
          `audit checkpoint NOT written: the chain does not verify at event #${outcome.result.badEventId ?? '?'}: ${describeFailure(outcome.result)}`
        )
        await audit.record({
          actorName: 'scheduler',
          action: 'audit.checkpoint',
          outcome: 'failure',
          details: { reason: outcome.result.reason, badEventId: outcome.result.badEventId },
        })
      }
    } catch (error) {
      logger.error(`audit checkpoint failed: ${(error as Error).message}`)
    }
  }

  if (settings.checkpointCron && settings.checkpointCron !== 'off') {
    if (!cron.validate(settings.checkpointCron)) {
      throw new Error(
        `AUDIT_CHECKPOINT_CRON is not a valid cron expression: "${settings.checkpointCron}"`
      )
    }
    tasks.push(
      cron.schedule(settings.checkpointCron, () => checkpoint('schedule'), {
        name: 'audit:checkpoint',
        noOverlap: true,
      })
    )
    void checkpoint('startup')
  }

  if (options.backup && options.backupCron && options.backupCron !== 'off') {
    if (!cron.validate(options.backupCron)) {
      throw new Error(`BACKUP_CRON is not a valid cron expression: "${options.backupCron}"`)
    }
    const run = options.backup
    tasks.push(
      cron.schedule(
        options.backupCron,
        async () => {
          try {
            await run()
          } catch (error) {
            logger.error(`scheduled backup failed: ${(error as Error).message}`)
          }
        },
        { name: 'backup:create', noOverlap: true }
      )
    )
  }

  if (settings.syslog.host) {
    forwarder = new SyslogForwarder({
      target: {
        host: settings.syslog.host,
        port: settings.syslog.port,
        tls: settings.syslog.tls,
        caFile: settings.syslog.caFile,
        rejectUnauthorized: settings.syslog.rejectUnauthorized,
      },
      logger,
    }).start((listener) => audit.onAppended(listener))
  }

  return async () => {
    for (const task of tasks) await task.stop()
    await forwarder?.stop()
  }
}
