/**
 * Cron jobs of the web process (preloaded for the `web` environment only):
 * the SNMP poll tick, rollups and the retention purge. Every job can also be
 * run by hand (`node ace snmp:poll`, `node ace snmp:retention`). Set
 * SCHEDULER_ENABLED=false when a separate `snmp:poll` process does the polling.
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
