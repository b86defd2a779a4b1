import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import Project, { PROJECT_CATEGORIES } from '#project_review/models/project'
import ProjectPolicy from '#project_review/policies/project_policy'
import { mapBatches, PAGE_SIZE, streamCsv } from '#core/http_helpers'
import { validateFilters } from '#core/list_filters'
import { formatYuan } from '#core/money'
import { cutFigures, formatRateBp } from '#project_review/domain/aggregation'
import { PROJECT_STATES } from '#project_review/lifecycle'
import {
  pageOfProjects,
  projectListBatches,
  scopeOf,
  shanghaiTime,
} from '#project_review/services/project_queries'
import { reviewStats } from '#project_review/services/review_stats'
import projectPage from '#project_review/services/project_page'
import { projectListValidator } from '#project_review/validators/proposal_validators'
import { reviewMessages } from '#project_review/validators/messages_provider'

/** Each key's label, translated once per request rather than once per row. */
function labels(i18n: HttpContext['i18n'], prefix: string, keys: readonly string[]) {
  return Object.fromEntries(keys.map((key) => [key, i18n.t(`${prefix}.${key}`)]))
}

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
    const scope = scopeOf(user)

    if (request.input('format') === 'csv') {
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
      const yes = i18n.t('messages.common.yes')
      const no = i18n.t('messages.common.no')
      const states = labels(i18n, 'review.states', PROJECT_STATES)
      const categories = labels(i18n, 'review.categories', PROJECT_CATEGORIES)
      return streamCsv(
        response,
        'projects.csv',
        fields.map((field) => i18n.t(`review.projects.csv.${field}`)),
        mapBatches(projectListBatches(scope, filters), (project) => {
          const figures =
            project.approvedFen === null
              ? null
              : cutFigures([
                  { requestedFen: project.requestedFen, approvedFen: project.approvedFen },
                ])
          return [
            project.code,
            project.title,
            project.unitName,
            project.year,
            categories[project.category],
            states[project.state],
            formatYuan(project.requestedFen),
            figures ? formatYuan(figures.approvedFen) : '',
            figures ? formatYuan(figures.cutFen) : '',
            figures?.cutRateBp === null || !figures ? '' : `${formatRateBp(figures.cutRateBp)}%`,
            project.finalScore ?? '',
            project.similarityFlagged ? yes : no,
            shanghaiTime(project.submittedAt),
          ]
        })
      )
    }

    const page = await pageOfProjects(scope, filters, filters.page ?? 1, PAGE_SIZE)
    page.projects.baseUrl('/review/projects').queryString(listQuery)
    const stats = scope.reviewer
      ? await reviewStats({
          year: filters.year,
          unitId: filters.unitId,
          category: filters.category,
        })
      : null
    return view.render('pages/review/projects/index', {
      projects: page.projects,
      total: page.total,
      truncated: page.truncated,
      filters,
      filterErrors: errors,
      values,
      stats,
      units: scope.reviewer ? await db.from('units').select('id', 'name').orderBy('name') : [],
      states: PROJECT_STATES,
      categories: PROJECT_CATEGORIES,
      stateLabels: labels(i18n, 'review.states', PROJECT_STATES),
      categoryLabels: labels(i18n, 'review.categories', PROJECT_CATEGORIES),
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
