import app from '@adonisjs/core/services/app'
import AdonisSessionMiddleware from '@adonisjs/session/session_middleware'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

/**
 * The framework's session middleware, except that on `/api/*` (bearer tokens,
 * no cookies) the session lives for the request only: it is never committed,
 * so an API answer never sets a session cookie.
 */
export default class SessionMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const sessions = await app.container.make(AdonisSessionMiddleware)
    if (!ctx.request.url().startsWith('/api/')) return sessions.handle(ctx, next)
    return sessions.handle(ctx, () => {
      ctx.session.commit = async () => {}
      return next()
    })
  }
}
