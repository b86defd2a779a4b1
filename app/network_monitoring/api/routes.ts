import router from '@adonisjs/core/services/router'
import { requireApiAbility } from '#core/api_tokens/api_token_middleware'

const SecurityEventsController = () => import('#network_monitoring/api/security_events_controller')

router
  .post('api/v1/security-events', [SecurityEventsController, 'store'])
  .as('api.v1.security_events.store')
  .use(requireApiAbility('security-events:write'))
