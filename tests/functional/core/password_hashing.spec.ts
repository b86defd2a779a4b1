import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { createUser, GOOD_PASSWORD, realPasswordHashing } from '#tests/helpers/identity'

test.group('Test setup | password hashing outside the login tests', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('test accounts are stored without scrypt (the fake hasher)', async ({ assert }) => {
    const user = await createUser()
    assert.equal(user.password, GOOD_PASSWORD)
  })
})

test.group('Test setup | password hashing in a login test group', (group) => {
  realPasswordHashing(group)
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('test accounts are stored with the real scrypt', async ({ assert }) => {
    const user = await createUser()
    assert.match(user.password, /^\$scrypt\$/)
  })
})
