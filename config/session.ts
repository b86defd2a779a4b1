import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, stores } from '@adonisjs/session'

/**
 * Sessions live on the server (the `sessions` table by default): the cookie
 * carries only the signed session id, so logout, a password or role change,
 * disabling an account or "end this session" revoke every copy of the cookie.
 * `cookie` (the old setting in .env files) is read as `database`: a session
 * kept in the cookie itself cannot be revoked. The idle timeout (30 minutes by
 * default) is enforced by the idle_timeout middleware; `age` bounds a session.
 */
const configured = env.get('SESSION_DRIVER', 'database')

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
  store: configured === 'memory' ? 'memory' : 'database',
  stores: {
    database: stores.database({ tableName: 'sessions', gcProbability: 2 }),
  },
})

export default sessionConfig
