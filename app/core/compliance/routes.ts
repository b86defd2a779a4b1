import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const ComplianceController = () => import('#core/compliance/compliance_controller')

router
  .get('compliance', [ComplianceController, 'show'])
  .as('compliance.show')
  .use(middleware.auth())
