import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const AuditController = () => import('#core/audit/audit_controller')

router
  .group(() => {
    router.get('audit', [AuditController, 'index']).as('audit.index')
    router.post('audit/verify', [AuditController, 'verify']).as('audit.verify')
  })
  .use(middleware.auth())
