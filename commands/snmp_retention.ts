import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * Brings the 5-minute and hourly rollups up to date, then deletes what is
 * past its retention window (RAW_RETENTION_HOURS, ROLLUP_5M_RETENTION_DAYS,
 * ROLLUP_RETENTION_DAYS). The web process runs both on cron.
 */
export default class SnmpRetention extends BaseCommand {
  static commandName = 'snmp:retention'
  static description = 'Roll up monitoring samples (5 min, hourly) and purge history past retention'
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'Only compute rollups, delete nothing' })
  declare rollupOnly: boolean

  async run() {
    const { default: RetentionJob } = await import('#network_monitoring/jobs/retention_job')
    const { default: logger } = await import('@adonisjs/core/services/logger')
    const job = new RetentionJob({ logger })
    let total = 0
    for (;;) {
      const report = await job.rollup()
      if ('skipped' in report) break
      total += report.hours
      if (report.hours === 0 || report.toTs >= Math.floor(Date.now() / 1000)) break
    }
    this.logger.info(`rollups: ${total} hour(s) recomputed`)
    if (this.rollupOnly) return
    const purged = await job.purge()
    const { rawRetentionHours, rollup5mRetentionDays, rollupRetentionDays } = job.settings
    this.logger.info(
      `purged ${purged.interfaceSamples} raw samples and ${purged.devicePolls} polls older than ${rawRetentionHours} h, ${purged.rollups5m} 5-minute rollups older than ${rollup5mRetentionDays} d, ${purged.rollups1h} hourly rollups older than ${rollupRetentionDays} d`
    )
  }
}
