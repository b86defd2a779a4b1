import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import testUtils from '@adonisjs/core/services/test_utils'
import limiter from '@adonisjs/limiter/services/main'
import env from '#start/env'
import User from '#identity/models/user'
import AuditEvent from '#core/audit/audit_event'
import sessionRegistry from '#identity/services/session_registry'
import { createUser, GOOD_PASSWORD } from '#tests/helpers/identity'
import { CookieSession } from '#tests/helpers/cookie_session'
import { enrolSecondFactor, hasSecondFactor, totpCode } from '#tests/helpers/second_factor'

test.group('Second factor (TOTP)', (group) => {
  // the limiter's stores first: a database store waits for the connection a global transaction holds
  group.each.setup(() => limiter.clear())
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('enrolment shows a QR code and the secret; the secret is encrypted at rest, recovery codes hashed', async ({
    client,
    assert,
  }) => {
    const user = await createUser({ roles: ['reviewer'] })
    await client.post('/account/mfa/start').loginAs(user).withCsrfToken()
    const page = await client.get('/account/mfa').loginAs(user)
    page.assertStatus(200)
    page.assertTextIncludes('data:image/png;base64,')
    const secret = /<code id="mfa-secret">([A-Z2-7]+)<\/code>/.exec(page.text())?.[1]
    assert.isString(secret)

    const wrong = await client
      .post('/account/mfa/confirm')
      .header('referer', '/account/mfa')
      .loginAs(user)
      .form({ code: '000000' })
      .withCsrfToken()
    wrong.assertTextIncludes('动态码或恢复码不正确')

    const confirmed = await client
      .post('/account/mfa/confirm')
      .loginAs(user)
      .form({ code: totpCode(secret!) })
      .withCsrfToken()
    confirmed.assertStatus(200)
    confirmed.assertHeader('cache-control', 'no-store')
    const codes = [...confirmed.text().matchAll(/<code>([a-z2-9]{5}-[a-z2-9]{5})<\/code>/g)].map(
      (m) => m[1]
    )
    assert.lengthOf(codes, 10)

    const row = await db.from('users').where('id', user.id).firstOrFail()
    assert.isNotNull(row.totp_enabled_at)
    assert.notInclude(String(row.totp_secret), secret!)
    const stored = JSON.stringify(await db.from('user_recovery_codes').where('user_id', user.id))
    for (const code of codes) assert.notInclude(stored, code)
    assert.isNotNull(await AuditEvent.query().where('action', 'user.mfa_enable').first())
  })

  test('login asks for the code after the password; a code works once', async ({ assert }) => {
    const user = await createUser({ roles: ['reviewer'] })
    const { secret } = await enrolSecondFactor(await User.findOrFail(user.id))
    const browser = new CookieSession()
    const step1 = await browser.login(user.username, GOOD_PASSWORD)
    assert.equal(step1.location, '/login/verify')
    assert.equal(await browser.locationOf('/'), '/login')

    const bad = await browser.post('/login/verify', { code: '123456' }, '/login/verify')
    assert.equal(bad.location, '/login/verify')
    const code = totpCode(secret, 1)
    const ok = await browser.post('/login/verify', { code }, '/login/verify')
    assert.equal(ok.location, '/')
    assert.equal(await browser.statusOf('/'), 200)

    // The same code replayed in another login is refused.
    const thief = new CookieSession('10.6.0.1')
    await thief.login(user.username, GOOD_PASSWORD)
    const replay = await thief.post('/login/verify', { code }, '/login/verify')
    assert.equal(replay.location, '/login/verify')
    assert.equal(await thief.locationOf('/'), '/login')
    await sessionRegistry.endAll(user.id)
  })

  test('a recovery code logs in once; five wrong codes send the user back to the password', async ({
    assert,
  }) => {
    const user = await createUser({ roles: ['netadmin'] })
    const { codes } = await enrolSecondFactor(await User.findOrFail(user.id))
    const browser = new CookieSession()
    await browser.login(user.username, GOOD_PASSWORD)
    const ok = await browser.post(
      '/login/verify',
      { code: codes[0].toUpperCase() },
      '/login/verify'
    )
    assert.equal(ok.location, '/')
    await browser.post('/logout')

    await browser.login(user.username, GOOD_PASSWORD)
    const again = await browser.post('/login/verify', { code: codes[0] }, '/login/verify')
    assert.equal(again.location, '/login/verify')
    for (let i = 0; i < 4; i++) {
      await browser.post('/login/verify', { code: '999999' }, '/login/verify')
    }
    const page = await browser.get('/login/verify')
    assert.equal(page.location, '/login')
    await sessionRegistry.endAll(user.id)
  })

  test('enforced (MFA_ENFORCE): a reviewer without a second factor must enrol first; an applicant need not', async ({
    client,
  }) => {
    env.set('MFA_ENFORCE', true)
    try {
      const reviewer = await createUser({ roles: ['reviewer'] })
      const applicant = await createUser({ roles: ['applicant'] })
      const forced = await client.get('/').loginAs(reviewer).redirects(0)
      forced.assertHeader('location', '/account/mfa')
      const mfaPage = await client.get('/account/mfa').loginAs(reviewer)
      mfaPage.assertTextIncludes('您的角色要求开启两步验证')
      const free = await client.get('/').loginAs(applicant)
      free.assertStatus(200)
    } finally {
      env.set('MFA_ENFORCE', false)
    }
  })

  test('outside production the second factor is offered, not forced', async ({ client }) => {
    const reviewer = await createUser({ roles: ['reviewer'] })
    const home = await client.get('/').loginAs(reviewer)
    home.assertStatus(200)
    const mfaPage = await client.get('/account/mfa').loginAs(reviewer)
    mfaPage.assertTextIncludes('当前环境未强制两步验证')
  })
})

