import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import testUtils from '@adonisjs/core/services/test_utils'
import limiter from '@adonisjs/limiter/services/main'
import { SessionCollection, stores } from '@adonisjs/session'
import type { SessionStoreWithTaggingContract } from '@adonisjs/session/types'
import AuditEvent from '#core/audit/audit_event'
import type { Role } from '#identity/roles'
import sessionRegistry from '#identity/services/session_registry'
import { createUser as createAnyUser, GOOD_PASSWORD } from '#tests/helpers/identity'
import { CookieSession } from '#tests/helpers/cookie_session'

/**
 * The test session store lives in memory and outlives each test's rolled-back
 * transaction, so a reused user id could inherit sessions: start clean.
 */
async function createUser(options: { roles: Role[] }) {
  const user = await createAnyUser(options)
  await sessionRegistry.endAll(user.id)
  return user
}

test.group('Server-side sessions', (group) => {
  // the limiter's stores first: a database store waits for the connection a global transaction holds
  group.each.setup(() => limiter.clear())
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('a copied cookie stops working after logout', async ({ assert }) => {
    const user = await createUser({ roles: ['reviewer'] })
    const browser = new CookieSession()
    const login = await browser.login(user.username, GOOD_PASSWORD)
    assert.equal(login.location, '/')
    const stolen = browser.copy()
    assert.equal(await stolen.statusOf('/'), 200)

    const logout = await browser.post('/logout')
    assert.equal(logout.location, '/login')
    const replay = await stolen.get('/')
    assert.equal(replay.status, 302)
    assert.equal(replay.location, '/login')
  })

  test('changing the password ends every other session, not the current one', async ({
    assert,
  }) => {
    const user = await createUser({ roles: ['reviewer'] })
    const office = new CookieSession('10.2.0.1')
    const laptop = new CookieSession('10.2.0.2')
    await office.login(user.username, GOOD_PASSWORD)
    await laptop.login(user.username, GOOD_PASSWORD)
    const copied = laptop.copy()
    assert.equal(await laptop.statusOf('/'), 200)

    const changed = await office.post(
      '/account/password?_method=PUT',
      {
        currentPassword: GOOD_PASSWORD,
        newPassword: 'Brand-new#2026',
        newPasswordConfirmation: 'Brand-new#2026',
      },
      '/account/password'
    )
    assert.equal(changed.location, '/')
    assert.equal(await office.statusOf('/'), 200)
    assert.equal(await laptop.locationOf('/'), '/login')
    assert.equal(await copied.locationOf('/'), '/login')
  })

  test('我的会话 lists device, address and time, and ends another session', async ({ assert }) => {
    const user = await createUser({ roles: ['expert'] })
    const office = new CookieSession('10.3.0.1')
    const home = new CookieSession('10.3.0.2')
    await office.login(user.username, GOOD_PASSWORD)
    await home.login(user.username, GOOD_PASSWORD)

    const page = await office.get('/account/sessions')
    assert.equal(page.status, 200)
    const html = page.text
    assert.include(html, '我的会话')
    assert.include(html, '10.3.0.1')
    assert.include(html, '10.3.0.2')
    assert.include(html, '当前会话')
    // times are shown in Asia/Shanghai
    const shanghai = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
    }).format(new Date())
    assert.include(html, shanghai.replace(' ', ' ').slice(0, 13))

    const handles = [...html.matchAll(/\/account\/sessions\/([0-9a-f]{24})\/end/g)].map((m) => m[1])
    assert.lengthOf(handles, 1)
    const ended = await office.post(`/account/sessions/${handles[0]}/end`, {}, '/account/sessions')
    assert.equal(ended.location, '/account/sessions')
    assert.equal(await home.locationOf('/'), '/login')
    assert.equal(await office.statusOf('/'), 200)
    assert.isNotNull(await AuditEvent.query().where('action', 'auth.session_end').first())
  })

  test('the sysadmin ends anyone’s sessions; disabling and a role change end them too', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const user = await createUser({ roles: ['reviewer'] })
    const browser = new CookieSession('10.4.0.1')
    await browser.login(user.username, GOOD_PASSWORD)

    const security = await client.get(`/admin/users/${user.id}/security`).loginAs(admin)
    security.assertStatus(200)
    security.assertTextIncludes('10.4.0.1')
    await client.post(`/admin/users/${user.id}/sessions/end`).loginAs(admin).withCsrfToken()
    assert.equal(await browser.locationOf('/'), '/login')

    await browser.login(user.username, GOOD_PASSWORD)
    await client
      .put(`/admin/users/${user.id}`)
      .loginAs(admin)
      .form({ fullName: user.fullName, unitId: String(user.unitId), roles: ['expert'] })
      .withCsrfToken()
    assert.equal(await browser.locationOf('/'), '/login')

    await browser.login(user.username, GOOD_PASSWORD)
    assert.equal(await browser.statusOf('/'), 200)
    await client.post(`/admin/users/${user.id}/toggle-active`).loginAs(admin).withCsrfToken()
    assert.equal(await browser.locationOf('/'), '/login')
  })

  test('the API token shown once is not kept in the session', async ({ assert }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const browser = new CookieSession()
    await browser.login(admin.username, GOOD_PASSWORD)
    const before = browser.copy()
    const created = await browser.post(
      '/admin/api-tokens',
      { 'name': '一次性令牌', 'abilities[]': 'review:read' },
      '/admin/api-tokens'
    )
    assert.equal(created.status, 200)
    assert.equal(created.header('cache-control'), 'no-store')
    const secret = /<code id="new-token-secret">(szt_[A-Za-z0-9_.-]+)<\/code>/.exec(
      created.text
    )?.[1]
    assert.isString(secret)
    for (const replay of [before, browser]) {
      const page = await replay.get('/admin/api-tokens')
      assert.notInclude(page.text, secret!)
    }
    const collection = await app.container.make(SessionCollection)
    for (const { data } of await collection.tagged(String(admin.id))) {
      assert.notInclude(JSON.stringify(data), secret!)
    }
  })

  test('the database store (the default outside tests) keeps, lists and ends sessions', async ({
    assert,
  }) => {
    const factory = await stores.database({ tableName: 'sessions' }).resolver(app)
    const store = factory({} as never, { age: '2h' } as never) as SessionStoreWithTaggingContract
    await store.write('sess-a', { auth_web: 7, device: { ip: '10.0.0.1' } })
    await store.tag('sess-a', 7)
    await store.tag('sess-b', 7)
    await store.write('sess-b', { auth_web: 7 })
    assert.deepEqual(await store.read('sess-a'), { auth_web: 7, device: { ip: '10.0.0.1' } })
    const tagged = await store.tagged('7')
    assert.sameMembers(
      tagged.map((s) => s.id),
      ['sess-a', 'sess-b']
    )
    await store.destroy('sess-a')
    assert.isNull(await store.read('sess-a'))
    const left = await store.tagged('7')
    assert.deepEqual(
      left.map((s) => s.id),
      ['sess-b']
    )
  })
})
