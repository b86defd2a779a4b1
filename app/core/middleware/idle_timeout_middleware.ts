import env from '#start/env'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import audit, { actorFrom } from '#core/audit/audit_service'

export const LAST_SEEN_KEY = 'lastSeenAt'

/** Sent by auto-refreshing pages: such requests are not user activity. */
export const BACKGROUND_HEADER = 'x-shuzhi-background'

/**
 * Logs a user out after SESSION_IDLE_MINUTES (default 30) without activity.
 * Background refreshes (status board) do not count as activity.
 */
export default class IdleTimeoutMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const user = ctx.auth.user
    if (user) {
      const idleMs = env.get('SESSION_IDLE_MINUTES', 30) * 60_000
      const lastSeen = Number(ctx.session.get(LAST_SEEN_KEY, 0))
      const now = Date.now()
      if (lastSeen && now - lastSeen > idleMs) {
        await audit.record({
          ...actorFrom(ctx),
          action: 'auth.idle_timeout',
          targetType: 'user',
          targetId: user.id,
        })
        await ctx.auth.use('web').logout()
        ctx.session.forget(LAST_SEEN_KEY)
        if (ctx.request.accepts(['html', 'json']) === 'json') {
          return ctx.response.unauthorized({ error: ctx.i18n.t('messages.auth.idle_expired') })
        }
        ctx.session.flash('warning', ctx.i18n.t('messages.auth.idle_expired'))
        return ctx.response.redirect().withIntendedUrl().toPath('/login')
      }
      if (ctx.request.header(BACKGROUND_HEADER) !== '1') {
        ctx.session.put(LAST_SEEN_KEY, now)
      }
    }
    return next()
  }
}
