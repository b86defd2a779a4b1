import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const SessionController = () => import('#identity/controllers/session_controller')
const PasswordController = () => import('#identity/controllers/password_controller')
const DashboardController = () => import('#identity/controllers/dashboard_controller')
const LocaleController = () => import('#identity/controllers/locale_controller')
const UsersController = () => import('#identity/controllers/users_controller')
const UnitsController = () => import('#identity/controllers/units_controller')
const MfaLoginController = () => import('#identity/controllers/mfa_login_controller')
const SecondFactorController = () => import('#identity/controllers/second_factor_controller')
const AccountSessionsController = () => import('#identity/controllers/account_sessions_controller')
const UserSecurityController = () => import('#identity/controllers/user_security_controller')

router
  .group(() => {
    router.get('login', [SessionController, 'create']).as('session.create')
    router.post('login', [SessionController, 'store']).as('session.store')
    router.get('login/verify', [MfaLoginController, 'create']).as('session.mfa')
    router.post('login/verify', [MfaLoginController, 'store']).as('session.mfa_store')
  })
  .use(middleware.guest())

router.post('locale', [LocaleController, 'update']).as('locale.update')

router
  .group(() => {
    router.get('/', [DashboardController, 'show']).as('dashboard')
    router.post('logout', [SessionController, 'destroy']).as('session.destroy')
    router.get('account/password', [PasswordController, 'edit']).as('password.edit')
    router.put('account/password', [PasswordController, 'update']).as('password.update')
    router.get('account/mfa', [SecondFactorController, 'show']).as('account.mfa')
    router.post('account/mfa/start', [SecondFactorController, 'start']).as('account.mfa_start')
    router
      .post('account/mfa/confirm', [SecondFactorController, 'confirm'])
      .as('account.mfa_confirm')
    router.get('account/sessions', [AccountSessionsController, 'index']).as('account.sessions')
    router
      .post('account/sessions/end-others', [AccountSessionsController, 'destroyOthers'])
      .as('account.sessions_end_others')
    router
      .post('account/sessions/:handle/end', [AccountSessionsController, 'destroy'])
      .as('account.sessions_end')
      .where('handle', /^[0-9a-f]{24}$/)

    router
      .group(() => {
        router.get('users', [UsersController, 'index']).as('users.index')
        router.get('users/new', [UsersController, 'create']).as('users.create')
        router.post('users', [UsersController, 'store']).as('users.store')
        router
          .get('users/:id/edit', [UsersController, 'edit'])
          .as('users.edit')
          .where('id', router.matchers.number())
        router
          .put('users/:id', [UsersController, 'update'])
          .as('users.update')
          .where('id', router.matchers.number())
        router
          .post('users/:id/toggle-active', [UsersController, 'toggleActive'])
          .as('users.toggle')
          .where('id', router.matchers.number())
        router
          .post('users/:id/reset-password', [UsersController, 'resetPassword'])
          .as('users.reset_password')
          .where('id', router.matchers.number())
        router
          .post('users/:id/unlock', [UsersController, 'unlock'])
          .as('users.unlock')
          .where('id', router.matchers.number())

        router
          .get('users/:id/security', [UserSecurityController, 'show'])
          .as('users.security')
          .where('id', router.matchers.number())
        router
          .post('users/:id/sessions/end', [UserSecurityController, 'endSessions'])
          .as('users.end_sessions')
          .where('id', router.matchers.number())
        router
          .post('users/:id/mfa-reset', [UserSecurityController, 'requestMfaReset'])
          .as('users.mfa_reset')
          .where('id', router.matchers.number())
        router
          .post('mfa-resets/:requestId/decide', [UserSecurityController, 'decideMfaReset'])
          .as('users.mfa_reset_decide')
          .where('requestId', router.matchers.number())

        router.get('units', [UnitsController, 'index']).as('units.index')
        router.get('units/new', [UnitsController, 'create']).as('units.create')
        router.post('units', [UnitsController, 'store']).as('units.store')
        router
          .get('units/:id/edit', [UnitsController, 'edit'])
          .as('units.edit')
          .where('id', router.matchers.number())
        router
          .put('units/:id', [UnitsController, 'update'])
          .as('units.update')
          .where('id', router.matchers.number())
        router
          .post('units/:id/toggle-active', [UnitsController, 'toggleActive'])
          .as('units.toggle')
          .where('id', router.matchers.number())
      })
      .prefix('admin')
  })
  .use(middleware.auth())
