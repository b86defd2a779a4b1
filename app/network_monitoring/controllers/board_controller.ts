import type { HttpContext } from '@adonisjs/core/http'
import MonitoringPolicy from '#network_monitoring/policies/monitoring_policy'
import { loadBoard } from '#network_monitoring/services/board_service'
import { monitoringSettings } from '#network_monitoring/services/monitoring_settings'
import { formatDateTime } from '#start/view'
import { onDutyNow } from '#network_monitoring/duty/duty_service'

/** The status board of all sites; the page refreshes itself from board.json. */
export default class BoardController {
  async show({ view, bouncer }: HttpContext) {
    await bouncer.with(MonitoringPolicy).authorize('view')
    const board = await loadBoard()
    return view.render('pages/monitoring/board', {
      board,
      refreshSeconds: monitoringSettings().boardRefreshSeconds,
      onDuty: await onDutyNow(),
    })
  }

  /** Device statuses for the page's auto-refresh (and anything else that wants them). */
  async json({ response, bouncer, i18n }: HttpContext) {
    await bouncer.with(MonitoringPolicy).authorize('view')
    const board = await loadBoard()
    const updatedTime = formatDateTime(board.generatedAt, 'HH:mm:ss')
    response.header('cache-control', 'no-store')
    return {
      generatedAt: board.generatedAt,
      updatedTime,
      updatedText: i18n.t('monitoring.board.updated_at', { time: updatedTime }),
      counts: board.counts,
      groups: board.groups.map((group) => ({ key: group.key, counts: group.counts })),
      devices: board.groups.flatMap((group) =>
        group.devices.map((device) => ({
          id: device.id,
          status: device.status,
          maintenance: device.maintenance,
          title: `${device.name} · ${device.siteName} · ${i18n.t(`monitoring.statuses.${device.status}`)}`,
        }))
      ),
      down: board.down.map((device) => ({
        id: device.id,
        name: device.name,
        site: device.siteName,
        since: device.since ? formatDateTime(device.since, 'MM-dd HH:mm:ss') : '',
        error: device.error,
      })),
    }
  }
}
