import type { HttpContext } from '@adonisjs/core/http'
import Project from '#project_review/models/project'
import { PAGE_SIZE } from '#core/http_helpers'
import { compactQuery } from '#core/list_filters'
import { cutFigures } from '#project_review/domain/aggregation'
import { filterProjects } from '#project_review/services/project_queries'
import { projectCutFigures, reviewStats } from '#project_review/services/review_stats'
import { acceptanceFigures } from '#project_review/reports/acceptance_figures'
import { projectListValidator } from '#project_review/validators/proposal_validators'
import { statsQueryValidator } from '#project_review/validators/review_validators'
import { reviewMessages } from '#project_review/validators/messages_provider'

/** Money leaves the API as integer fen, never as floats; rates as basis points (2510 = 25.10 %). */
function summary(project: Project) {
  const figures =
    project.approvedFen === null
      ? null
      : cutFigures([{ requestedFen: project.requestedFen, approvedFen: project.approvedFen }])
  return {
    id: project.id,
    code: project.code,
    title: project.title,
    unit: project.unit ? { id: project.unit.id, name: project.unit.name } : null,
    year: project.year,
    category: project.category,
    state: project.state,
    requestedFen: project.requestedFen,
    approvedFen: project.approvedFen,
    cutFen: figures?.cutFen ?? null,
    cutRateBp: figures?.cutRateBp ?? null,
    finalScore: project.finalScore,
    conclusion: project.conclusion,
    similarityFlagged: project.similarityFlagged,
    submittedAt: project.submittedAt?.toISO() ?? null,
    decidedAt: project.decidedAt?.toISO() ?? null,
  }
}

/** Read-only JSON API of the project review (token-authenticated, drafts never leave). */
export default class ApiController {
  async index(ctx: HttpContext) {
    const filters = await projectListValidator.validate(
      compactQuery(ctx.request.qs()),
      reviewMessages(ctx)
    )
    const page = await filterProjects(Project.query().whereNot('state', 'draft'), filters)
      .preload('unit')
      .orderBy('id', 'desc')
      .paginate(filters.page ?? 1, PAGE_SIZE)
    return {
      data: page.all().map(summary),
      meta: {
        total: page.total,
        page: page.currentPage,
        lastPage: page.lastPage,
        perPage: PAGE_SIZE,
      },
    }
  }

  async show({ params, response }: HttpContext) {
    const project = await Project.query()
      .where('id', params.id)
      .whereNot('state', 'draft')
      .preload('unit')
      .preload('items')
      .first()
    if (!project) return response.notFound({ error: 'not found' })
    const { lines } = projectCutFigures(project.items)
    return {
      data: {
        ...summary(project),
        items: project.items.map((item, index) => ({
          id: item.id,
          position: item.position,
          category: item.category,
          name: item.name,
          specification: item.specification,
          quantity: item.quantity,
          unitPriceFen: item.unitPriceFen,
          requestedFen: item.amountFen,
          recommendedFen: item.recommendedFen,
          approvedFen: item.approvedFen,
          cutFen: lines[index]?.cutFen ?? null,
          cutRateBp: lines[index]?.cutRateBp ?? null,
          approvalReason: item.approvalReason,
        })),
      },
    }
  }

  async stats(ctx: HttpContext) {
    const filter = await statsQueryValidator.validate(
      compactQuery(ctx.request.qs()),
      reviewMessages(ctx)
    )
    const stats = await reviewStats(filter)
    // the year's acceptances as the 年度统计 counts them (settlement of the accepted projects)
    const acceptance = filter.year ? await acceptanceFigures(filter.year, filter) : null
    return { data: { ...filter, ...stats, acceptance } }
  }
}
