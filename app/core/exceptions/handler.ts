import app from '@adonisjs/core/services/app'
import router from '@adonisjs/core/services/router'
import i18nManager from '@adonisjs/i18n/services/main'
import { type HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import type { StatusPageRange, StatusPageRenderer } from '@adonisjs/core/types/http'
import audit, { actorFrom } from '#core/audit/audit_service'

const API_PREFIX = '/api/'

/**
 * Renders Chinese status pages (403/404/500) and records every refused
 * authorization in the audit trail before answering it. `/api/*` always
 * answers JSON, whatever the Accept header.
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
      // An upload route names its own limit; any other body is simply too large.
      const key = (error as { messageKey?: string }).messageKey ?? 'messages.errors.body_too_large'
      return this.plainRefusal(ctx, 413, 'messages.errors.too_large_title', key)
    }
    if (isCode(error, 'E_BAD_REQUEST_BODY')) {
      return this.plainRefusal(
        ctx,
        400,
        'messages.errors.bad_body_title',
        'messages.errors.bad_body'
      )
    }
    if (isCode(error, 'E_UNAUTHORIZED_ACCESS')) {
      if (this.wantsJson(ctx)) {
        return ctx.response.unauthorized({ error: translate(ctx, 'messages.auth.unauthenticated') })
      }
      // The requested page (a mailed link) is where the login will return to.
      if (ctx.request.method() === 'GET' && ctx.route && !ctx.request.ajax()) {
        ctx.session.setIntendedUrl(ctx.request.url(true))
      }
      ctx.session.flash('error', translate(ctx, 'messages.auth.login_required'))
      return ctx.response.redirect('/login')
    }
    if (ctx.request.url().startsWith(API_PREFIX)) return this.apiError(error, ctx)
    if (isCode(error, 'E_TOO_MANY_REQUESTS') && !this.wantsJson(ctx)) {
      ctx.session.flash('error', ctx.i18n.t('messages.errors.too_many_requests'))
      return ctx.response.redirect().back()
    }
    return super.handle(error, ctx)
  }

  protected wantsJson(ctx: HttpContext) {
    return (
      ctx.request.url().startsWith(API_PREFIX) || ctx.request.accepts(['html', 'json']) === 'json'
    )
  }

  /** A refusal before or without a session: JSON, or a small page; never the debug page. */
  protected async plainRefusal(ctx: HttpContext, status: number, titleKey: string, key: string) {
    const message = translate(ctx, key)
    if (this.wantsJson(ctx)) return ctx.response.status(status).send({ error: message })
    const page = await ctx.view.render('pages/errors/refused', {
      status,
      title: translate(ctx, titleKey),
      message,
    })
    return ctx.response.status(status).send(page)
  }

  /** JSON for every failure under /api/: 422 with field errors, 404, 405, else the status. */
  protected apiError(error: unknown, ctx: HttpContext) {
    const { response, request } = ctx
    if (isCode(error, 'E_VALIDATION_ERROR')) {
      return response.status(422).send({ errors: (error as { messages: unknown }).messages })
    }
    if (isCode(error, 'E_ROUTE_NOT_FOUND')) {
      const allowed = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((method) =>
        router.match(request.url(), method, false)
      )
      if (allowed.length > 0) {
        response.header('allow', allowed.join(', '))
        return response
          .status(405)
          .send({ error: translate(ctx, 'messages.errors.api_method', { methods: allowed[0] }) })
      }
      return response.status(404).send({ error: translate(ctx, 'messages.errors.api_not_found') })
    }
    const status = (error as { status?: number }).status ?? 500
    const key =
      status === 403
        ? 'messages.errors.forbidden'
        : status === 404
          ? 'messages.errors.api_not_found'
          : status === 429
            ? 'messages.errors.too_many_requests'
            : status < 500
              ? 'messages.errors.bad_body'
              : 'messages.errors.server'
    return response.status(status).send({ error: translate(ctx, key) })
  }

  async report(error: unknown, ctx: HttpContext) {
    return super.report(error, ctx)
  }
}

/** The request's translation, or the default locale's before the locale middleware has run. */
function translate(ctx: HttpContext, key: string, data?: Record<string, unknown>) {
  const i18n = ctx.i18n ?? i18nManager.locale(i18nManager.defaultLocale)
  return i18n.t(key, data)
}

function isCode(error: unknown, code: string) {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === code
}
