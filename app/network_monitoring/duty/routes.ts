import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const DutyController = () => import('#network_monitoring/duty/duty_controller')

const id = { match: /^\d+$/, cast: (value: string) => Number(value) }

router
  .group(() => {
    router.get('duty', [DutyController, 'week']).as('duty.week')
    router.get('duty/month', [DutyController, 'month']).as('duty.month')
    router.post('duty/shifts', [DutyController, 'storeShift']).as('duty.shifts.store')
    router
      .post('duty/shifts/:id/delete', [DutyController, 'destroyShift'])
      .as('duty.shifts.destroy')
      .where('id', id)
    router
      .post('duty/shifts/:id/swap', [DutyController, 'swap'])
      .as('duty.shifts.swap')
      .where('id', id)
    router.post('duty/copy', [DutyController, 'copyLastWeek']).as('duty.copy')
    router.post('duty/periods', [DutyController, 'storePeriod']).as('duty.periods.store')
    router
      .post('duty/periods/:id/delete', [DutyController, 'destroyPeriod'])
      .as('duty.periods.destroy')
      .where('id', id)
    router.get('duty/settings', [DutyController, 'settings']).as('duty.settings')
    router.post('duty/settings', [DutyController, 'saveSettings']).as('duty.settings.save')
  })
  .prefix('monitoring')
  .use(middleware.auth())
