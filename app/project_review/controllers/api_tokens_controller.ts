import type { HttpContext } from '@adonisjs/core/http'
import { ReadOnlyValuesStore } from '@adonisjs/session'
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
    const { view, bouncer } = ctx
    await bouncer.with(ReviewAdminPolicy).authorize('manageTokens')
    const { filters } = await validateFilters(ctx, pageValidator)
    return view.render('pages/review/tokens/index', {
      tokens: await this.list(filters.page ?? 1),
      newSecret: null,
    })
  }

  protected async list(page: number) {
    const tokens = await ReviewApiToken.query()
      .preload('createdBy')
      .orderBy('id', 'desc')
      .paginate(page, PAGE_SIZE)
    tokens.baseUrl('/review/tokens')
    return tokens
  }

  async store(ctx: HttpContext) {
    const { request, response, bouncer, i18n, view } = ctx
    await bouncer.with(ReviewAdminPolicy).authorize('manageTokens')
    const { name, expiresInDays } = await request.validateUsing(tokenValidator, reviewMessages(ctx))
    const { secret } = await apiTokens.create(name, expiresInDays, actorFrom(ctx))
    // Shown once, in this response only: never put into the session (whose
    // data a replayed or stolen cookie could bring back) nor cached.
    response.header('cache-control', 'no-store')
    return view.render('pages/review/tokens/index', {
      tokens: await this.list(1),
      newSecret: secret,
      flashMessages: new ReadOnlyValuesStore({
        success: i18n.t('review.tokens.created', { name }),
      }),
    })
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
