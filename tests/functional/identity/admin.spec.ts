import { test } from '@japa/runner'
import { assertNotIncludes } from '#tests/helpers/http'
import testUtils from '@adonisjs/core/services/test_utils'
import User from '#identity/models/user'
import AuditEvent from '#core/audit/audit_event'
import { createUnit, createUser } from '#tests/helpers/identity'

const NEW_PASSWORD = 'Fresh#Start2026'

test.group('User administration', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('the sysadmin creates a user with roles, and it is audited', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const unit = await createUnit({ name: '县司法局测试' })
    const response = await client
      .post('/admin/users')
      .header('referer', '/admin/users/new')
      .loginAs(admin)
      .form({
        username: 'sifa_jingban',
        fullName: '周经办',
        unitId: unit.id,
        roles: ['applicant'],
        password: NEW_PASSWORD,
        passwordConfirmation: NEW_PASSWORD,
      })
      .withCsrfToken()
      .redirects(0)
    response.assertHeader('location', '/admin/users')
    const user = await User.query()
      .where('username', 'sifa_jingban')
      .preload('roleRows')
      .firstOrFail()
    assert.deepEqual(user.roles, ['applicant'])
    assert.equal(user.unitId, unit.id)
    const event = await AuditEvent.query().where('action', 'user.create').firstOrFail()
    assert.equal(event.actorId, admin.id)
    assert.include(event.details, 'sifa_jingban')
  })

  test('a duplicate username is refused', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    await createUser({ username: 'taken_name' })
    const response = await client
      .post('/admin/users')
      .header('referer', '/admin/users/new')
      .loginAs(admin)
      .form({
        username: 'taken_name',
        fullName: '重名',
        roles: ['reviewer'],
        password: NEW_PASSWORD,
        passwordConfirmation: NEW_PASSWORD,
      })
      .withCsrfToken()
    response.assertTextIncludes('用户名已存在')
    assert.lengthOf(await User.query().where('username', 'taken_name'), 1)
  })

  const forbidden: Array<[string[], string]> = [
    [['auditor', 'sysadmin'], '角色「审计员」与「系统管理员」不能由同一账户兼任'],
    [['sysadmin', 'netadmin'], '角色「系统管理员」与「网络管理员」不能由同一账户兼任'],
    [['auditor', 'netadmin'], '角色「审计员」与「网络管理员」不能由同一账户兼任'],
  ]
  for (const [roles, message] of forbidden) {
    test(`separation of duties refuses ${roles.join(' + ')}`, async ({ client, assert }) => {
      const admin = await createUser({ roles: ['sysadmin'] })
      const response = await client
        .post('/admin/users')
        .header('referer', '/admin/users/new')
        .loginAs(admin)
        .form({
          username: 'combo_user',
          fullName: '兼任',
          roles,
          password: NEW_PASSWORD,
          passwordConfirmation: NEW_PASSWORD,
        })
        .withCsrfToken()
      response.assertTextIncludes(message)
      assert.isNull(await User.findBy('username', 'combo_user'))
    })
  }

  test('an existing user cannot be given a forbidden role combination either', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const target = await createUser({ roles: ['netadmin'] })
    const response = await client
      .put(`/admin/users/${target.id}`)
      .header('referer', `/admin/users/${target.id}/edit`)
      .loginAs(admin)
      .form({ fullName: target.fullName, unitId: target.unitId, roles: ['netadmin', 'auditor'] })
      .withCsrfToken()
    response.assertTextIncludes('不能由同一账户兼任')
    await target.load('roleRows')
    assert.deepEqual(target.roles, ['netadmin'])
  })

  test('a weak initial password is refused', async ({ client }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const response = await client
      .post('/admin/users')
      .header('referer', '/admin/users/new')
      .loginAs(admin)
      .form({
        username: 'weakling',
        fullName: '弱密码',
        roles: ['reviewer'],
        password: 'password',
        passwordConfirmation: 'password',
      })
      .withCsrfToken()
    response.assertTextIncludes('密码至少 10 位')
  })

  test('an applicant must belong to a unit', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const response = await client
      .post('/admin/users')
      .header('referer', '/admin/users/new')
      .loginAs(admin)
      .form({
        username: 'no_unit',
        fullName: '无单位',
        roles: ['applicant'],
        password: NEW_PASSWORD,
        passwordConfirmation: NEW_PASSWORD,
      })
      .withCsrfToken()
    response.assertTextIncludes('申报单位经办人必须归属一个单位')
    assert.isNull(await User.findBy('username', 'no_unit'))
  })

  test('script in a name is stored as text and shown escaped', async ({ client }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    await createUser({ fullName: '<script>alert(1)</script>' })
    const response = await client.get('/admin/users').loginAs(admin)
    response.assertTextIncludes('&lt;script&gt;alert(1)&lt;/script&gt;')
    assertNotIncludes(response, '<script>alert(1)</script>')
  })

  test('the sysadmin disables, unlocks and resets a user; each step is audited', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const target = await createUser({ roles: ['reviewer'] })
    await client.post(`/admin/users/${target.id}/toggle-active`).loginAs(admin).withCsrfToken()
    await target.refresh()
    assert.isFalse(target.isActive)

    await client
      .post(`/admin/users/${target.id}/reset-password`)
      .loginAs(admin)
      .form({ password: NEW_PASSWORD, passwordConfirmation: NEW_PASSWORD })
      .withCsrfToken()
    await target.refresh()
    assert.isTrue(target.mustChangePassword)

    await client.post(`/admin/users/${target.id}/unlock`).loginAs(admin).withCsrfToken()
    const events = await AuditEvent.query().where('target_id', String(target.id)).orderBy('id')
    const actions = events.map((e) => e.action)
    assert.includeMembers(actions, ['user.disable', 'user.reset_password', 'user.unlock'])
  })

  test('the user list searches, filters by role and exports CSV', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    await createUser({ fullName: '欧阳查找', roles: ['expert'] })
    await createUser({ fullName: '司马其他', roles: ['reviewer'] })
    const found = await client.get('/admin/users?q=欧阳').loginAs(admin)
    found.assertTextIncludes('欧阳查找')
    assertNotIncludes(found, '司马其他')
    const byRole = await client.get('/admin/users?role=reviewer').loginAs(admin)
    byRole.assertTextIncludes('司马其他')
    assertNotIncludes(byRole, '欧阳查找')
    const csv = await client.get('/admin/users?format=csv&role=expert').loginAs(admin)
    csv.assertHeader('content-type', 'text/csv; charset=utf-8')
    assert.include(csv.text(), '欧阳查找')
    assert.include(csv.text(), '评审专家')
  })

  test('the sysadmin manages units, and a duplicate unit name is refused', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    await client
      .post('/admin/units')
      .header('referer', '/admin/units/new')
      .loginAs(admin)
      .form({ code: 'TEST01', name: '县统计局', kind: 'department' })
      .withCsrfToken()
    const dup = await client
      .post('/admin/units')
      .header('referer', '/admin/units/new')
      .loginAs(admin)
      .form({ code: 'TEST02', name: '县统计局', kind: 'department' })
      .withCsrfToken()
    dup.assertTextIncludes('单位名称已存在')
    const list = await client.get('/admin/units').loginAs(admin)
    list.assertTextIncludes('县统计局')
    assert.isNotNull(await AuditEvent.query().where('action', 'unit.create').first())
  })
})

