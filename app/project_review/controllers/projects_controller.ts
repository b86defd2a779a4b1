import type { HttpContext } from '@adonisjs/core/http'
import Unit from '#identity/models/unit'
import Project, { PROJECT_CATEGORIES } from '#project_review/models/project'
import ProjectPolicy from '#project_review/policies/project_policy'
import { PAGE_SIZE, sendCsv } from '#core/http_helpers'
import { validateFilters } from '#core/list_filters'
import { formatYuan } from '#core/money'
import { cutFigures, formatRateBp } from '#project_review/domain/aggregation'
import { PROJECT_STATES } from '#project_review/lifecycle'
import {
  filterProjects,
  pageOfProjects,
  visibleProjects,
} from '#project_review/services/project_queries'
import { reviewStats } from '#project_review/services/review_stats'
import projectPage from '#project_review/services/project_page'
import { projectListValidator } from '#project_review/validators/proposal_validators'
import { reviewMessages } from '#project_review/validators/messages_provider'
import { formatDateTime } from '#start/view'

/** Project lists (the applicant's unit, the reviewer's workbench, the expert's panels) and the project page. */
export default class ProjectsController {
  async index(ctx: HttpContext) {
    const { request, view, bouncer, response, i18n, auth } = ctx
    await bouncer.with(ProjectPolicy).authorize('list')
    const {
      filters,
      errors,
      query: listQuery,
      values,
    } = await validateFilters(ctx, projectListValidator, reviewMessages(ctx))
    const user = auth.user!
    const filtered = filterProjects(visibleProjects(user), filters)

    if (request.input('format') === 'csv') {
      const projects = await filtered.clone().preload('unit').orderBy('id', 'desc')
      const fields = [
        'code',
        'title',
        'unit',
        'year',
        'category',
        'state',
        'requested',
        'approved',
        'cut',
        'cutRate',
        'score',
        'flagged',
        'submittedAt',
      ]
      return sendCsv(
        response,
        'projects.csv',
        fields.map((field) => i18n.t(`review.projects.csv.${field}`)),
        projects.map((project) => {
          const figures =
            project.approvedFen === null
              ? null
              : cutFigures([
                  { requestedFen: project.requestedFen, approvedFen: project.approvedFen },
                ])
          return [
            project.code,
            project.title,
            project.unit.name,
            project.year,
            i18n.t(`review.categories.${project.category}`),
            i18n.t(`review.states.${project.state}`),
            formatYuan(project.requestedFen),
            figures ? formatYuan(figures.approvedFen) : '',
            figures ? formatYuan(figures.cutFen) : '',
            figures?.cutRateBp === null || !figures ? '' : `${formatRateBp(figures.cutRateBp)}%`,
            project.finalScore ?? '',
            i18n.t(project.similarityFlagged ? 'messages.common.yes' : 'messages.common.no'),
            formatDateTime(project.submittedAt),
          ]
        })
      )
    }

    const projects = await pageOfProjects(filtered, filters.page ?? 1, PAGE_SIZE)
    projects.baseUrl('/review/projects').queryString(listQuery)
    const stats = user.hasRole('reviewer')
      ? await reviewStats({
          year: filters.year,
          unitId: filters.unitId,
          category: filters.category,
        })
      : null
    return view.render('pages/review/projects/index', {
      projects,
      filters,
      filterErrors: errors,
      values,
      stats,
      units: user.hasRole('reviewer') ? await Unit.query().orderBy('name') : [],
      states: PROJECT_STATES,
      categories: PROJECT_CATEGORIES,
    })
  }

  async show({ params, view, bouncer, auth }: HttpContext) {
    const project = await Project.findOrFail(params.id)
    await bouncer.with(ProjectPolicy).authorize('view', project)
    return view.render(
      'pages/review/projects/show',
      await projectPage.load(project, auth.user!, bouncer)
    )
  }
}