test.group('三员分立: the sysadmin cannot take over the auditor', (group) => {
  // the limiter's stores first: a database store waits for the connection a global transaction holds
  group.each.setup(() => limiter.clear())
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('a password reset keeps the second factor; a reset of it needs a second sysadmin; the auditor sees it all', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const admin2 = await createUser({ roles: ['sysadmin'] })
    const auditor = await createUser({ roles: ['auditor'] })
    const { secret } = await enrolSecondFactor(await User.findOrFail(auditor.id))

    // The sysadmin resets the auditor's password and tries to log in as the auditor.
    await client
      .post(`/admin/users/${auditor.id}/reset-password`)
      .header('referer', '/admin/users')
      .loginAs(admin)
      .form({ password: 'Taken-over#2026', passwordConfirmation: 'Taken-over#2026' })
      .withCsrfToken()
    const intruder = new CookieSession('10.7.0.1')
    const step1 = await intruder.login(auditor.username, 'Taken-over#2026')
    assert.equal(step1.location, '/login/verify')
    assert.equal(await intruder.locationOf('/audit'), '/login')
    assert.isTrue(await hasSecondFactor(auditor.id))

    // Requesting the reset alone changes nothing; approving one's own request is refused.
    await client
      .post(`/admin/users/${auditor.id}/mfa-reset`)
      .header('referer', `/admin/users/${auditor.id}/security`)
      .loginAs(admin)
      .form({ reason: '审计员手机丢失' })
      .withCsrfToken()
    assert.isTrue(await hasSecondFactor(auditor.id))
    const request = await db.from('mfa_reset_requests').where('target_id', auditor.id).firstOrFail()
    const self = await client
      .post(`/admin/mfa-resets/${request.id}/decide`)
      .header('referer', `/admin/users/${auditor.id}/security`)
      .loginAs(admin)
      .form({ decision: 'approve' })
      .withCsrfToken()
    self.assertTextIncludes('申请人不能批准自己的申请')
    assert.isTrue(await hasSecondFactor(auditor.id))

    // A second sysadmin approves: the factor is gone and must be enrolled again.
    const pendingList = await client.get('/admin/users').loginAs(admin2)
    pendingList.assertTextIncludes('待您审批的两步验证重置申请')
    await client
      .post(`/admin/mfa-resets/${request.id}/decide`)
      .header('referer', `/admin/users/${auditor.id}/security`)
      .loginAs(admin2)
      .form({ decision: 'approve' })
      .withCsrfToken()
    assert.isFalse(await hasSecondFactor(auditor.id))
    const leftCodes = await db.from('user_recovery_codes').where('user_id', auditor.id)
    assert.lengthOf(leftCodes, 0)

    // The auditor (back at the desk, having chosen a new password) sees every step in the audit log.
    await User.query().where('id', auditor.id).update({ must_change_password: false })
    const log = await client.get('/audit?action=user.').loginAs(auditor)
    log.assertStatus(200)
    for (const action of [
      'user.reset_password',
      'user.mfa_reset_request',
      'user.mfa_reset_approve',
    ]) {
      log.assertTextIncludes(action)
    }
    assert.exists(secret)
  })
})

test.group('Usernames', (group) => {
  // the limiter's stores first: a database store waits for the connection a global transaction holds
  group.each.setup(() => limiter.clear())
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('Admin and admin cannot both exist; login ignores case', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    await createUser({ username: 'zhangsan' })
    const response = await client
      .post('/admin/users')
      .header('referer', '/admin/users/new')
      .loginAs(admin)
      .form({
        username: 'ZhangSan',
        fullName: '张三',
        roles: ['expert'],
        password: GOOD_PASSWORD,
        passwordConfirmation: GOOD_PASSWORD,
      })
      .withCsrfToken()
    response.assertTextIncludes('用户名')
    assert.lengthOf(await User.query().whereRaw('lower(username) = ?', ['zhangsan']), 1)

    const created = await User.create({
      username: 'Li.Si',
      fullName: '李四',
      password: GOOD_PASSWORD,
      isActive: true,
      failedLoginCount: 0,
      mustChangePassword: false,
    })
    assert.equal(created.username, 'li.si')
    const login = await client
      .post('/login')
      .header('referer', '/login')
      .form({ username: 'LI.SI', password: GOOD_PASSWORD })
      .withCsrfToken()
      .redirects(0)
    login.assertHeader('location', '/')
  })
})
