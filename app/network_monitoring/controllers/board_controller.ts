import type { HttpContext } from '@adonisjs/core/http'
import MonitoringPolicy from '#network_monitoring/policies/monitoring_policy'
import { loadBoard } from '#network_monitoring/services/board_service'
import { monitoringSettings } from '#network_monitoring/services/monitoring_settings'
import { formatDateTime } from '#start/view'
import type { I18n } from '@adonisjs/i18n'
import type { Board } from '#network_monitoring/services/board_service'
import { onDutyNow } from '#network_monitoring/duty/duty_service'

/** The board's banner when poll results wait for the database or were lost (null: nothing to say). */
function bufferNotice(board: Board, i18n: I18n) {
  const lines: string[] = []
  const held = board.pollBuffer
  if (held && held.buffered > 0) {
    lines.push(
      i18n.t(
        held.buffered >= held.max ? 'monitoring.board.buffer_full' : 'monitoring.board.buffer_held',
        {
          buffered: held.buffered,
          max: held.max,
          time: formatDateTime(held.updatedAt, 'MM-dd HH:mm:ss'),
        }
      )
    )
  }
  if (held && held.dropped > 0) {
    lines.push(i18n.t('monitoring.board.buffer_dropping', { dropped: held.dropped }))
  }
  if (board.droppedLast24h > 0) {
    lines.push(i18n.t('monitoring.board.buffer_dropped_24h', { dropped: board.droppedLast24h }))
  }
  return lines.length > 0 ? lines.join(' ') : null
}

/** The status board of all sites; the page refreshes itself from board.json. */
export default class BoardController {
  async show({ view, bouncer, i18n }: HttpContext) {
    await bouncer.with(MonitoringPolicy).authorize('view')
    const board = await loadBoard()
    return view.render('pages/monitoring/board', {
      board,
      bufferNotice: bufferNotice(board, i18n),
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
      bufferNotice: bufferNotice(board, i18n),
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
