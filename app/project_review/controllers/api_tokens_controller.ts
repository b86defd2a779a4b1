import type { HttpContext } from '@adonisjs/core/http'
import ReviewApiToken from '#project_review/models/review_api_token'
import ReviewAdminPolicy from '#project_review/policies/review_admin_policy'
import apiTokens from '#project_review/services/api_tokens'
import { actorFrom } from '#core/audit/audit_service'
import { PAGE_SIZE } from '#core/http_helpers'
import { pageValidator, validateFilters } from '#core/list_filters'
import { tokenValidator } from '#project_review/validators/review_validators'
import { reviewMessages } from '#project_review/validators/messages_provider'

/** API tokens (sysadmin): created read-only, shown once, revocable. */
export default class ApiTokensController {
  async index(ctx: HttpContext) {
    const { view, bouncer, session } = ctx
    await bouncer.with(ReviewAdminPolicy).authorize('manageTokens')
    const { filters } = await validateFilters(ctx, pageValidator)
    const page = filters.page ?? 1
    const tokens = await ReviewApiToken.query()
      .preload('createdBy')
      .orderBy('id', 'desc')
      .paginate(page, PAGE_SIZE)
    tokens.baseUrl('/review/tokens')
    return view.render('pages/review/tokens/index', {
      tokens,
      newSecret: session.flashMessages.get('newApiToken') ?? null,
    })
  }

  async store(ctx: HttpContext) {
    const { request, response, session, bouncer, i18n } = ctx
    await bouncer.with(ReviewAdminPolicy).authorize('manageTokens')
    const { name, expiresInDays } = await request.validateUsing(tokenValidator, reviewMessages(ctx))
    const { secret } = await apiTokens.create(name, expiresInDays, actorFrom(ctx))
    session.flash('newApiToken', secret)
    session.flash('success', i18n.t('review.tokens.created', { name }))
    return response.redirect('/review/tokens')
  }

  async revoke(ctx: HttpContext) {
    const { params, response, session, bouncer, i18n } = ctx
    await bouncer.with(ReviewAdminPolicy).authorize('manageTokens')
    const token = await ReviewApiToken.findOrFail(params.id)
    await apiTokens.revoke(token, actorFrom(ctx))
    session.flash('success', i18n.t('review.tokens.revoked', { name: token.name }))
    return response.redirect('/review/tokens')
  }
}
