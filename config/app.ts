import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/core/http'

export const appUrl = env.get('APP_URL')

/** Name printed on pages and reports; overridable per deployment. */
export const bureauName = env.get('BUREAU_NAME', '县数据资源管理局')

export const http = defineConfig({
  generateRequestId: true,
  allowMethodSpoofing: true,
  useAsyncLocalStorage: false,
  /** "a,b" typed into a search box stays one string; long budget tables stay arrays. */
  qs: { parse: { comma: false, arrayLimit: 500 } },
  /**
   * Behind a reverse proxy set this to trust it, so the audit log records
   * the client's address rather than the proxy's.
   */
  trustProxy: () => false,
  cookie: {
    domain: '',
    path: '/',
    maxAge: '2h',
    httpOnly: true,
    secure: app.inProduction,
    sameSite: 'lax',
  },
})
