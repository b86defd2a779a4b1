import cron from 'node-cron'
import type { JobLogger } from '#network_monitoring/jobs/poll_job'
import alertStore from '#network_monitoring/alerts/alert_store'

/** Every minute, at second 45 (away from the poll tick and the rollup). */
export const FLAP_SETTLE_CRON = '45 * * * * *'

/**
 * Re-evaluates flapping conditions once a minute: a condition that calmed down resolves its
 * alert (when OK) or becomes a plain open alert (when still a problem); then regrades the live
 * fault alerts whose duration crossed a grade threshold. Returns a stop function.
 */
export function startAlertSchedule(logger: JobLogger) {
  let running = false
  const task = cron.schedule(
    FLAP_SETTLE_CRON,
    async () => {
      if (running) return
      running = true
      try {
        const settled = await alertStore.settleFlapping(new Date())
        if (settled > 0) logger.info({ settled }, 'alert flapping settled')
        const regraded = await alertStore.regradeLive(new Date())
        if (regraded > 0) logger.info({ regraded }, 'alerts regraded by duration')
      } catch (error) {
        logger.error({ err: { message: (error as Error).message } }, 'alert flap settle failed')
      } finally {
        running = false
      }
    },
    { name: 'alerts:settle-flapping' }
  )
  return async () => {
    await task.destroy()
  }
}
