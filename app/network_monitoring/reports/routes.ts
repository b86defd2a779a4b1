import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const SecurityReportsController = () =>
  import('#network_monitoring/reports/security_reports_controller')

/** 网络安全月报: the page and the PDF. */
router
  .group(() => {
    router
      .get('reports/security', [SecurityReportsController, 'index'])
      .as('monitoring.security_report')
    router
      .get('reports/security.pdf', [SecurityReportsController, 'download'])
      .as('monitoring.security_report_pdf')
  })
  .prefix('monitoring')
  .use(middleware.auth())
