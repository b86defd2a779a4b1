import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import audit from '#core/audit/audit_service'
import type ApiClient from '#core/api_tokens/api_client'
import { abilityLabelKey, type ApiAbility } from '#core/api_tokens/abilities'
import apiTokens from '#core/api_tokens/api_token_service'

declare module '@adonisjs/core/http' {
  interface HttpContext {
    /** The external system whose API token authenticated this request. */
    apiClient?: ApiClient
  }
}

/**
 * Route middleware for `/api/v1/*`: admits a request whose bearer token is usable (not
 * revoked, not expired) and carries `ability`; 401 JSON without such a token, 403 JSON
 * (audited) when the token lacks the ability — a write-only token cannot read and vice versa.
 */
export function requireApiAbility(ability: ApiAbility) {
  return async (ctx: HttpContext, next: NextFn) => {
    const found = await apiTokens.authenticate(ctx.request.header('authorization'))
    if (!found) {
      ctx.response.header('www-authenticate', 'Bearer')
      return ctx.response.unauthorized({ error: ctx.i18n.t('api_tokens.api.unauthorized') })
    }
    if (!found.token.allows(ability)) {
      await audit.record({
        actorId: null,
        actorName: `api:${found.client.name}`,
        ip: ctx.request.ip(),
        action: 'access.denied',
        outcome: 'failure',
        targetType: 'api_token',
        targetId: found.client.id,
        details: { method: ctx.request.method(), url: ctx.request.url(), ability },
      })
      return ctx.response.forbidden({
        error: ctx.i18n.t('api_tokens.api.missing_ability', {
          ability: ctx.i18n.t(abilityLabelKey(ability)),
        }),
      })
    }
    ctx.apiClient = found.client
    return next()
  }
}
