import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import '#project_review/view_globals'
import '#project_review/dashboard'
import { requireApiAbility } from '#core/api_tokens/api_token_middleware'

const ProjectsController = () => import('#project_review/controllers/projects_controller')
const ProposalsController = () => import('#project_review/controllers/proposals_controller')
const AttachmentsController = () => import('#project_review/controllers/attachments_controller')
const PrecheckController = () => import('#project_review/controllers/precheck_controller')
const PanelsController = () => import('#project_review/controllers/panels_controller')
const DecisionsController = () => import('#project_review/controllers/decisions_controller')
const SheetsController = () => import('#project_review/controllers/sheets_controller')
const ExpertsController = () => import('#project_review/controllers/experts_controller')
const SettingsController = () => import('#project_review/controllers/settings_controller')
const ApiController = () => import('#project_review/controllers/api_controller')
const SimilarityController = () => import('#project_review/controllers/similarity_controller')
const AcceptanceController = () => import('#project_review/controllers/acceptance_controller')

const id = router.matchers.number()

router
  .group(() => {
    router.get('projects', [ProjectsController, 'index']).as('projects.index')
    router.get('projects/new', [ProposalsController, 'create']).as('proposals.create')
    router.post('projects', [ProposalsController, 'store']).as('proposals.store')
    router.get('projects/:id', [ProjectsController, 'show']).as('projects.show').where('id', id)
    router
      .get('projects/:id/edit', [ProposalsController, 'edit'])
      .as('proposals.edit')
      .where('id', id)
    router
      .put('projects/:id', [ProposalsController, 'update'])
      .as('proposals.update')
      .where('id', id)
    router
      .delete('projects/:id', [ProposalsController, 'destroy'])
      .as('proposals.destroy')
      .where('id', id)
    router
      .post('projects/:id/submit', [ProposalsController, 'submit'])
      .as('proposals.submit')
      .where('id', id)

    router
      .get('projects/:id/similarity/:otherId', [SimilarityController, 'compare'])
      .as('similarity.compare')
      .where('id', id)
      .where('otherId', id)
    router
      .post('projects/:id/similarity/rerun', [SimilarityController, 'rerun'])
      .as('similarity.rerun')
      .where('id', id)
    router
      .post('projects/:id/similarity/:otherId/dismiss', [SimilarityController, 'dismiss'])
      .as('similarity.dismiss')
      .where('id', id)
      .where('otherId', id)

    router
      .post('projects/:id/attachments', [AttachmentsController, 'store'])
      .as('attachments.store')
      .where('id', id)
      .use(middleware.upload({ limit: '21mb', tooLarge: 'messages.errors.too_large' }))
    router
      .get('attachments/:id', [AttachmentsController, 'show'])
      .as('attachments.show')
      .where('id', id)
    router
      .delete('attachments/:id', [AttachmentsController, 'destroy'])
      .as('attachments.destroy')
      .where('id', id)

    router
      .post('projects/:id/revision/request', [AcceptanceController, 'requestRevision'])
      .as('revision.request')
      .where('id', id)
    router
      .post('projects/:id/revision', [AcceptanceController, 'submitRevision'])
      .as('revision.submit')
      .where('id', id)
    router
      .post('projects/:id/construction', [AcceptanceController, 'startConstruction'])
      .as('construction.start')
      .where('id', id)
    router
      .post('projects/:id/milestones', [AcceptanceController, 'recordMilestone'])
      .as('milestones.store')
      .where('id', id)
    router
      .post('projects/:id/acceptance', [AcceptanceController, 'requestAcceptance'])
      .as('acceptance.request')
      .where('id', id)
    router
      .post('projects/:id/acceptance/panel', [AcceptanceController, 'drawPanel'])
      .as('acceptance.panel')
      .where('id', id)
    router
      .post('projects/:id/acceptance/check', [AcceptanceController, 'saveCheck'])
      .as('acceptance.check')
      .where('id', id)
    router
      .post('projects/:id/acceptance/decide', [AcceptanceController, 'decide'])
      .as('acceptance.decide')
      .where('id', id)
    router
      .post('projects/:id/evaluation/self', [AcceptanceController, 'saveSelfEvaluation'])
      .as('evaluation.self')
      .where('id', id)
    router
      .post('projects/:id/evaluation/rate', [AcceptanceController, 'rate'])
      .as('evaluation.rate')
      .where('id', id)
    router
      .post('projects/:id/accept', [PrecheckController, 'accept'])
      .as('precheck.accept')
      .where('id', id)
    router
      .post('projects/:id/return', [PrecheckController, 'return'])
      .as('precheck.return')
      .where('id', id)
    router
      .post('projects/:id/reject', [PrecheckController, 'reject'])
      .as('precheck.reject')
      .where('id', id)

    router.post('projects/:id/panel', [PanelsController, 'draw']).as('panels.draw').where('id', id)
    router
      .post('projects/:id/panel/verify', [PanelsController, 'verify'])
      .as('panels.verify')
      .where('id', id)
    router
      .post('members/:id/withdraw', [PanelsController, 'withdraw'])
      .as('members.withdraw')
      .where('id', id)
    router
      .post('members/:id/resend', [PanelsController, 'resend'])
      .as('members.resend')
      .where('id', id)
    router
      .post('projects/:id/panel/close', [PanelsController, 'close'])
      .as('panels.close')
      .where('id', id)
    router
      .post('sheets/:id/return', [PanelsController, 'returnSheet'])
      .as('sheets.return')
      .where('id', id)

    router
      .post('projects/:id/approve', [DecisionsController, 'approve'])
      .as('decisions.approve')
      .where('id', id)
    router
      .post('projects/:id/decline', [DecisionsController, 'decline'])
      .as('decisions.decline')
      .where('id', id)

    router.get('tasks', [SheetsController, 'index']).as('tasks.index')
    router
      .post('members/:id/declare', [SheetsController, 'declare'])
      .as('members.declare')
      .where('id', id)
    router
      .post('members/:id/decline', [SheetsController, 'decline'])
      .as('members.decline')
      .where('id', id)
    router.get('sheets/:id', [SheetsController, 'show']).as('sheets.show').where('id', id)
    router.put('sheets/:id', [SheetsController, 'update']).as('sheets.update').where('id', id)
    router
      .post('sheets/:id/submit', [SheetsController, 'submit'])
      .as('sheets.submit')
      .where('id', id)

    router.get('experts', [ExpertsController, 'index']).as('experts.index')
    router.get('experts/new', [ExpertsController, 'create']).as('experts.create')
    router.post('experts', [ExpertsController, 'store']).as('experts.store')
    router.get('experts/:id/edit', [ExpertsController, 'edit']).as('experts.edit').where('id', id)
    router.put('experts/:id', [ExpertsController, 'update']).as('experts.update').where('id', id)
    router
      .post('experts/:id/toggle-active', [ExpertsController, 'toggleActive'])
      .as('experts.toggle')
      .where('id', id)

    router.get('settings', [SettingsController, 'edit']).as('settings.edit')
    router.put('settings', [SettingsController, 'update']).as('settings.update')
    router
      .post('settings/platforms', [SettingsController, 'addPlatform'])
      .as('settings.platforms.store')
    router
      .post('settings/platforms/:id/toggle', [SettingsController, 'togglePlatform'])
      .as('settings.platforms.toggle')
      .where('id', id)
  })
  .prefix('review')
  .as('review')
  .use(middleware.auth())

router
  .group(() => {
    router.get('projects', [ApiController, 'index']).as('projects.index')
    router.get('projects/:id', [ApiController, 'show']).as('projects.show').where('id', id)
    router.get('stats/review', [ApiController, 'stats']).as('stats.review')
  })
  .prefix('api/v1')
  .as('api.v1')
  .use(requireApiAbility('review:read'))
