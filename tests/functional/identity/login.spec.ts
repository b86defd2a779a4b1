import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import testUtils from '@adonisjs/core/services/test_utils'
import limiter from '@adonisjs/limiter/services/main'
import User from '#identity/models/user'
import AuditEvent from '#core/audit/audit_event'
import { createUser, GOOD_PASSWORD, realPasswordHashing } from '#tests/helpers/identity'
import loginService from '#identity/services/login_service'
import type { ApiClient } from '@japa/api-client'

/** Posts the login form, optionally as if from another address (TRUST_PROXY=loopback in tests). */
function login(client: ApiClient, username: string, password: string, ip?: string) {
  const request = client
    .post('/login')
    .header('referer', '/login')
    .form({ username, password })
    .withCsrfToken()
  return ip ? request.header('x-forwarded-for', ip) : request
}

test.group('Login', (group) => {
  realPasswordHashing(group)
  // the limiter's stores first: a database store waits for the connection a global transaction holds
  group.each.setup(() => limiter.clear())
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

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

  test('five wrong passwords lock that username from that address for 15 minutes, even with the right password', async ({
    client,
    assert,
  }) => {
    const user = await createUser()
    for (let i = 0; i < 5; i++) {
      await login(client, user.username, 'Wrong#Passw0rd')
    }
    await user.refresh()
    assert.isTrue(user.isLocked())
    const minutes = user.lockedUntil!.diff(DateTime.utc(), 'minutes').minutes
    assert.closeTo(minutes, 15, 0.5)

    const response = await login(client, user.username, GOOD_PASSWORD)
    response.assertTextIncludes('该用户名在本地址已被锁定')
    const home = await client.get('/').redirects(0)
    home.assertHeader('location', '/login')
    assert.isNotNull(
      await AuditEvent.query()
        .where('action', 'auth.lockout')
        .where('target_id', String(user.id))
        .first()
    )
  })

  test('the same username from another address of the office is not locked', async ({ client }) => {
    const user = await createUser()
    for (let i = 0; i < 5; i++) {
      await login(client, user.username, 'Wrong#Passw0rd', '10.1.1.1')
    }
    const elsewhere = await login(client, user.username, GOOD_PASSWORD, '10.1.1.2').redirects(0)
    elsewhere.assertHeader('location', '/')
  })

  test('a username that does not exist is locked the same way: the answer reveals nothing', async ({
    client,
    assert,
  }) => {
    const user = await createUser()
    const answers = async (username: string) => {
      const texts: string[] = []
      for (let i = 0; i < 6; i++) {
        const response = await login(client, username, 'Wrong#Passw0rd')
        texts.push(/class="flash flash-error"[^>]*>([^<]*)</.exec(response.text())?.[1] ?? '')
      }
      return texts
    }
    const real = await answers(user.username)
    const ghost = await answers('no-such-user-here')
    assert.deepEqual(ghost, real)
    assert.include(real[5], '已被锁定')
    assert.include(real[0], '用户名或密码错误')

    const time = async (username: string) => {
      const start = performance.now()
      await login(client, username, 'Wrong#Passw0rd')
      return performance.now() - start
    }
    const known = await time(user.username)
    const unknown = await time('no-such-user-here')
    assert.isAbove(unknown, known / 4)
    assert.isAbove(known, unknown / 4)
  })

  test('concurrent wrong passwords are counted atomically: no more than five get checked', async ({
    client,
    assert,
  }) => {
    const user = await createUser()
    await Promise.all(
      Array.from({ length: 25 }, () => login(client, user.username, 'Wrong#Passw0rd'))
    )
    const checked = await AuditEvent.query()
      .where('action', 'auth.login')
      .where('target_id', String(user.id))
      .where('details', 'like', '%bad_password%')
    assert.isAtMost(checked.length, 5)
    const response = await login(client, user.username, GOOD_PASSWORD)
    response.assertTextIncludes('已被锁定')
  })

  test('an unlock by the sysadmin lifts the lock at once', async ({ client }) => {
    const user = await createUser()
    const admin = await createUser({ roles: ['sysadmin'] })
    for (let i = 0; i < 5; i++) await login(client, user.username, 'Wrong#Passw0rd')
    await client.post(`/admin/users/${user.id}/unlock`).loginAs(admin).withCsrfToken()
    const response = await login(client, user.username, GOOD_PASSWORD).redirects(0)
    response.assertHeader('location', '/')
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

  test('a throttled address is slowed down, not locked: a correct password still gets in', async ({
    client,
    assert,
  }) => {
    const saved = { ...loginService.settings }
    loginService.settings.ipMaxFailures = 3
    loginService.settings.throttledDelayMs = 1000
    try {
      for (let i = 0; i < 3; i++) {
        await login(client, `ghost${i}`, 'Wrong#Passw0rd', '10.9.9.9')
      }
      const user = await createUser()
      const start = performance.now()
      const response = await login(client, user.username, GOOD_PASSWORD, '10.9.9.9').redirects(0)
      const elapsed = performance.now() - start
      response.assertHeader('location', '/')
      assert.isAtLeast(elapsed, 1000)

      // Concurrent guesses from the throttled address are answered one at a time.
      const burst = performance.now()
      await Promise.all(
        [1, 2, 3].map((i) => login(client, `other${i}`, 'Wrong#Passw0rd', '10.9.9.9'))
      )
      assert.isAtLeast(performance.now() - burst, 3 * 1000)

      // Another address of the same office is not slowed at all.
      const other = await createUser()
      const quick = performance.now()
      const fine = await login(client, other.username, GOOD_PASSWORD, '10.9.9.10').redirects(0)
      fine.assertHeader('location', '/')
      assert.isBelow(performance.now() - quick, 1000)
    } finally {
      loginService.settings = saved
    }
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
