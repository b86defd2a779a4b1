import cron from 'node-cron'
import type { Logger } from '@adonisjs/core/logger'
import { mailOutbox, outboxSettings } from '#core/mail/outbox'

/** Extra periodic work run on the outbox tick (the escalation check registers here). */
export type TickJob = { name: string; run: () => Promise<unknown> }

/**
 * Wires node-cron to the outbox: every tick sends the due mail (a run still going is joined,
 * never doubled), then runs the registered jobs. A failing run is logged; the next tick retries.
 */
export function startMailSchedule(options: { logger: Logger; jobs?: TickJob[] }) {
  const settings = outboxSettings()
  if (!cron.validate(settings.cron)) {
    throw new Error(`MAIL_OUTBOX_CRON is not a valid cron expression: "${settings.cron}"`)
  }
  const jobs: TickJob[] = [
    ...(options.jobs ?? []),
    { name: 'mail:outbox', run: () => mailOutbox().deliverDue() },
  ]
  const task = cron.schedule(
    settings.cron,
    async () => {
      for (const job of jobs) {
        try {
          await job.run()
        } catch (error) {
          options.logger.error(
            { job: job.name, err: (error as Error).message },
            `${job.name} run failed`
          )
        }
      }
    },
    { name: 'mail:outbox', noOverlap: true }
  )
  return async () => {
    await task.destroy()
  }
}
