import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const ReviewReportsController = () => import('#project_review/reports/review_reports_controller')

const id = router.matchers.number()

/** PDF documents of the project review (评审意见书, 抽取记录表, 年度统计). */
router
  .group(() => {
    router
      .get('projects/:id/documents/opinion.pdf', [ReviewReportsController, 'opinion'])
      .as('documents.opinion')
      .where('id', id)
    router
      .get('projects/:id/documents/draw-record.pdf', [ReviewReportsController, 'drawRecord'])
      .as('documents.draw_record')
      .where('id', id)
    router
      .get('projects/:id/documents/acceptance.pdf', [ReviewReportsController, 'acceptance'])
      .as('documents.acceptance')
      .where('id', id)
    router.get('reports', [ReviewReportsController, 'index']).as('reports.index')
    router.get('reports/annual.pdf', [ReviewReportsController, 'annual']).as('reports.annual')
  })
  .prefix('review')
  .as('review')
  .use(middleware.auth())