test.group('Permissions are checked on the server', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('an applicant opening the sysadmin pages gets 403, and the attempt is logged', async ({
    client,
    assert,
  }) => {
    const applicant = await createUser({ roles: ['applicant'] })
    for (const url of ['/admin/users', '/admin/units', '/admin/users/new']) {
      const response = await client.get(url).loginAs(applicant)
      response.assertStatus(403)
      response.assertTextIncludes('无权访问')
    }
    const denied = await AuditEvent.query()
      .where('action', 'access.denied')
      .where('actor_id', applicant.id)
    assert.lengthOf(denied, 3)
    assert.equal(denied[0].outcome, 'failure')
  })

  test('a forged POST by a non-admin changes nothing', async ({ client, assert }) => {
    const reviewer = await createUser({ roles: ['reviewer'] })
    const target = await createUser({ roles: ['expert'] })
    const response = await client
      .post(`/admin/users/${target.id}/toggle-active`)
      .loginAs(reviewer)
      .withCsrfToken()
    response.assertStatus(403)
    await target.refresh()
    assert.isTrue(target.isActive)
  })

  test('the sysadmin cannot read the audit log', async ({ client }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const response = await client.get('/audit').loginAs(admin)
    response.assertStatus(403)
  })

  test('each role sees only its own menu', async ({ client }) => {
    const applicant = await createUser({ roles: ['applicant'] })
    const page = await client.get('/').loginAs(applicant)
    page.assertTextIncludes('项目申报')
    assertNotIncludes(page, '用户管理')
    assertNotIncludes(page, '审计日志')
    const auditor = await createUser({ roles: ['auditor'] })
    const auditorPage = await client.get('/').loginAs(auditor)
    auditorPage.assertTextIncludes('审计日志')
    assertNotIncludes(auditorPage, '用户管理')
  })

  test('an unknown page shows a Chinese 404', async ({ client }) => {
    const response = await client.get('/no/such/page')
    response.assertStatus(404)
    response.assertTextIncludes('页面不存在')
  })

  test('the login page can be switched to English', async ({ client }) => {
    const response = await client.get('/login').withPlainCookie('shuzhi-locale', 'en')
    response.assertTextIncludes('Username')
  })
})
