import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

/**
 * Loads the logged-in user (with roles) when there is one, without requiring
 * it. A user disabled by the sysadmin loses their session at the next request.
 */
export default class SilentAuthMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    await ctx.auth.check()
    const user = ctx.auth.user
    if (user) {
      if (!user.isActive) {
        await ctx.auth.use('web').logout()
      } else {
        await user.load('roleRows')
        await user.load('unit')
      }
    }
    return next()
  }
}
