import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const AlertRulesController = () => import('#network_monitoring/alerts/rules/alert_rules_controller')

const id = { match: /^\d+$/, cast: (value: string) => Number(value) }

/** 告警规则 (issue #11): rule settings and the threat counter map. */
router
  .group(() => {
    router.get('alert-rules', [AlertRulesController, 'index']).as('alert_rules.index')
    router
      .put('alert-rules/rules/:rule', [AlertRulesController, 'update'])
      .as('alert_rules.update')
      .where('rule', /^[a-z_]{1,32}$/)
    router
      .post('alert-rules/counters', [AlertRulesController, 'addCounter'])
      .as('alert_rules.counter_store')
    router
      .post('alert-rules/counters/:id/toggle', [AlertRulesController, 'toggleCounter'])
      .as('alert_rules.counter_toggle')
      .where('id', id)
  })
  .prefix('monitoring')
  .use(middleware.auth())
