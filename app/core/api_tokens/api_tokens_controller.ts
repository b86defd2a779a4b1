import type { HttpContext } from '@adonisjs/core/http'
import { ReadOnlyValuesStore } from '@adonisjs/session'
import ApiClient from '#core/api_tokens/api_client'
import ApiTokenPolicy from '#core/api_tokens/api_token_policy'
import apiTokens from '#core/api_tokens/api_token_service'
import { apiTokenValidator } from '#core/api_tokens/api_token_validator'
import { API_ABILITIES } from '#core/api_tokens/abilities'
import { actorFrom } from '#core/audit/audit_service'
import { PAGE_SIZE } from '#core/http_helpers'
import { pageValidator, validateFilters } from '#core/list_filters'
import { ModuleMessagesProvider } from '#core/i18n/module_messages_provider'

/** API tokens of external systems (sysadmin): abilities chosen at issue, shown once, revocable. */
export default class ApiTokensController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.with(ApiTokenPolicy).authorize('manage')
    const { filters } = await validateFilters(ctx, pageValidator)
    return ctx.view.render('pages/api_tokens/index', {
      ...(await this.list(filters.page ?? 1)),
      newSecret: null,
    })
  }

  protected async list(page: number) {
    const tokens = await ApiClient.query()
      .preload('createdBy')
      .orderBy('id', 'desc')
      .paginate(page, PAGE_SIZE)
    tokens.baseUrl('/admin/api-tokens')
    const lastUsed = await apiTokens.lastUsed(tokens.all().map((client) => client.id))
    return { tokens, lastUsed: Object.fromEntries(lastUsed), abilities: API_ABILITIES }
  }

  async store(ctx: HttpContext) {
    const { request, response, bouncer, i18n, view } = ctx
    await bouncer.with(ApiTokenPolicy).authorize('manage')
    const spec = await request.validateUsing(apiTokenValidator, {
      messagesProvider: new ModuleMessagesProvider(i18n, 'api_tokens'),
    })
    const { secret } = await apiTokens.create(spec, actorFrom(ctx))
    // Shown once, in this response only: never put into the session (whose
    // data a replayed or stolen cookie could bring back) nor cached.
    response.header('cache-control', 'no-store')
    return view.render('pages/api_tokens/index', {
      ...(await this.list(1)),
      newSecret: secret,
      flashMessages: new ReadOnlyValuesStore({
        success: i18n.t('api_tokens.created', { name: spec.name }),
      }),
    })
  }

  async revoke(ctx: HttpContext) {
    const { params, response, session, bouncer, i18n } = ctx
    await bouncer.with(ApiTokenPolicy).authorize('manage')
    const client = await ApiClient.findOrFail(params.id)
    if (client.revokedAt === null) await apiTokens.revoke(client, actorFrom(ctx))
    session.flash('success', i18n.t('api_tokens.revoked', { name: client.name }))
    return response.redirect('/admin/api-tokens')
  }
}
