import { DateTime } from 'luxon'
import i18nManager from '@adonisjs/i18n/services/main'
import Alert from '#network_monitoring/models/alert'
import type { AlertInfo } from '#network_monitoring/duty/notifier'
import type { Grade } from '#network_monitoring/duty/duty_settings'

/** What a notification mail says about each alert, read from the alert store's table. */
export async function lookupAlerts(ids: number[]): Promise<Map<number, AlertInfo>> {
  const result = new Map<number, AlertInfo>()
  if (ids.length === 0) return result
  const i18n = i18nManager.locale(i18nManager.defaultLocale)
  const alerts = await Alert.query()
    .whereIn('id', [...new Set(ids)])
    .preload('device')
    .preload('site')
  for (const alert of alerts) {
    const title =
      alert.summaryText ??
      (alert.summaryKey
        ? i18n.t(
            alert.summaryKey.startsWith('alerts.')
              ? alert.summaryKey
              : `alerts.summary.${alert.summaryKey}`,
            {
              device: alert.device?.name ?? '',
              ...(alert.summaryParams ?? {}),
            }
          )
        : `#${alert.id}`)
    result.set(alert.id, {
      id: alert.id,
      grade: Number(alert.grade) as Grade,
      title,
      status: alert.state,
      deviceName: alert.device?.name ?? null,
      siteName: alert.site?.name ?? null,
      occurredAt: (alert.firstSeenAt ?? DateTime.utc()).toJSDate(),
    })
  }
  return result
}
