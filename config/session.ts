import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, stores } from '@adonisjs/session'

/**
 * The session cookie is short-lived and refreshed on activity; the idle timeout
 * itself (30 minutes by default) is enforced by the idle_timeout middleware.
 */
const sessionConfig = defineConfig({
  enabled: true,
  cookieName: 'shuzhi-session',
  clearWithBrowser: true,
  age: '8h',
  cookie: {
    path: '/',
    httpOnly: true,
    secure: app.inProduction,
    sameSite: 'lax',
  },
  store: env.get('SESSION_DRIVER'),
  stores: {
    cookie: stores.cookie(),
  },
})

export default sessionConfig
