import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const BoardController = () => import('#network_monitoring/controllers/board_controller')
const DevicesController = () => import('#network_monitoring/controllers/devices_controller')
const DeviceImportController = () =>
  import('#network_monitoring/controllers/device_import_controller')
const MaintenanceWindowsController = () =>
  import('#network_monitoring/controllers/maintenance_windows_controller')
const SitesController = () => import('#network_monitoring/controllers/sites_controller')
const AvailabilityController = () =>
  import('#network_monitoring/controllers/availability_controller')
const AlertsController = () => import('#network_monitoring/controllers/alerts_controller')
const AlertsActionsController = () =>
  import('#network_monitoring/controllers/alerts_actions_controller')

const id = { match: /^\d+$/, cast: (value: string) => Number(value) }

router
  .group(() => {
    router.get('board', [BoardController, 'show']).as('monitoring.board')
    router.get('board.json', [BoardController, 'json']).as('monitoring.board_json')

    router.get('devices', [DevicesController, 'index']).as('devices.index')
    router.get('devices/new', [DevicesController, 'create']).as('devices.create')
    router.post('devices', [DevicesController, 'store']).as('devices.store')
    router.get('devices/import', [DeviceImportController, 'create']).as('devices.import')
    router
      .post('devices/import', [DeviceImportController, 'store'])
      .as('devices.import_store')
      .use(middleware.upload({ limit: '3mb', tooLarge: 'monitoring.import.too_large' }))
    router.get('devices/:id', [DevicesController, 'show']).as('devices.show').where('id', id)
    router.get('devices/:id/edit', [DevicesController, 'edit']).as('devices.edit').where('id', id)
    router.put('devices/:id', [DevicesController, 'update']).as('devices.update').where('id', id)
    router
      .delete('devices/:id', [DevicesController, 'destroy'])
      .as('devices.destroy')
      .where('id', id)
    router
      .post('devices/:id/toggle-enabled', [DevicesController, 'toggleEnabled'])
      .as('devices.toggle')
      .where('id', id)
    router
      .post('devices/:id/maintenance', [MaintenanceWindowsController, 'store'])
      .as('devices.maintenance_store')
      .where('id', id)
    router
      .delete('devices/:id/maintenance/:windowId', [MaintenanceWindowsController, 'destroy'])
      .as('devices.maintenance_destroy')
      .where('id', id)
      .where('windowId', id)

    router.get('sites', [SitesController, 'index']).as('sites.index')
    router.get('sites/new', [SitesController, 'create']).as('sites.create')
    router.post('sites', [SitesController, 'store']).as('sites.store')
    router.get('sites/:id/edit', [SitesController, 'edit']).as('sites.edit').where('id', id)
    router.put('sites/:id', [SitesController, 'update']).as('sites.update').where('id', id)
    router.delete('sites/:id', [SitesController, 'destroy']).as('sites.destroy').where('id', id)

    router
      .get('reports/availability', [AvailabilityController, 'index'])
      .as('monitoring.availability')

    // 告警中心. No delete route, on purpose: alerts are evidence.
    router.get('alerts', [AlertsController, 'index']).as('alerts.index')
    router.get('alert-overview', [AlertsController, 'dashboard']).as('alerts.dashboard')
    router.get('alerts/live.json', [AlertsController, 'live']).as('alerts.live')
    router.get('alerts/:id', [AlertsController, 'show']).as('alerts.show').where('id', id)
    for (const action of [
      'acknowledge',
      'resolve',
      'close',
      'reopen',
      'assign',
      'reclassify',
    ] as const) {
      router
        .post(`alerts/:id/${action}`, [AlertsActionsController, action])
        .as(`alerts.${action}`)
        .where('id', id)
    }
    router
      .post('alerts/:id/handling', [AlertsActionsController, 'handling'])
      .as('alerts.handling')
      .where('id', id)
      .use(middleware.upload({ limit: '11mb', tooLarge: 'alerts.errors.upload_too_large' }))
    router
      .get('alerts/handling/:id/attachment', [AlertsActionsController, 'attachment'])
      .as('alerts.handling_attachment')
      .where('id', id)
  })
  .prefix('monitoring')
  .use(middleware.auth())
