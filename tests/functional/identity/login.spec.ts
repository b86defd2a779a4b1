import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import testUtils from '@adonisjs/core/services/test_utils'
import limiter from '@adonisjs/limiter/services/main'
import User from '#identity/models/user'
import AuditEvent from '#core/audit/audit_event'
import { createUser, GOOD_PASSWORD, realPasswordHashing } from '#tests/helpers/identity'

test.group('Login', (group) => {
  realPasswordHashing(group)
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(() => limiter.clear())

  test('the login page is in Chinese', async ({ client }) => {
    const response = await client.get('/login')
    response.assertStatus(200)
    response.assertTextIncludes('用户名')
    response.assertTextIncludes('密码')
    response.assertTextIncludes('登录')
  })

  test('an anonymous visitor is sent to the login page', async ({ client }) => {
    const response = await client.get('/').redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/login')
  })

  test('correct credentials log in and the login is audited', async ({ client, assert }) => {
    const user = await createUser({ roles: ['reviewer'] })
    const response = await client
      .post('/login')
      .header('referer', '/login')
      .form({ username: user.username, password: GOOD_PASSWORD })
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/')
    const event = await AuditEvent.query()
      .where('action', 'auth.login')
      .where('actor_id', user.id)
      .firstOrFail()
    assert.equal(event.outcome, 'success')
    assert.isNotNull(event.ip)
  })

  test('a wrong password and an unknown user get the same message', async ({ client, assert }) => {
    const user = await createUser()
    const wrong = await client
      .post('/login')
      .header('referer', '/login')
      .form({ username: user.username, password: 'Wrong#Passw0rd' })
      .withCsrfToken()
    const unknown = await client
      .post('/login')
      .header('referer', '/login')
      .form({ username: 'nobody-here', password: 'Wrong#Passw0rd' })
      .withCsrfToken()
    wrong.assertTextIncludes('用户名或密码错误')
    unknown.assertTextIncludes('用户名或密码错误')
    const failures = await AuditEvent.query()
      .where('action', 'auth.login')
      .where('outcome', 'failure')
    assert.lengthOf(failures, 2)
  })

  test('an unknown user costs a password hash like a known one (same timing class)', async ({
    client,
    assert,
  }) => {
    const user = await createUser()
    const time = async (username: string) => {
      const start = performance.now()
      await client
        .post('/login')
        .header('referer', '/login')
        .form({ username, password: 'Wrong#Passw0rd' })
        .withCsrfToken()
      return performance.now() - start
    }
    await time('warm-up-user')
    const known = await time(user.username)
    const unknown = await time('nobody-at-all')
    // both verify one scrypt hash: neither answer is an order of magnitude faster
    assert.isAbove(unknown, known / 4)
    assert.isAbove(known, unknown / 4)
  })

  test('empty and overlong fields are refused with Chinese messages', async ({ client }) => {
    const empty = await client
      .post('/login')
      .header('referer', '/login')
      .form({ username: '', password: '' })
      .withCsrfToken()
    empty.assertTextIncludes('请填写用户名')
    empty.assertTextIncludes('请填写密码')
    const long = await client
      .post('/login')
      .header('referer', '/login')
      .form({ username: 'a'.repeat(51), password: 'x' })
      .withCsrfToken()
    long.assertTextIncludes('用户名不能超过 50 个字符')
  })

  test('five wrong passwords lock the account for 15 minutes, even with the right password', async ({
    client,
    assert,
  }) => {
    const user = await createUser()
    for (let i = 0; i < 5; i++) {
      await client
        .post('/login')
        .header('referer', '/login')
        .form({ username: user.username, password: 'Wrong#Passw0rd' })
        .withCsrfToken()
    }
    await user.refresh()
    assert.isTrue(user.isLocked())
    const minutes = user.lockedUntil!.diff(DateTime.utc(), 'minutes').minutes
    assert.closeTo(minutes, 15, 0.5)

    const response = await client
      .post('/login')
      .header('referer', '/login')
      .form({ username: user.username, password: GOOD_PASSWORD })
      .withCsrfToken()
    response.assertTextIncludes('账户因连续登录失败已被锁定')
    const home = await client.get('/').redirects(0)
    home.assertHeader('location', '/login')
    assert.isNotNull(
      await AuditEvent.query()
        .where('action', 'auth.lockout')
        .where('target_id', String(user.id))
        .first()
    )
  })

  test('the lock expires after 15 minutes', async ({ client }) => {
    const user = await createUser()
    user.lockedUntil = DateTime.utc().minus({ seconds: 1 })
    await user.save()
    const response = await client
      .post('/login')
      .header('referer', '/login')
      .form({ username: user.username, password: GOOD_PASSWORD })
      .withCsrfToken()
      .redirects(0)
    response.assertHeader('location', '/')
  })

  test('a disabled user cannot log in', async ({ client }) => {
    const user = await createUser({ isActive: false })
    const response = await client
      .post('/login')
      .header('referer', '/login')
      .form({ username: user.username, password: GOOD_PASSWORD })
      .withCsrfToken()
    response.assertTextIncludes('该账户已停用')
    const home = await client.get('/').redirects(0)
    home.assertHeader('location', '/login')
  })

  test('a user disabled while logged in loses the session at the next request', async ({
    client,
  }) => {
    const user = await createUser({ roles: ['reviewer'] })
    await User.query().where('id', user.id).update({ is_active: false })
    const response = await client.get('/').loginAs(user).redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/login')
  })

  test('one address is throttled after 20 failed logins', async ({ client }) => {
    for (let i = 0; i < 20; i++) {
      await client
        .post('/login')
        .header('referer', '/login')
        .form({ username: `ghost${i}`, password: 'Wrong#Passw0rd' })
        .withCsrfToken()
    }
    const user = await createUser()
    const response = await client
      .post('/login')
      .header('referer', '/login')
      .form({ username: user.username, password: GOOD_PASSWORD })
      .withCsrfToken()
    response.assertTextIncludes('该地址登录失败次数过多')
  })

  test('a POST without CSRF token is refused and logs nobody in', async ({ client, assert }) => {
    const user = await createUser()
    const response = await client
      .post('/login')
      .header('referer', '/login')
      .form({ username: user.username, password: GOOD_PASSWORD })
    response.assertTextIncludes('表单令牌无效')
    assert.isNull(
      await AuditEvent.query().where('action', 'auth.login').where('outcome', 'success').first()
    )
    assert.isNotNull(await AuditEvent.query().where('action', 'access.csrf_rejected').first())
  })

  test('logout ends the session and is audited', async ({ client, assert }) => {
    const user = await createUser({ roles: ['reviewer'] })
    const response = await client.post('/logout').loginAs(user).withCsrfToken().redirects(0)
    response.assertHeader('location', '/login')
    assert.isNotNull(
      await AuditEvent.query().where('action', 'auth.logout').where('actor_id', user.id).first()
    )
  })

  test('a session idle for more than 30 minutes expires', async ({ client, assert }) => {
    const user = await createUser({ roles: ['reviewer'] })
    const stale = await client
      .get('/')
      .loginAs(user)
      .withSession({ lastSeenAt: Date.now() - 31 * 60_000 })
      .redirects(0)
    stale.assertStatus(302)
    stale.assertHeader('location', '/login')
    stale.assertFlashMessage('warning', '由于 30 分钟未操作，会话已超时，请重新登录。')
    assert.isNotNull(await AuditEvent.query().where('action', 'auth.idle_timeout').first())

    const fresh = await client
      .get('/')
      .loginAs(user)
      .withSession({ lastSeenAt: Date.now() - 29 * 60_000 })
    fresh.assertStatus(200)
    fresh.assertTextIncludes('工作台')
  })

  test('background refreshes do not keep an idle session alive', async ({ client }) => {
    const user = await createUser({ roles: ['reviewer'] })
    const lastSeenAt = Date.now() - 20 * 60_000
    const refresh = await client
      .get('/')
      .header('x-shuzhi-background', '1')
      .loginAs(user)
      .withSession({ lastSeenAt })
    refresh.assertStatus(200)
    refresh.assertSession('lastSeenAt', lastSeenAt)

    const click = await client.get('/').loginAs(user).withSession({ lastSeenAt })
    click.assertStatus(200)
    const seen = Number(click.session().lastSeenAt)
    if (!(seen > lastSeenAt)) throw new Error('a real request must refresh lastSeenAt')
  })
})
