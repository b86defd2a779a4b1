import { test } from '@japa/runner'
import hash from '@adonisjs/core/services/hash'
import testUtils from '@adonisjs/core/services/test_utils'
import User from '#identity/models/user'
import { createUser, GOOD_PASSWORD } from '#tests/helpers/identity'

test.group("Changing one's own password", (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('a strong new password replaces the old one', async ({ client, assert }) => {
    const user = await createUser({ roles: ['expert'] })
    const response = await client
      .put('/account/password')
      .header('referer', '/account/password')
      .loginAs(user)
      .form({
        currentPassword: GOOD_PASSWORD,
        newPassword: 'Brand-new#2026',
        newPasswordConfirmation: 'Brand-new#2026',
      })
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/')
    const fresh = await User.findOrFail(user.id)
    assert.isTrue(await hash.verify(fresh.password, 'Brand-new#2026'))
  })

  const weak: Array<[string, string]> = [
    ['Sh0rt#pw', '密码至少 10 位'],
    ['alllowercaseletters', '密码须包含大写字母、小写字母、数字、特殊符号中的至少三类'],
    ['ALLUPPER1234', '密码须包含大写字母、小写字母、数字、特殊符号中的至少三类'],
  ]
  for (const [candidate, message] of weak) {
    test(`a weak new password is refused: ${candidate}`, async ({ client, assert }) => {
      const user = await createUser({ roles: ['expert'] })
      const response = await client
        .put('/account/password')
        .header('referer', '/account/password')
        .loginAs(user)
        .form({
          currentPassword: GOOD_PASSWORD,
          newPassword: candidate,
          newPasswordConfirmation: candidate,
        })
        .withCsrfToken()
      response.assertTextIncludes(message)
      const fresh = await User.findOrFail(user.id)
      assert.isTrue(await hash.verify(fresh.password, GOOD_PASSWORD))
    })
  }

  test('a password containing the username is refused', async ({ client }) => {
    const user = await createUser({ roles: ['expert'], username: 'zhangsan' })
    const response = await client
      .put('/account/password')
      .header('referer', '/account/password')
      .loginAs(user)
      .form({
        currentPassword: GOOD_PASSWORD,
        newPassword: 'Zhangsan#2026',
        newPasswordConfirmation: 'Zhangsan#2026',
      })
      .withCsrfToken()
    response.assertTextIncludes('密码不能包含用户名')
  })

  test('the wrong current password changes nothing', async ({ client, assert }) => {
    const user = await createUser({ roles: ['expert'] })
    const response = await client
      .put('/account/password')
      .header('referer', '/account/password')
      .loginAs(user)
      .form({
        currentPassword: 'Not#TheRight1',
        newPassword: 'Brand-new#2026',
        newPasswordConfirmation: 'Brand-new#2026',
      })
      .withCsrfToken()
    response.assertTextIncludes('当前密码不正确')
    const fresh = await User.findOrFail(user.id)
    assert.isTrue(await hash.verify(fresh.password, GOOD_PASSWORD))
  })

  test('after a reset the user must change the password before anything else', async ({
    client,
  }) => {
    const user = await createUser({ roles: ['reviewer'] })
    user.mustChangePassword = true
    await user.save()
    const home = await client.get('/').loginAs(user).redirects(0)
    home.assertStatus(302)
    home.assertHeader('location', '/account/password')

    await client
      .put('/account/password')
      .header('referer', '/account/password')
      .loginAs(user)
      .form({
        currentPassword: GOOD_PASSWORD,
        newPassword: 'Brand-new#2026',
        newPasswordConfirmation: 'Brand-new#2026',
      })
      .withCsrfToken()
    const after = await client.get('/').loginAs(user)
    after.assertStatus(200)
    after.assertTextIncludes('工作台')
  })
})
