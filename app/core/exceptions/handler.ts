import app from '@adonisjs/core/services/app'
import i18nManager from '@adonisjs/i18n/services/main'
import { type HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import type { StatusPageRange, StatusPageRenderer } from '@adonisjs/core/types/http'
import audit, { actorFrom } from '#core/audit/audit_service'

/**
 * Renders Chinese status pages (403/404/500) and records every refused
 * authorization in the audit trail before answering it.
 */
export default class HttpExceptionHandler extends ExceptionHandler {
  protected debug = app.inDev

  protected renderStatusPages = true

  protected statusPages: Record<StatusPageRange, StatusPageRenderer> = {
    '403': (error, { view }) => view.render('pages/errors/forbidden', { error }),
    '404': (error, { view }) => view.render('pages/errors/not_found', { error }),
    '500..599': (error, { view }) => view.render('pages/errors/server_error', { error }),
  }

  async handle(error: unknown, ctx: HttpContext) {
    if (isCode(error, 'E_AUTHORIZATION_FAILURE')) {
      await audit.record({
        ...actorFrom(ctx),
        action: 'access.denied',
        outcome: 'failure',
        details: { method: ctx.request.method(), url: ctx.request.url() },
      })
      if (this.wantsJson(ctx)) {
        return ctx.response.forbidden({ error: ctx.i18n.t('messages.errors.forbidden') })
      }
      return ctx.response.status(403).send(await ctx.view.render('pages/errors/forbidden'))
    }
    if (isCode(error, 'E_BAD_CSRF_TOKEN')) {
      await audit.record({
        ...actorFrom(ctx),
        action: 'access.csrf_rejected',
        outcome: 'failure',
        details: { method: ctx.request.method(), url: ctx.request.url() },
      })
      if (this.wantsJson(ctx)) {
        return ctx.response.forbidden({ error: ctx.i18n.t('messages.errors.csrf') })
      }
      ctx.session.flash('error', ctx.i18n.t('messages.errors.csrf'))
      return ctx.response.redirect().back()
    }
    if (isCode(error, 'E_REQUEST_ENTITY_TOO_LARGE')) {
      // The body parser refuses before the session and the locale exist, so no flash and no ctx.i18n.
      const message = i18nManager.locale(i18nManager.defaultLocale).t('messages.errors.too_large')
      if (this.wantsJson(ctx)) return ctx.response.status(413).send({ error: message })
      return ctx.response.status(413).send(await ctx.view.render('pages/errors/too_large'))
    }
    if (isCode(error, 'E_TOO_MANY_REQUESTS') && !this.wantsJson(ctx)) {
      ctx.session.flash('error', ctx.i18n.t('messages.errors.too_many_requests'))
      return ctx.response.redirect().back()
    }
    return super.handle(error, ctx)
  }

  protected wantsJson(ctx: HttpContext) {
    return ctx.request.url().startsWith('/api/') || ctx.request.accepts(['html', 'json']) === 'json'
  }

  async report(error: unknown, ctx: HttpContext) {
    return super.report(error, ctx)
  }
}

function isCode(error: unknown, code: string) {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === code
}
