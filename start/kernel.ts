/**
 * HTTP kernel: global and named middleware.
 */
import router from '@adonisjs/core/services/router'
import server from '@adonisjs/core/services/server'

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
