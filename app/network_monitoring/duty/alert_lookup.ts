import { setImmediate as nextTurn } from 'node:timers/promises'
import db from '@adonisjs/lucid/services/db'
import i18nManager from '@adonisjs/i18n/services/main'
import { jsonColumn } from '#network_monitoring/alerts/json_column'
import type { AlertInfo } from '#network_monitoring/duty/notifier'
import type { Grade } from '#network_monitoring/duty/duty_settings'

/**
 * Alerts read per query. The storm digest looks up 500 alerts at once: as Lucid models with
 * their device and site preloaded that held the event loop ~200 ms (luxon per date column, the
 * preloader matching every alert against every device), stalling the push API beside it.
 * Plain rows in slices, with a turn of the event loop between, keep each step short.
 */
export const LOOKUP_CHUNK = 100

interface LookupRow {
  id: number | string
  grade: number | string
  state: string
  summary_key: string | null
  summary_params: unknown
  summary_text: string | null
  first_seen_at: Date | string | null
  device_name: string | null
  site_name: string | null
}

/** A stored UTC datetime: a Date (mysql2) or 'YYYY-MM-DD HH:MM:SS' / ISO text (SQLite). */
function instant(value: Date | string | null): Date {
  if (value instanceof Date) return value
  if (!value) return new Date()
  const at = new Date(value.includes('T') ? value : `${value.replace(' ', 'T')}Z`)
  return Number.isNaN(at.getTime()) ? new Date() : at
}

/**
 * What a notification mail says about each alert, read from the alert store's table.
 * `options.breathe` is the pause between two slices (tests count the slices with it).
 */
export async function lookupAlerts(
  ids: number[],
  options: { breathe?: () => Promise<unknown> } = {}
): Promise<Map<number, AlertInfo>> {
  const result = new Map<number, AlertInfo>()
  const unique = [...new Set(ids)]
  if (unique.length === 0) return result
  const breathe = options.breathe ?? (() => nextTurn())
  const i18n = i18nManager.locale(i18nManager.defaultLocale)
  for (let start = 0; start < unique.length; start += LOOKUP_CHUNK) {
    if (start > 0) await breathe()
    const rows: LookupRow[] = await db
      .from('alerts')
      .leftJoin('network_devices', 'network_devices.id', 'alerts.device_id')
      .leftJoin('network_sites', 'network_sites.id', 'alerts.site_id')
      .whereIn('alerts.id', unique.slice(start, start + LOOKUP_CHUNK))
      .select(
        'alerts.id',
        'alerts.grade',
        'alerts.state',
        'alerts.summary_key',
        'alerts.summary_params',
        'alerts.summary_text',
        'alerts.first_seen_at',
        'network_devices.name as device_name',
        'network_sites.name as site_name'
      )
    for (const row of rows) {
      const id = Number(row.id)
      const summaryKey = row.summary_key
      const params = jsonColumn.consume(row.summary_params) as Record<string, unknown> | null
      const title =
        row.summary_text ??
        (summaryKey
          ? i18n.t(summaryKey.startsWith('alerts.') ? summaryKey : `alerts.summary.${summaryKey}`, {
              device: row.device_name ?? '',
              ...(params ?? {}),
            })
          : `#${id}`)
      result.set(id, {
        id,
        grade: Number(row.grade) as Grade,
        title,
        status: row.state,
        deviceName: row.device_name ?? null,
        siteName: row.site_name ?? null,
        occurredAt: instant(row.first_seen_at),
      })
    }
  }
  return result
}
