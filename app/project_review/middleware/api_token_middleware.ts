import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import apiTokens from '#project_review/services/api_tokens'

/** Admits requests carrying a usable read-only token: `Authorization: Bearer szr_…`. */
export default class ApiTokenMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const header = ctx.request.header('authorization') ?? ''
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    const token = await apiTokens.verify(match?.[1])
    if (!token) {
      ctx.response.header('www-authenticate', 'Bearer')
      return ctx.response.unauthorized({ error: ctx.i18n.t('review.api.unauthorized') })
    }
    if (ctx.request.method() !== 'GET' && ctx.request.method() !== 'HEAD') {
      return ctx.response.forbidden({ error: ctx.i18n.t('review.api.read_only') })
    }
    return next()
  }
}
