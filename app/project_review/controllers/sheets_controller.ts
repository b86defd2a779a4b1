import type { HttpContext } from '@adonisjs/core/http'
import PanelMember from '#project_review/models/panel_member'
import ScoreSheet, { CUT_REASONS } from '#project_review/models/score_sheet'
import Project from '#project_review/models/project'
import ProjectPolicy from '#project_review/policies/project_policy'
import panels from '#project_review/services/panels'
import sheets from '#project_review/services/sheets'
import { reviewActorFrom } from '#project_review/services/actor'
import {
  reasonValidator,
  sheetConfirmValidator,
  sheetValidator,
  taskListValidator,
} from '#project_review/validators/review_validators'
import { reviewMessages } from '#project_review/validators/messages_provider'
import { ReviewError, forbidden } from '#project_review/errors'
import { mapBatches, PAGE_SIZE, streamCsv } from '#core/http_helpers'
import { validateFilters } from '#core/list_filters'
import tasks from '#project_review/services/tasks'
import { sheetReturned } from '#project_review/capabilities'
import { shanghaiTime } from '#project_review/services/project_queries'

/** The expert's side: assigned reviews, declaring no conflict or declining, the score sheet. */
export default class SheetsController {
  async index(ctx: HttpContext) {
    const { view, bouncer, request, response, i18n } = ctx
    await bouncer.with(ProjectPolicy).authorize('score')
    const expert = await sheets.expertOf(reviewActorFrom(ctx)).catch(() => null)
    const {
      filters,
      errors,
      query: listQuery,
      values,
    } = await validateFilters(ctx, taskListValidator, reviewMessages(ctx))
    const filter = { q: filters.q, kind: filters.kind }
    const expertId = expert?.id ?? 0
    if (request.input('format') === 'csv') {
      const fields = ['code', 'title', 'unit', 'kind', 'state', 'my_status', 'notified', 'deadline']
      return streamCsv(
        response,
        'review-tasks.csv',
        fields.map((field) => i18n.t(`review.tasks.csv.${field}`)),
        mapBatches(tasks.batches(expertId, filter), (row) => {
          const project = row.member.panel.project
          return [
            project.code,
            project.title,
            project.unit?.name ?? '',
            i18n.t(`review.tasks.kinds.${row.kind}`),
            i18n.t(`review.states.${project.state}`),
            i18n.t(row.statusKey),
            shanghaiTime(row.member.notifiedAt?.toJSDate() ?? null),
            row.deadline?.toISODate() ?? '',
          ]
        })
      )
    }
    const members = await tasks.query(expertId, filter).paginate(filters.page ?? 1, PAGE_SIZE)
    members.baseUrl('/review/tasks').queryString(listQuery)
    return view.render('pages/review/tasks/index', {
      expert,
      members,
      rows: await tasks.rows(expertId, members.all()),
      filters,
      filterErrors: errors,
      values,
    })
  }

  async declare(ctx: HttpContext) {
    const { params, request, response, bouncer } = ctx
    await bouncer.with(ProjectPolicy).authorize('score')
    if (!request.input('noConflict')) {
      throw new ReviewError('review.sheets.errors.declaration_required', {}, { status: 422 })
    }
    const sheet = await sheets.declareNoConflict(Number(params.id), reviewActorFrom(ctx))
    return response.redirect(`/review/sheets/${sheet.id}`)
  }

  async decline(ctx: HttpContext) {
    const { params, request, response, session, bouncer, i18n } = ctx
    await bouncer.with(ProjectPolicy).authorize('score')
    const member = await PanelMember.findOrFail(params.id)
    const expert = await sheets.expertOf(reviewActorFrom(ctx))
    if (member.expertId !== expert.id) {
      throw forbidden()
    }
    const { reason } = await request.validateUsing(reasonValidator, reviewMessages(ctx))
    await panels.decline(member.id, reason, reviewActorFrom(ctx))
    session.flash('success', i18n.t('review.tasks.declined'))
    return response.redirect('/review/tasks')
  }

  async show(ctx: HttpContext) {
    const { params, view, bouncer } = ctx
    await bouncer.with(ProjectPolicy).authorize('score')
    const sheet = await this.ownSheet(ctx, Number(params.id))
    await sheet.load('items')
    await sheet.load('panel')
    const project = await Project.query()
      .where('id', sheet.panel.projectId)
      .preload('unit')
      .preload('items')
      .preload('platforms')
      .preload('attachments')
      .firstOrFail()
    return view.render('pages/review/sheets/form', {
      sheet,
      returned: sheetReturned(sheet),
      project,
      criteria: sheet.panel.criteria,
      lineById: Object.fromEntries(sheet.items.map((line) => [line.budgetItemId, line])),
      cutReasons: CUT_REASONS,
    })
  }

  /**
   * "保存草稿" saves; "提交评审表" checks everything at once (each refusal next to its field),
   * keeps the draft and shows a confirmation with the weighted total. Nothing is submitted yet.
   */
  async update(ctx: HttpContext) {
    const { params, request, response, session, bouncer, i18n, view } = ctx
    await bouncer.with(ProjectPolicy).authorize('score')
    const sheet = await this.ownSheet(ctx, Number(params.id))
    const payload = await request.validateUsing(sheetValidator, reviewMessages(ctx))
    const input = {
      scores: payload.scores ?? {},
      opinion: payload.opinion,
      items: (payload.items ?? []).map((line) => ({
        budgetItemId: line.budgetItemId,
        quantity: line.quantity,
        unitPrice: line.unitPrice,
        cutReason: line.cutReason,
        note: line.note,
      })),
    }
    if (payload.intent === 'submit') {
      const preview = await sheets.preview(sheet.id, input, reviewActorFrom(ctx))
      const project = await Project.query()
        .whereHas('panel', (panel) => panel.where('id', sheet.panelId))
        .firstOrFail()
      return view.render('pages/review/sheets/confirm', { ...preview, project })
    }
    await sheets.save(sheet.id, input, reviewActorFrom(ctx), false)
    session.flash('success', i18n.t('review.sheets.saved'))
    return response.redirect(`/review/sheets/${sheet.id}`)
  }

  /** "确认提交": submits the sheet exactly as the confirmation showed it. */
  async submit(ctx: HttpContext) {
    const { params, request, response, session, bouncer, i18n } = ctx
    await bouncer.with(ProjectPolicy).authorize('score')
    const sheet = await this.ownSheet(ctx, Number(params.id))
    const { version } = await request.validateUsing(sheetConfirmValidator, reviewMessages(ctx))
    await sheets.confirmSubmit(sheet.id, version, reviewActorFrom(ctx))
    session.flash('success', i18n.t('review.sheets.submitted'))
    return response.redirect('/review/tasks')
  }

  /** The sheet, if it belongs to the logged-in expert; anyone else's is refused. */
  protected async ownSheet(ctx: HttpContext, sheetId: number) {
    const expert = await sheets.expertOf(reviewActorFrom(ctx))
    const sheet = await ScoreSheet.find(sheetId)
    if (!sheet || sheet.expertId !== expert.id) {
      throw forbidden()
    }
    return sheet
  }
}
