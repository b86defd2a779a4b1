import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const MailLogController = () => import('#core/mail/mail_log_controller')

router
  .group(() => {
    router.get('admin/mail', [MailLogController, 'index']).as('mail.index')
    router.post('admin/mail/:id/resend', [MailLogController, 'resend']).as('mail.resend')
  })
  .use(middleware.auth())
