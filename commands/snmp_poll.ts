import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * Polls the devices: once (`--once`), or on POLL_CRON until stopped — the
 * same job the web process schedules, for running the poller on its own
 * (set SCHEDULER_ENABLED=false on the web then).
 */
export default class SnmpPoll extends BaseCommand {
  static commandName = 'snmp:poll'
  static description = 'Poll the extranet devices over SNMP (once, or on the cron schedule)'
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'Poll every enabled device once now, then exit' })
  declare once: boolean

  @flags.number({ description: 'Only this device (id); with --once prints what was found' })
  declare device: number

  get staysAlive() {
    return !this.once
  }

  async run() {
    const { default: PollJob } = await import('#network_monitoring/jobs/poll_job')
    const { default: Device } = await import('#network_monitoring/models/device')
    const { default: logger } = await import('@adonisjs/core/services/logger')

    if (this.device !== undefined) {
      const device = await Device.find(this.device)
      if (!device) {
        this.logger.error(`no device #${this.device}`)
        this.exitCode = 1
        return
      }
      if (!device.pollingSupported || !device.isEnabled) {
        this.logger.error(
          `device #${device.id} ${device.name} is ${device.isEnabled ? 'SNMPv3 (not supported by the poller)' : 'disabled'}`
        )
        this.exitCode = 1
        return
      }
    }
    const deviceIds = this.device === undefined ? undefined : [this.device]

    if (!this.once) {
      const { startMonitoringSchedule } =
        await import('#network_monitoring/jobs/monitoring_schedule')
      const job = new PollJob({ logger })
      const stop = startMonitoringSchedule({
        logger,
        jobs: ['poll'],
        pollJob: deviceIds ? scopedJob(job, deviceIds) : job,
      })
      this.app.terminating(stop)
      process.once('SIGINT', () => this.app.terminate())
      this.logger.info(`polling on ${job.settings.pollCron} (Ctrl+C to stop)`)
      return
    }

    const job = new PollJob({ logger })
    try {
      const report = await job.tick({ force: true, deviceIds })
      if (report.skipped) return
      this.logger.info(
        `polled ${report.due} device(s) in ${Math.round(report.durationMs)} ms: ${report.ok} ok, ${report.failed} failed; ${report.written} written, ${report.buffered} buffered`
      )
      if (deviceIds) {
        const [record] = report.records
        if (!record) return
        this.logger.info(
          `${record.deviceName}: ${record.ok ? 'up' : `down (${record.errorCode}: ${record.errorMessage})`} in ${Math.round(record.durationMs)} ms`
        )
        if (record.system) {
          this.logger.info(
            `sysName ${record.system.sysName ?? '-'}, uptime ${record.system.sysUpTimeTicks ?? '-'} ticks`
          )
        }
        const table = this.ui.table()
        table.head(['ifIndex', 'name', 'oper', 'speed', 'in bit/s', 'out bit/s'])
        for (const row of record.interfaces) {
          table.row([
            String(row.ifIndex),
            row.name ?? row.descr ?? '',
            row.operStatus === 1 ? 'up' : String(row.operStatus ?? '-'),
            row.speedBps === null ? '-' : String(row.speedBps),
            typeof row.rates?.inBps === 'number' ? String(Math.round(row.rates.inBps)) : '-',
            typeof row.rates?.outBps === 'number' ? String(Math.round(row.rates.outBps)) : '-',
          ])
        }
        if (record.interfaces.length > 0) table.render()
        if (!record.ok) this.exitCode = 1
      }
      if (report.buffered > 0) this.exitCode = 1
    } finally {
      await job.close()
    }
  }
}

/** A job that only ever polls the given devices. */
function scopedJob<J extends { tick: (options?: { deviceIds?: number[] }) => Promise<unknown> }>(
  job: J,
  deviceIds: number[]
): J {
  const tick = job.tick.bind(job)
  job.tick = (options = {}) => tick({ ...options, deviceIds })
  return job
}
