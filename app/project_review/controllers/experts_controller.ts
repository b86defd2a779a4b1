import type { HttpContext } from '@adonisjs/core/http'
import Unit from '#identity/models/unit'
import User from '#identity/models/user'
import Expert, { SPECIALTIES } from '#project_review/models/expert'
import ReviewAdminPolicy from '#project_review/policies/review_admin_policy'
import experts from '#project_review/services/experts'
import { actorFrom } from '#core/audit/audit_service'
import { PAGE_SIZE } from '#core/http_helpers'
import { validateFilters } from '#core/list_filters'
import { expertListValidator, expertValidator } from '#project_review/validators/review_validators'
import { reviewMessages } from '#project_review/validators/messages_provider'

/** The expert pool (专家库), managed by the sysadmin and reviewers. */
export default class ExpertsController {
  async index(ctx: HttpContext) {
    const { view, bouncer } = ctx
    await bouncer.with(ReviewAdminPolicy).authorize('manageExperts')
    const {
      filters,
      errors,
      query: listQuery,
      values,
    } = await validateFilters(ctx, expertListValidator, reviewMessages(ctx))
    const query = Expert.query().preload('user').preload('employerUnit').orderBy('id')
    if (filters.q) {
      const like = `%${filters.q}%`
      query.where((q) => q.where('name', 'like', like).orWhere('employer', 'like', like))
    }
    if (filters.specialty) query.where('specialties', 'like', `%"${filters.specialty}"%`)
    if (filters.status) query.where('is_active', filters.status === 'active')
    const list = await query.paginate(filters.page ?? 1, PAGE_SIZE)
    list.baseUrl('/review/experts').queryString(listQuery)
    return view.render('pages/review/experts/index', {
      experts: list,
      filters,
      filterErrors: errors,
      values,
      specialties: SPECIALTIES,
    })
  }

  async create({ view, bouncer }: HttpContext) {
    await bouncer.with(ReviewAdminPolicy).authorize('manageExperts')
    return view.render('pages/review/experts/form', { expert: null, ...(await this.options()) })
  }

  async store(ctx: HttpContext) {
    const { request, response, session, bouncer, i18n } = ctx
    await bouncer.with(ReviewAdminPolicy).authorize('manageExperts')
    const payload = await request.validateUsing(expertValidator, reviewMessages(ctx))
    const expert = await experts.create(payload, actorFrom(ctx))
    session.flash('success', i18n.t('review.experts.created', { name: expert.name }))
    return response.redirect('/review/experts')
  }

  async edit({ params, view, bouncer }: HttpContext) {
    await bouncer.with(ReviewAdminPolicy).authorize('manageExperts')
    const expert = await Expert.findOrFail(params.id)
    return view.render('pages/review/experts/form', { expert, ...(await this.options()) })
  }

  async update(ctx: HttpContext) {
    const { params, request, response, session, bouncer, i18n } = ctx
    await bouncer.with(ReviewAdminPolicy).authorize('manageExperts')
    const expert = await Expert.findOrFail(params.id)
    const payload = await request.validateUsing(expertValidator, reviewMessages(ctx))
    await experts.update(expert, payload, actorFrom(ctx))
    session.flash('success', i18n.t('review.experts.updated', { name: expert.name }))
    return response.redirect('/review/experts')
  }

  async toggleActive(ctx: HttpContext) {
    const { params, response, session, bouncer, i18n } = ctx
    await bouncer.with(ReviewAdminPolicy).authorize('manageExperts')
    const expert = await Expert.findOrFail(params.id)
    await experts.setActive(expert, !expert.isActive, actorFrom(ctx))
    session.flash(
      'success',
      i18n.t(expert.isActive ? 'review.experts.enabled' : 'review.experts.disabled', {
        name: expert.name,
      })
    )
    return response.redirect().back()
  }

  /** Units (employer, conflicts) and the accounts holding the expert role, for the form. */
  protected async options() {
    return {
      units: await Unit.query().orderBy('name'),
      expertUsers: await User.query()
        .whereHas('roleRows', (q) => q.where('role', 'expert'))
        .where('is_active', true)
        .orderBy('username'),
      specialties: SPECIALTIES,
    }
  }
}
