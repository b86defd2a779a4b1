/**
 * Cron jobs of the web process (preloaded for the `web` environment only):
 * the SNMP poll tick, rollups and the retention purge. Every job can also be
 * run by hand (`node ace snmp:poll`, `node ace snmp:retention`). Set
 * SCHEDULER_ENABLED=false when a separate `snmp:poll` process does the polling.
 * The daily evaluation reminder (`node ace review:remind-evaluations`) runs here too.
 * The audit trail's jobs (signed checkpoints, syslog forwarding, scheduled
 * backups) always run here; see README "等保".
 */
import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import { monitoringSettings } from '#network_monitoring/services/monitoring_settings'
import { startMonitoringSchedule } from '#network_monitoring/jobs/monitoring_schedule'
import { startAuditSchedule } from '#core/audit/audit_schedule'
import audit from '#core/audit/audit_service'
import backups, { backupSettings } from '#core/audit/backup_service'
import { startAlertSchedule } from '#network_monitoring/alerts/alert_schedule'
import { startMailSchedule } from '#core/mail/mail_schedule'
import { alertNotifier } from '#network_monitoring/duty/notifier'
import cron from 'node-cron'

if (monitoringSettings().schedulerEnabled) {
  app.ready(() => {
    const stop = startMonitoringSchedule({ logger })
    const stopAlerts = startAlertSchedule(logger)
    app.terminating(async () => {
      await stopAlerts()
      await stop()
    })
  })
}

app.ready(() => {
  const stop = startAuditSchedule({
    logger,
    backupCron: backupSettings().cron,
    backup: async () => {
      const result = await backups.create((message) => logger.info(`backup: ${message}`))
      await audit.record({
        actorName: 'scheduler',
        action: 'backup.create',
        details: { archive: result.archive, removed: result.removed },
      })
      logger.info(`backup written: ${result.archive}`)
    },
  })
  app.terminating(stop)
})

// The mail outbox (every mail of the app) and the duty notification jobs.
app.ready(() => {
  const jobs = [
    { name: 'duty:escalate', run: () => alertNotifier().escalateDue() },
    { name: 'duty:digest', run: () => alertNotifier().sendDigest() },
  ]
  app.terminating(startMailSchedule({ logger, jobs }))
})

/** 绩效评价提醒: daily, for projects 12 months past acceptance without an evaluation. */
app.ready(() => {
  const task = cron.schedule(
    '0 9 * * *',
    async () => {
      try {
        const { default: evaluations } = await import('#project_review/services/evaluations')
        const reminded = await evaluations.remindOverdue()
        if (reminded.length)
          logger.info(`evaluation reminders sent for ${reminded.length} project(s)`)
      } catch (error) {
        logger.error({ err: error }, 'evaluation reminder job failed')
      }
    },
    { timezone: 'Asia/Shanghai' }
  )
  app.terminating(() => {
    task.stop()
  })
})
