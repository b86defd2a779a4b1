import type { HttpContext } from '@adonisjs/core/http'
import { ReadOnlyValuesStore } from '@adonisjs/session'
import ApiClient from '#core/api_tokens/api_client'
import ApiTokenPolicy from '#core/api_tokens/api_token_policy'
import apiTokens from '#core/api_tokens/api_token_service'
import { apiTokenValidator } from '#core/api_tokens/api_token_validator'
import vine from '@vinejs/vine'
import { API_ABILITIES, abilityLabelKey, type ApiAbility } from '#core/api_tokens/abilities'
import { actorFrom } from '#core/audit/audit_service'
import { PAGE_SIZE, sendCsv } from '#core/http_helpers'
import { validateFilters } from '#core/list_filters'
import { number, singleLine } from '#core/validation'
import { formatDateTime } from '#start/view'

const tokenListValidator = vine.create({
  q: singleLine().maxLength(100).optional(),
  page: number().withoutDecimals().min(1).max(100000).optional(),
})

const CSV_LIMIT = 10000
import { ModuleMessagesProvider } from '#core/i18n/module_messages_provider'

/** API tokens of external systems (sysadmin): abilities chosen at issue, shown once, revocable. */
export default class ApiTokensController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.with(ApiTokenPolicy).authorize('manage')
    const { filters, errors, query, values } = await validateFilters(ctx, tokenListValidator, {
      messagesProvider: new ModuleMessagesProvider(ctx.i18n, 'api_tokens'),
    })
    if (ctx.request.input('format') === 'csv') return this.csv(ctx, filters.q)
    return ctx.view.render('pages/api_tokens/index', {
      ...(await this.list(filters.page ?? 1, filters.q, query)),
      filters: values,
      filterErrors: errors,
      newSecret: null,
    })
  }

  protected search(q?: string) {
    const tokens = ApiClient.query().preload('createdBy').orderBy('id', 'desc')
    // plain LIKE: Lucid's whereLike adds COLLATE utf8_bin, which utf8mb4 columns refuse
    if (q) tokens.where('name', 'like', `%${q}%`)
    return tokens
  }

  protected async list(page: number, q?: string, query: Record<string, unknown> = {}) {
    const tokens = await this.search(q).paginate(page, PAGE_SIZE)
    tokens.baseUrl('/admin/api-tokens').queryString(query)
    const lastUsed = await apiTokens.lastUsed(tokens.all().map((client) => client.id))
    return { tokens, lastUsed: Object.fromEntries(lastUsed), abilities: API_ABILITIES }
  }

  /** The token list as CSV (names, abilities, dates, status; never a secret or its digest). */
  protected async csv({ response, i18n }: HttpContext, q?: string) {
    const tokens = await this.search(q).limit(CSV_LIMIT)
    const lastUsed = await apiTokens.lastUsed(tokens.map((client) => client.id))
    const status = (token: ApiClient) =>
      token.note
        ? i18n.t(`api_tokens.notes.${token.note}`)
        : token.revokedAt
          ? i18n.t('api_tokens.revoked_badge')
          : token.isUsable()
            ? i18n.t('api_tokens.usable')
            : i18n.t('api_tokens.expired_badge')
    return sendCsv(
      response,
      'api_tokens.csv',
      [
        i18n.t('api_tokens.name'),
        i18n.t('api_tokens.hint'),
        i18n.t('api_tokens.abilities_label'),
        i18n.t('api_tokens.created_at'),
        i18n.t('api_tokens.created_by'),
        i18n.t('api_tokens.expires'),
        i18n.t('api_tokens.last_used'),
        i18n.t('messages.common.status'),
      ],
      tokens.map((token) => {
        const used = lastUsed.get(token.id)
        return [
          token.name,
          `…${token.hint}`,
          token.abilities
            .map((ability) => i18n.t(abilityLabelKey(ability as ApiAbility)))
            .join('、'),
          formatDateTime(token.createdAt, 'yyyy-MM-dd HH:mm'),
          token.createdBy?.fullName ?? '',
          token.expiresAt
            ? formatDateTime(token.expiresAt, 'yyyy-MM-dd')
            : i18n.t('api_tokens.never'),
          used ? formatDateTime(used, 'yyyy-MM-dd HH:mm') : '',
          status(token),
        ]
      })
    )
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
      filters: {},
      filterErrors: {},
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
