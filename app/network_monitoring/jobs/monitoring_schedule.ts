import cron from 'node-cron'
import type { ScheduledTask } from 'node-cron'
import PollJob, { type JobLogger } from '#network_monitoring/jobs/poll_job'
import RetentionJob from '#network_monitoring/jobs/retention_job'
import { monitoringSettings } from '#network_monitoring/services/monitoring_settings'

export interface ScheduleOptions {
  logger: JobLogger
  /** Which jobs to run (default: all). `snmp:poll` runs the poll job only. */
  jobs?: Array<'poll' | 'rollup' | 'retention'>
  pollJob?: PollJob
}

/** Rollups run every minute (half a minute after the poll tick), the purge hourly. */
export const ROLLUP_CRON = '30 * * * * *'
export const RETENTION_CRON = '0 7 * * * *'

/**
 * Wires node-cron to the monitoring jobs. Each job guards itself against
 * overlapping runs; a throwing run is logged and the next tick tries again.
 * Returns a stop function that waits for nothing and closes the SNMP socket.
 */
export function startMonitoringSchedule(options: ScheduleOptions) {
  const settings = monitoringSettings()
  const jobs = options.jobs ?? ['poll', 'rollup', 'retention']
  const logger = options.logger
  const tasks: ScheduledTask[] = []
  const pollJob = options.pollJob ?? new PollJob({ logger })
  const retentionJob = new RetentionJob({ logger })

  const guarded = (name: string, run: () => Promise<unknown>) => async () => {
    try {
      await run()
    } catch (error) {
      logger.error({ job: name, err: { message: (error as Error).message } }, `${name} run failed`)
    }
  }

  if (jobs.includes('poll')) {
    if (!cron.validate(settings.pollCron)) {
      throw new Error(`POLL_CRON is not a valid cron expression: "${settings.pollCron}"`)
    }
    tasks.push(
      cron.schedule(
        settings.pollCron,
        guarded('snmp:poll', () => pollJob.tick()),
        { name: 'snmp:poll' }
      )
    )
  }
  if (jobs.includes('rollup')) {
    tasks.push(
      cron.schedule(
        ROLLUP_CRON,
        guarded('snmp:rollup', () => retentionJob.rollup()),
        {
          name: 'snmp:rollup',
        }
      )
    )
  }
  if (jobs.includes('retention')) {
    tasks.push(
      cron.schedule(
        RETENTION_CRON,
        guarded('snmp:retention', () => retentionJob.purge()),
        {
          name: 'snmp:retention',
        }
      )
    )
  }
  logger.info(
    { jobs, pollCron: settings.pollCron },
    `monitoring scheduler started (${jobs.join(', ')})`
  )

  return async () => {
    for (const task of tasks) await task.destroy()
    await pollJob.close()
  }
}
