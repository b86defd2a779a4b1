import { DateTime } from 'luxon'
import type { HttpContext } from '@adonisjs/core/http'
import Device from '#network_monitoring/models/device'
import MaintenanceWindow from '#network_monitoring/models/maintenance_window'
import MonitoringPolicy from '#network_monitoring/policies/monitoring_policy'
import inventory from '#network_monitoring/services/inventory_service'
import { maintenanceWindowValidator } from '#network_monitoring/validators/device_validators'
import { monitoringMessages } from '#network_monitoring/validators/messages_provider'
import { actorFrom } from '#core/audit/audit_service'
import { DISPLAY_ZONE } from '#start/view'

/** The form's date-times are Asia/Shanghai wall-clock times. */
function fromForm(date: Date) {
  return DateTime.fromJSDate(date, { zone: 'utc' }).setZone(DISPLAY_ZONE, { keepLocalTime: true })
}

/** Maintenance windows (维护窗口) of a device. */
export default class MaintenanceWindowsController {
  async store(ctx: HttpContext) {
    const { params, request, response, session, bouncer, i18n } = ctx
    await bouncer.with(MonitoringPolicy).authorize('manage')
    const device = await Device.findOrFail(params.id)
    const payload = await request.validateUsing(maintenanceWindowValidator, monitoringMessages(ctx))
    await inventory.addMaintenanceWindow(
      device,
      {
        startsAt: fromForm(payload.startsAt),
        endsAt: fromForm(payload.endsAt),
        reason: payload.reason,
      },
      actorFrom(ctx)
    )
    session.flash('success', i18n.t('monitoring.maintenance.added'))
    return response.redirect(`/monitoring/devices/${device.id}#maintenance`)
  }

  async destroy(ctx: HttpContext) {
    const { params, response, session, bouncer, i18n } = ctx
    await bouncer.with(MonitoringPolicy).authorize('manage')
    const device = await Device.findOrFail(params.id)
    const window = await MaintenanceWindow.query()
      .where('id', params.windowId)
      .where('device_id', device.id)
      .firstOrFail()
    await inventory.removeMaintenanceWindow(device, window, actorFrom(ctx))
    session.flash('success', i18n.t('monitoring.maintenance.removed'))
    return response.redirect(`/monitoring/devices/${device.id}#maintenance`)
  }
}
