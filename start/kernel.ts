/**
 * HTTP kernel: global and named middleware.
 */
import router from '@adonisjs/core/services/router'
import server from '@adonisjs/core/services/server'
import app from '@adonisjs/core/services/app'
import ShieldMiddleware from '@adonisjs/shield/shield_middleware'

// Shield binds its middleware per request and re-imports edge.js each time (a module resolution
// on the loader thread, a fifth of a page's CPU); it keeps no request state: build it once.
app.container.bindValue(ShieldMiddleware, await app.container.make(ShieldMiddleware))

server.errorHandler(() => import('#exceptions/handler'))

server.use([
  () => import('#middleware/container_bindings_middleware'),
  () => import('@adonisjs/static/static_middleware'),
])

router.use([
  () => import('#middleware/request_body_middleware'),
  () => import('#middleware/session_middleware'),
  () => import('#middleware/detect_user_locale_middleware'),
  () => import('@adonisjs/shield/shield_middleware'),
  () => import('@adonisjs/auth/initialize_auth_middleware'),
  () => import('#middleware/silent_auth_middleware'),
  () => import('#middleware/idle_timeout_middleware'),
  () => import('#middleware/initialize_bouncer_middleware'),
  () => import('#middleware/password_change_required_middleware'),
  () => import('#identity/middleware/mfa_enrolment_middleware'),
])

export const middleware = router.named({
  guest: () => import('#middleware/guest_middleware'),
  auth: () => import('#middleware/auth_middleware'),
  upload: () => import('#middleware/upload_middleware'),
})
